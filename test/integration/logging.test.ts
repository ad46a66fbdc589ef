/**
 * Structured logs: every line a pipeline writes is JSON carrying the job_id it belongs to (so one
 * job's lines can be found among concurrent jobs), and no line carries a secret.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../shared/logger';
import { BIODIVERSITY, startHarness, type Harness } from './support/harness';
import { readFixtureComments, writeExport } from './support/exports';

let harness: Harness;
const lines: string[] = [];

beforeAll(async () => {
  harness = await startHarness();
  logger.setLogLevel('INFO');
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.startsWith('{"level"')) {
        lines.push(...text.trim().split('\n'));
        return true;
      }
      return write(chunk as string, ...(rest as []));
    });
  }
});

afterAll(async () => {
  vi.restoreAllMocks();
  logger.setLogLevel('SILENT' as 'INFO');
  await harness?.close();
});

describe('logs', () => {
  it('carry the job_id on every line, also when jobs run side by side and one fails', async () => {
    const comments = readFixtureComments(BIODIVERSITY);
    const sources = [writeExport(comments.slice(0, 40)), writeExport(comments.slice(40, 90))];
    const outcomes = await Promise.all([
      harness.pipeline.run({ conversation_id: 'logs', source: sources[0] }, { executionName: 'logs-a' }),
      harness.pipeline.run({ conversation_id: 'logs', source: sources[1] }, { executionName: 'logs-b' }),
      harness.pipeline.run({ conversation_id: 'logs', source: '/no/such/export' }, { executionName: 'logs-c' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'FAILED']);
    expect(lines.length).toBeGreaterThan(20);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const entry of parsed) expect(entry.job_id, JSON.stringify(entry)).toMatch(/^pipeline_run_logs-[abc]$/);
    // each job's own step lines name its own job
    for (const name of ['logs-a', 'logs-b']) {
      const steps = parsed.filter((e) => e.job_id === `pipeline_run_${name}` && e.message === 'step completed').map((e) => e.step);
      expect(steps).toEqual(['Embed', 'ProjectUmap', 'Cluster', 'ExtractKeywords', 'ComputeFeatures', 'NameTopics']);
    }
    expect(parsed.some((e) => e.job_id === 'pipeline_run_logs-c' && e.level === 'ERROR')).toBe(true);
  });
});
