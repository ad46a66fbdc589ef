/**
 * Golden output: the rows of every table for one bundled conversation, run through the real ASL and
 * handlers, equal a snapshot made by an earlier version of the code. A refactor must leave it
 * unchanged ("same rows for the same input").
 *
 * Only what varies from run to run is left out: the job_id and the checkout's folder wherever they
 * appear (replaced by <job_id> and <repository>), the execution's name and ARN, wall-clock times
 * (every `*_at` attribute) and durations (`duration_ms`, the values of `step_timings_ms`). Binary attributes (the embeddings) are compared by their SHA-256.
 *
 * A change that is meant to change rows (a new attribute, other tokens, better clusters) regenerates
 * the snapshot with
 *
 *     npx vitest run test/integration/golden.test.ts -u
 *
 * and the diff of test/integration/golden/ in that commit shows reviewers exactly what changed.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_IDS, type TableId } from '../../shared/schema';
import { BIODIVERSITY, startHarness, type Harness } from './support/harness';

const CONVERSATION = 'scoop-hivemind.biodiversity';
const EXECUTION = 'golden';
const JOB_ID = `pipeline_run_${EXECUTION}`;

const REPOSITORY_ROOT = path.resolve(__dirname, '../..');
const VOLATILE = new Set(['duration_ms', 'execution_name', 'execution_arn']);

/** A stored value made comparable: volatile attributes removed, bytes hashed, the job_id replaced. */
function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return `sha256:${createHash('sha256').update(value).digest('hex')}`;
  if (Array.isArray(value)) return value.map(comparable);
  if (value instanceof Set) return [...value].map(comparable);
  if (typeof value === 'string') return value.split(JOB_ID).join('<job_id>').split(REPOSITORY_ROOT).join('<repository>');
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (VOLATILE.has(key) || key.endsWith('_at')) continue;
      const field = (value as Record<string, unknown>)[key];
      // Which steps were timed is stable; how long they took is not.
      out[key] = key === 'step_timings_ms' ? Object.keys(field as object) : comparable(field);
    }
    return out;
  }
  return value;
}

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  const outcome = await harness.pipeline.run({ conversation_id: CONVERSATION, source: BIODIVERSITY }, { executionName: EXECUTION });
  expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');
}, 120_000);

afterAll(async () => harness?.close());

describe('the rows of the bundled biodiversity conversation', () => {
  it.each(TABLE_IDS)('%s equals the stored snapshot', async (table: TableId) => {
    const rows = await harness.repository.queryByJob(table, JOB_ID);
    expect(rows.length).toBeGreaterThan(0);
    const text = `${JSON.stringify(comparable(rows), null, 1)}\n`;
    await expect(text).toMatchFileSnapshot(`golden/${table}.json`);
  });
});
