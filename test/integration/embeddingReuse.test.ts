/**
 * A later job of a conversation takes the sentence encoder's vectors of unchanged comments from the
 * previous COMPLETED job instead of encoding them again, and its rows are the bytes a job with no
 * earlier one writes. Through the real state machine, on the bundled biodiversity conversation: its
 * earliest 120 comments, then all of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../shared/contract/job';
import { commentsByTime, writeExport } from './support/exports';
import { BIODIVERSITY, startHarness, type Harness } from './support/harness';

const CONVERSATION = 'scoop-hivemind.biodiversity';
let harness: Harness;
let early: JobRecord;
let all: JobRecord;
let alone: JobRecord;

async function run(conversationId: string, source: string, executionName: string): Promise<JobRecord> {
  const outcome = await harness.pipeline.run({ conversation_id: conversationId, source }, { executionName, retryIntervalMs: 1 });
  expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');
  return harness.repository.requireJob(String(outcome.output?.job_id));
}

const embeddingsOf = async (jobId: string) =>
  new Map((await harness.repository.queryByJob('embeddings', jobId)).map((row) => [row.comment_id, row]));

beforeAll(async () => {
  harness = await startHarness();
  const earliest = commentsByTime(BIODIVERSITY).slice(0, 120);
  early = await run(CONVERSATION, writeExport(earliest.map(({ id, body }) => ({ id, body })), 'delphi-reuse-'), 'reuse-early');
  all = await run(CONVERSATION, BIODIVERSITY, 'reuse-all');
  // Another conversation: no earlier job, every comment encoded.
  alone = await run(`${CONVERSATION}.alone`, BIODIVERSITY, 'reuse-alone');
}, 240_000);

afterAll(async () => {
  await harness?.close();
});

describe('reusing the sentence encoder\'s vectors of an earlier job', () => {
  it('encodes only the comments the previous job did not have, and says so on the job', async () => {
    const [earlyRows, allRows] = await Promise.all([embeddingsOf(early.job_id), embeddingsOf(all.job_id)]);
    const english = [...allRows.values()].filter((row) => row.language === 'en');
    const earlierTexts = new Set([...earlyRows.values()].filter((row) => row.language === 'en').map((row) => row.comment_text));
    const unchanged = english.filter((row) => earlierTexts.has(row.comment_text)).length;
    expect(early.embedding_reuse).toEqual({ from_job: null, reused: 0, encoded: earlierTexts.size });
    expect(unchanged).toBeGreaterThan(100);
    expect(all.embedding_reuse).toEqual({ from_job: early.job_id, reused: unchanged, encoded: english.length - unchanged });
    expect(all.steps?.Embed).toMatchObject({ reused_vectors: unchanged, reused_from: early.job_id });
    expect(alone.embedding_reuse).toEqual({ from_job: null, reused: 0, encoded: english.length });
  });

  it('writes the bytes a job with no earlier one writes, so the topics are the same', async () => {
    const [reused, fresh] = await Promise.all([embeddingsOf(all.job_id), embeddingsOf(alone.job_id)]);
    expect(reused.size).toBe(fresh.size);
    for (const [id, row] of fresh) {
      expect(Buffer.from(reused.get(id)!.embedding).equals(Buffer.from(row.embedding)), `comment ${id}`).toBe(true);
    }
    expect(all.embedding_model).toBe(alone.embedding_model);
  });

  it('takes nothing from a previous job that does not record reuse (made before vectors depended on their text alone)', async () => {
    await harness.repository.updateJob(all.job_id, CONVERSATION, { embedding_reuse: null });
    const again = await run(CONVERSATION, BIODIVERSITY, 'reuse-again');
    const english = [...(await embeddingsOf(again.job_id)).values()].filter((row) => row.language === 'en').length;
    expect(again.embedding_reuse).toEqual({ from_job: null, reused: 0, encoded: english });
  });
});
