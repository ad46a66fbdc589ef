/**
 * S3 throttling reaches the state machine under a name its Retry matches: a source read that keeps
 * getting 503 SlowDown after the SDK's own retries fails the Embed attempt with TransientError
 * (shared/aws/errors.ts), the ASL retries Embed, and the job completes with the rows a local-folder
 * run of the same export gives.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../shared/aws/clients';
import { setDependencies } from '../../shared/dependencies';
import { TASK_HANDLERS, type TaskHandler } from '../../shared/local/runner';
import { FIXTURES, dumpJob, startHarness, type Harness } from './support/harness';
import { startFakeS3, type FakeS3 } from './support/fakeS3';
import { startFaultProxy, type FaultProxy } from './support/faultProxy';

const FAST_RETRIES = 5;
const BUCKET = 'uploads';

let harness: Harness;
let s3: FakeS3;
let proxy: FaultProxy;

beforeAll(async () => {
  harness = await startHarness();
  s3 = await startFakeS3({ [BUCKET]: FIXTURES });
  proxy = await startFaultProxy(s3.endpoint, { s3: true, rate: 0, seed: 3 });
  // The SDK retries twice on its own (a few ms apart) before the error reaches the step.
  setDependencies({ repository: harness.repository, sources: { s3: createS3Client(proxy.endpoint, { maxAttempts: 2, baseDelayMs: 2 }) } });
});

afterAll(async () => {
  await harness?.close();
  await proxy?.close();
  await s3?.close();
});

/**
 * The job's rows in the six per-comment and per-cluster tables, its job_id and conversation_id
 * replaced, without the topic uids (a new topic's uid is minted from its job's id, docs/lineage.md).
 */
async function rowsOf(jobId: string, conversationId: string) {
  const text = JSON.stringify(await dumpJob(harness.repository, jobId), (key, value) =>
    key.endsWith('topic_uid') ? undefined : value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
  );
  return JSON.parse(text.split(jobId).join('<job_id>').split(`"${conversationId}"`).join('"<conversation_id>"'));
}

describe('an S3 source read throttled with 503 SlowDown', () => {
  it('is retried by the state machine as a TransientError, and the job completes with the same rows', async () => {
    let attempts = 0;
    const embedUnderThrottling: TaskHandler = async (input) => {
      attempts++;
      // The first attempt's reads are all throttled, the retry's go through.
      proxy.rate = attempts === 1 ? 1 : 0;
      return TASK_HANDLERS.Embed(input as never, {} as never);
    };
    const source = `s3://${BUCKET}/scoop-hivemind.biodiversity`;
    const outcome = await harness.pipeline.run(
      { conversation_id: 's3-faults', source },
      { executionName: 's3-slowdown', retryIntervalMs: FAST_RETRIES, handlers: { Embed: embedUnderThrottling } },
    );
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');
    expect(proxy.counts['slow-down']).toBeGreaterThanOrEqual(2);
    const failures = outcome.events.filter((e) => e.type === 'StateFailed' || e.type === 'StateRetried').filter((e) => e.state?.name === 'Embed');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((e) => e.Error === undefined || e.Error === 'TransientError'), JSON.stringify(failures.map((e) => e.Error))).toBe(true);
    expect(outcome.events.filter((e) => e.type === 'StateRetried' && e.state?.name === 'Embed')).toHaveLength(1);

    const local = await harness.pipeline.run(
      // Its own conversation: a second job of one conversation is compared with the first (lineage).
      { conversation_id: 's3-reference', source: path.join(FIXTURES, 'scoop-hivemind.biodiversity') },
      { executionName: 's3-reference' },
    );
    expect(local.status).toBe('SUCCEEDED');
    expect(await rowsOf('pipeline_run_s3-slowdown', 's3-faults')).toEqual(await rowsOf('pipeline_run_s3-reference', 's3-reference'));
  });

  it('fails the job with TransientError, recorded on it, when S3 keeps throttling', async () => {
    proxy.rate = 1;
    try {
      const outcome = await harness.pipeline.run(
        { conversation_id: 's3-faults-always', source: `s3://${BUCKET}/scoop-hivemind.biodiversity` },
        { executionName: 's3-always-slowdown', retryIntervalMs: FAST_RETRIES },
      );
      expect(outcome.status).toBe('FAILED');
      expect(outcome.error).toBe('TransientError');
      // The ASL's TransientError retry (MaxAttempts 4) ran before giving up.
      expect(outcome.events.filter((e) => e.type === 'StateRetried' && e.state?.name === 'Embed')).toHaveLength(4);
      const job = await harness.repository.requireJob('pipeline_run_s3-always-slowdown');
      expect(job.error).toMatchObject({ type: 'TransientError', step: 'Embed' });
      expect(job.error?.cause).toMatch(/S3 GetObject s3:\/\/uploads\/scoop-hivemind\.biodiversity\/comments\.csv failed transiently: SlowDown/);
    } finally {
      proxy.rate = 0;
    }
  });
});
