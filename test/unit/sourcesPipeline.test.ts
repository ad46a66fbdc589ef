/**
 * The pipeline end to end on the export formats without votes.csv: only participants-votes.csv, and
 * only comments.csv (its agrees / disagrees). Both complete with vote features, and the job's
 * warnings say where the votes came from.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, MARCH_ON, startHarness, type Harness } from '../integration/support/harness';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

/** The first 250 comments of March On: an export with comments.csv and summary.csv only. */
function commentsOnlyExport(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'delphi-comments-only-'));
  const lines = readFileSync(path.join(MARCH_ON, 'comments.csv'), 'utf8').split('\n');
  writeFileSync(path.join(folder, 'comments.csv'), lines.slice(0, 251).join('\n'));
  writeFileSync(path.join(folder, 'summary.csv'), readFileSync(path.join(MARCH_ON, 'summary.csv')));
  return folder;
}

describe('the pipeline on every export format', () => {
  it.each([
    ['participants-votes.csv only', () => path.join(FIXTURES, 'austria-climate.wohnen-trimmed'), /read from participants-votes\.csv \(no votes\.csv\); 299 participant\(s\), 267 of them in 2 Polis opinion group\(s\)/],
    ['comments.csv only', commentsOnlyExport, /read from comments\.csv's agrees \/ disagrees columns/],
  ])('completes with vote features on an export with %s', async (name, folder, warning) => {
    const executionName = name.replace(/[^a-z]+/gi, '-');
    const outcome = await harness.pipeline.run({ conversation_id: 'formats', source: folder() }, { executionName });

    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');
    const job = await harness.repository.requireJob(`pipeline_run_${executionName}`);
    expect(job.has_votes).toBe(true);
    expect((job.warnings as string[]).join('\n')).toMatch(warning);
    const features = await harness.repository.queryByJob('features', `pipeline_run_${executionName}`);
    expect(features.length).toBeGreaterThan(0);
    expect(features.some((row) => JSON.stringify(row).includes('agree_rate'))).toBe(true);
  }, 120_000);
});
