/**
 * Retries, redrives and faults lose nothing and duplicate nothing: crashes half-way through a step's
 * writes, DynamoDB throttling and network faults, the ASL retry policy, and concurrent jobs.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDependencies } from '../../shared/dependencies';
import { TransientError } from '../../shared/errors';
import type { TaskHandler } from '../../shared/local/runner';
import { TASK_HANDLERS } from '../../shared/local/runner';
import { BATCH_SIZE } from '../../shared/repository';
import type { TableId } from '../../shared/schema';
import { BIODIVERSITY, MARCH_ON, dumpJobComparable, startHarness, type Harness } from './support/harness';
import { readFixtureComments, writeExport } from './support/exports';
import { startFaultProxy } from './support/faultProxy';

const FAST_RETRIES = 5; // ms between ASL retries instead of seconds

let harness: Harness;
let clean: Record<string, unknown>;
let cleanCounts: Record<string, number>;

class SimulatedCrash extends Error {
  constructor(table: string, batches: number) {
    super(`simulated crash after ${batches} batch(es) of ${table}`);
    this.name = 'SimulatedCrash';
  }
}

beforeAll(async () => {
  harness = await startHarness();
  const outcome = await harness.pipeline.run({ conversation_id: 'faults', source: BIODIVERSITY }, { executionName: 'clean' });
  expect(outcome.status).toBe('SUCCEEDED');
  clean = await dumpJobComparable(harness.repository, 'pipeline_run_clean');
  cleanCounts = (await harness.repository.getJob('pipeline_run_clean'))?.counts as Record<string, number>;
});

afterAll(async () => harness?.close());

const STEP_TABLES: Array<[string, TableId]> = [
  ['Embed', 'embeddings'],
  ['ProjectUmap', 'graph'],
  ['Cluster', 'assignments'],
  ['ExtractKeywords', 'keywords'],
  ['ComputeFeatures', 'features'],
  ['NameTopics', 'topicNames'],
];

describe('a step that crashes half-way through its writes, then is redriven', () => {
  it.each(STEP_TABLES)('%s: the seven tables end equal to a clean run of the same job', async (step, table) => {
    const rows = Number(cleanCounts[harness.repository.tableName(table)]);
    const batches = Math.ceil(rows / BATCH_SIZE);
    const crashAfter = Math.max(1, Math.floor(batches / 2));
    let written = 0;
    let crashed = false;
    setDependencies({
      repository: harness.repositoryWith({
        writeConcurrency: 1,
        afterBatchWrite: (writtenTable) => {
          if (writtenTable !== table || crashed) return;
          if (++written === crashAfter) {
            crashed = true;
            throw new SimulatedCrash(table, crashAfter);
          }
        },
      }),
    });
    const executionName = `crash-${step}`;
    const failed = await harness.pipeline.run({ conversation_id: 'faults', source: BIODIVERSITY }, { executionName });
    setDependencies({ repository: harness.repository });

    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('SimulatedCrash');
    const failedJob = await harness.repository.getJob(`pipeline_run_${executionName}`);
    expect(failedJob?.status).toBe('FAILED');
    expect(failedJob?.error).toMatchObject({ type: 'SimulatedCrash', step });
    const partial = await harness.repository.countByJob(table, `pipeline_run_${executionName}`);
    expect(partial).toBeGreaterThanOrEqual(Math.min(rows, crashAfter * BATCH_SIZE));

    // As in AWS, the redrive restarts the state the execution failed in — MarkFailed — which resumes the step.
    const redriven = await harness.pipeline.redrive(failed, { retryIntervalMs: FAST_RETRIES });
    expect(redriven.status, redriven.cause).toBe('SUCCEEDED');
    const resumed = redriven.events.slice(failed.events.length).filter((e) => e.type === 'StateEntered' && e.index === undefined);
    expect(resumed.slice(0, 3).map((e) => e.state?.name)).toEqual(['MarkFailed', 'ResumeFailedStep', step]);
    expect(await dumpJobComparable(harness.repository, `pipeline_run_${executionName}`)).toEqual(clean);
    expect(await harness.repository.getJob(`pipeline_run_${executionName}`)).toMatchObject({ status: 'COMPLETED', redrive_count: 1 });
  });

  it('leaves no stale rows when the re-run produces fewer rows than the crashed attempt wrote', async () => {
    const comments = readFixtureComments(BIODIVERSITY);
    const source = writeExport(comments);
    let crashed = false;
    setDependencies({
      repository: harness.repositoryWith({
        writeConcurrency: 1,
        afterBatchWrite: (table, index) => {
          if (table === 'embeddings' && index === 3 && !crashed) {
            crashed = true;
            throw new SimulatedCrash(table, 4);
          }
        },
      }),
    });
    const failed = await harness.pipeline.run({ conversation_id: 'faults-shrink', source }, { executionName: 'crash-shrink' });
    setDependencies({ repository: harness.repository });
    expect(failed.status).toBe('FAILED');
    expect(await harness.repository.countByJob('embeddings', 'pipeline_run_crash-shrink')).toBe(4 * BATCH_SIZE);

    // The operator fixes the export (keeps 60 comments) and redrives the failed step.
    const fixed = writeExport(comments.slice(0, 60));
    for (const file of ['comments.csv']) writeFileSync(path.join(source, file), require('node:fs').readFileSync(path.join(fixed, file)));
    const redriven = await harness.pipeline.redrive(failed, { retryIntervalMs: FAST_RETRIES });
    expect(redriven.status, redriven.cause).toBe('SUCCEEDED');
    const embeddings = await harness.repository.queryByJob('embeddings', 'pipeline_run_crash-shrink');
    expect(embeddings.map((row) => Number(row.comment_id))).toEqual(comments.slice(0, 60).map((c) => c.id));
    expect(await harness.repository.countByJob('assignments', 'pipeline_run_crash-shrink')).toBe(60);
  });
});

describe('DynamoDB throttling and network faults (fault-injecting proxy on 127.0.0.1)', () => {
  it('completes with the clean result at a 20% fault rate', async () => {
    const proxy = await startFaultProxy(harness.db.endpoint, { rate: 0.2, seed: 20 });
    try {
      setDependencies({ repository: harness.repositoryWith({}, proxy.endpoint) });
      const outcome = await harness.pipeline.run({ conversation_id: 'faults', source: BIODIVERSITY }, {
        executionName: 'faults-20',
        retryIntervalMs: FAST_RETRIES,
      });
      setDependencies({ repository: harness.repository });
      expect(outcome.status, outcome.cause).toBe('SUCCEEDED');
      const injected = proxy.counts.throttle + proxy.counts['server-error'] + proxy.counts.drop + proxy.counts.unprocessed;
      console.log(`20% faults: ${JSON.stringify(proxy.counts)}; step retries ${outcome.events.filter((e) => e.type === 'StateRetried').length}`);
      expect(injected).toBeGreaterThanOrEqual(10);
      expect(proxy.counts.unprocessed).toBeGreaterThan(0);
      expect(await dumpJobComparable(harness.repository, 'pipeline_run_faults-20')).toEqual(clean);
    } finally {
      setDependencies({ repository: harness.repository });
      await proxy.close();
    }
  });

  it('gives up with a retryable TransientError, recorded on the job, at a 100% fault rate', async () => {
    const proxy = await startFaultProxy(harness.db.endpoint, { rate: 0, seed: 100 });
    try {
      setDependencies({ repository: harness.repositoryWith({ maxBatchAttempts: 3 }, proxy.endpoint) });
      const breakDynamo: TaskHandler = async (input) => {
        proxy.rate = 1;
        return TASK_HANDLERS.Embed(input as never, {} as never);
      };
      const recordFailure: TaskHandler = async (input) => {
        proxy.rate = 0; // let the failure be recorded
        return TASK_HANDLERS.MarkFailed(input as never, {} as never);
      };
      const outcome = await harness.pipeline.run({ conversation_id: 'faults', source: BIODIVERSITY }, {
        executionName: 'faults-100',
        retryIntervalMs: FAST_RETRIES,
        handlers: { Embed: breakDynamo, MarkFailed: recordFailure },
      });
      expect(outcome.status).toBe('FAILED');
      expect(outcome.error).toBe('TransientError');
      const retries = outcome.events.filter((e) => e.type === 'StateRetried' && e.state?.name === 'Embed');
      expect(retries.length).toBe(4); // MaxAttempts 4 for TransientError: 4 retries after the first attempt
      const job = await harness.repository.getJob('pipeline_run_faults-100');
      expect(job?.status).toBe('FAILED');
      expect(job?.error).toMatchObject({ type: 'TransientError', step: 'Embed', cause: expect.stringMatching(/DynamoDB/) });
    } finally {
      setDependencies({ repository: harness.repository });
      await proxy.close();
    }
  });
});

describe('the retry policy of the ASL', () => {
  const small = () => writeExport(readFixtureComments(BIODIVERSITY).slice(0, 30));

  function failOnce(name: string): { handler: TaskHandler; calls: () => number } {
    let calls = 0;
    return {
      calls: () => calls,
      handler: async (input) => {
        calls++;
        if (calls === 1) {
          const error = new Error(`injected ${name}`);
          error.name = name;
          throw error;
        }
        return TASK_HANDLERS.Cluster(input as never, {} as never);
      },
    };
  }

  it.each([
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.TooManyRequestsException',
    'TransientError',
    'ProviderThrottledError',
    'TimeoutError',
  ])('retries %s and completes', async (name) => {
    const { handler, calls } = failOnce(name);
    const outcome = await harness.pipeline.run({ conversation_id: 'retry-policy', source: small() }, {
      executionName: `retry-${name.replace(/\./g, '-')}`,
      retryIntervalMs: FAST_RETRIES,
      handlers: { Cluster: handler },
    });
    expect(outcome.status, outcome.cause).toBe('SUCCEEDED');
    expect(calls()).toBe(2);
    expect(outcome.events.filter((e) => e.type === 'StateRetried').map((e) => e.state?.name)).toEqual(['Cluster']);
  });

  it.each(['InvalidInputError', 'Error', 'SimulatedCrash'])('never retries %s: the job fails with it', async (name) => {
    const { handler, calls } = failOnce(name);
    const executionName = `no-retry-${name}`;
    const outcome = await harness.pipeline.run({ conversation_id: 'retry-policy', source: small() }, {
      executionName,
      retryIntervalMs: FAST_RETRIES,
      handlers: { Cluster: handler },
    });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe(name);
    expect(calls()).toBe(1);
    expect(outcome.events.some((e) => e.type === 'StateRetried')).toBe(false);
    expect((await harness.repository.getJob(`pipeline_run_${executionName}`))?.error).toMatchObject({ type: name, step: 'Cluster' });
  });

  it('stops retrying a TransientError after MaxAttempts and records it', async () => {
    let calls = 0;
    const alwaysTransient: TaskHandler = async () => {
      calls++;
      throw new TransientError('provider unreachable');
    };
    const outcome = await harness.pipeline.run({ conversation_id: 'retry-policy', source: small() }, {
      executionName: 'retry-exhausted',
      retryIntervalMs: FAST_RETRIES,
      handlers: { Cluster: alwaysTransient },
    });
    expect(outcome.status).toBe('FAILED');
    expect(calls).toBe(5); // the first attempt and MaxAttempts (4) retries
    expect((await harness.repository.getJob('pipeline_run_retry-exhausted'))?.error).toMatchObject({ type: 'TransientError', cause: 'provider unreachable' });
  });
});

describe('concurrent jobs', () => {
  it('runs 10 jobs at once (two on the same conversation) without mixing their rows', async () => {
    const comments = readFixtureComments(MARCH_ON);
    const jobs = Array.from({ length: 10 }, (_, i) => {
      const slice = comments.slice(i * 40, i * 40 + 30 + i);
      return { name: `concurrent-${i}`, conversation: i < 2 ? 'shared-conversation' : `conversation-${i}`, slice, source: writeExport(slice) };
    });
    const outcomes = await Promise.all(
      jobs.map((job) => harness.pipeline.run({ conversation_id: job.conversation, source: job.source }, { executionName: job.name })),
    );
    for (const [i, outcome] of outcomes.entries()) expect(outcome.status, `${jobs[i].name}: ${outcome.cause}`).toBe('SUCCEEDED');
    for (const job of jobs) {
      const embeddings = await harness.repository.queryByJob('embeddings', `pipeline_run_${job.name}`);
      expect(embeddings.map((row) => row.comment_text)).toEqual(job.slice.map((c) => c.body.replace(/\s+/g, ' ').trim()));
      expect(new Set(embeddings.map((row) => row.conversation_id))).toEqual(new Set([job.conversation]));
      const record = await harness.repository.getJob(`pipeline_run_${job.name}`);
      expect(record?.status).toBe('COMPLETED');
      expect((record?.counts as Record<string, number>).Delphi_CommentHierarchicalClusterAssignments).toBe(job.slice.length);
    }
    const { items } = await harness.repository.queryByConversation('embeddings', 'shared-conversation');
    expect(items.length).toBe(jobs[0].slice.length + jobs[1].slice.length);
  });
});
