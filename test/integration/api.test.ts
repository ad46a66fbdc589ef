/**
 * The API handlers through real API Gateway REST events (events/*.json), against dynalite and the
 * real state machine; Step Functions (and S3, for s3:// sources) are the only things replaced.
 */
import { resetEnvironment } from '../../shared/config';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as getConversationTopics } from '../../functions/api/getConversationTopics';
import { handler as getJob } from '../../functions/api/getJob';
import { handler as getJobTopics } from '../../functions/api/getJobTopics';
import { handler as listConversationJobs } from '../../functions/api/listConversationJobs';
import { handler as startJob } from '../../functions/api/startJob';
import { setApiDependencies } from '../../shared/api/dependencies';
import { JOB_ID_PREFIX, jobIdForExecution } from '../../shared/jobId';
import { BIODIVERSITY, startHarness, type Harness } from './support/harness';
import { apiEvent, call, fakeStepFunctions } from './support/api';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:DelphiPipeline-test';
const BASE = 'https://abc123defg.execute-api.eu-west-1.amazonaws.com/local';
const CONVERSATION = 'api-bio';
const UPLOADS = 'delphi-uploads-test';

const sfn = fakeStepFunctions(STATE_MACHINE_ARN);
const s3 = mockClient(S3Client);
let harness: Harness;

/** Configures the API as in AWS (env read at first use); local folders allowed unless `s3Only`. */
function configure({ s3Only = false } = {}) {
  vi.stubEnv('STATE_MACHINE_ARN', STATE_MACHINE_ARN);
  vi.stubEnv('DELPHI_SOURCE_BUCKETS', UPLOADS);
  vi.stubEnv('DELPHI_ALLOW_LOCAL_SOURCES', s3Only ? 'false' : 'true');
  vi.stubEnv('STEPFUNCTIONS_ENDPOINT', '');
  resetEnvironment();
  setApiDependencies(undefined);
}

const post = (conversation: string, body: unknown, key?: string) =>
  call(
    startJob,
    apiEvent('startJob', {
      pathParameters: { conversation_id: conversation },
      body,
      headers: { 'Idempotency-Key': key ?? undefined },
    }),
  );

/** Runs the execution the API started through the real state machine, as Step Functions would. */
async function runStarted(name: string) {
  const started = sfn.executions.get(name)!;
  const outcome = await harness.pipeline.run(JSON.parse(started.input), { executionName: name });
  started.status = outcome.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
  return outcome;
}

beforeAll(async () => {
  harness = await startHarness();
  configure();
});

afterAll(async () => {
  setApiDependencies(undefined);
  vi.unstubAllEnvs();
  resetEnvironment();
  sfn.mock.restore();
  s3.restore();
  await harness?.close();
});

describe('POST /conversations/{conversation_id}/jobs', () => {
  beforeEach(() => {
    configure();
    sfn.mock.resetHistory();
  });

  it('starts one execution named by the Idempotency-Key and answers 202 with its job_id, ARN and status URL', async () => {
    const answer = await post(CONVERSATION, { source: BIODIVERSITY, options: { max_layers: 3 } }, 'api-first');
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      job_id: 'pipeline_run_api-first',
      conversation_id: CONVERSATION,
      execution_name: 'api-first',
      execution_arn: 'arn:aws:states:eu-west-1:123456789012:execution:DelphiPipeline-test:api-first',
      replayed: false,
      status_url: `${BASE}/jobs/pipeline_run_api-first`,
      topics_url: `${BASE}/jobs/pipeline_run_api-first/topics`,
    });
    expect(answer.headers.Location).toBe(`${BASE}/jobs/pipeline_run_api-first`);
    const starts = sfn.starts();
    expect(starts).toHaveLength(1);
    expect(starts[0].name).toBe('api-first');
    const input = JSON.parse(starts[0].input);
    expect(input).toEqual({
      conversation_id: CONVERSATION,
      source: BIODIVERSITY,
      options: { max_layers: 3 },
      request_hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(input.job_id).toBeUndefined(); // the state machine's first state derives it from the name
  });

  it("gives the job_id the execution writes: the API's rule and the state machine's are one", async () => {
    const answer = await post(CONVERSATION, { source: BIODIVERSITY }, 'api-same-rule');
    const outcome = await runStarted('api-same-rule');
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output?.job_id).toBe(answer.body.job_id);
    expect(answer.body.job_id).toBe(jobIdForExecution('api-same-rule'));
    const job = await harness.repository.getJob(String(answer.body.job_id));
    expect(job).toMatchObject({ status: 'COMPLETED', execution_name: 'api-same-rule', request_hash: JSON.parse(sfn.starts()[0].input).request_hash });
  });

  it('chooses a readable, unique execution name when no key is given', async () => {
    const first = await post(CONVERSATION, { source: BIODIVERSITY });
    const second = await post(CONVERSATION, { source: BIODIVERSITY });
    expect(first.status).toBe(202);
    expect(first.body.execution_name).toMatch(/^api-bio-\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(first.body.job_id).toBe(`${JOB_ID_PREFIX}${first.body.execution_name}`);
    expect(second.body.job_id).not.toBe(first.body.job_id);
    expect(sfn.starts().map((start) => start.name)).toEqual([first.body.execution_name, second.body.execution_name]);
  });

  it('answers a retry with the same key and the same body with the same job, starting nothing new', async () => {
    const first = await post(CONVERSATION, { source: BIODIVERSITY, options: { seed: 7, max_layers: 3 } }, 'api-retry');
    // The same request, keys in another order, and after the execution finished (StartExecution refuses then).
    sfn.executions.get('api-retry')!.status = 'SUCCEEDED';
    const retry = await post(CONVERSATION, { options: { max_layers: 3, seed: 7 }, source: `${BIODIVERSITY}/` }, 'api-retry');
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual({ ...first.body, replayed: true });
    expect([...sfn.executions.keys()].filter((name) => name === 'api-retry')).toHaveLength(1);
  });

  it('refuses the same key with a different body: 409 naming the header, nothing started', async () => {
    await post(CONVERSATION, { source: BIODIVERSITY }, 'api-conflict');
    const before = sfn.executions.get('api-conflict')!.input;
    for (const body of [{ source: BIODIVERSITY, options: { max_layers: 2 } }, { source: path.dirname(BIODIVERSITY) + '/march-on.operation-marchin-orders' }]) {
      const answer = await post(CONVERSATION, body, 'api-conflict');
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ error: 'IdempotencyKeyReused', field: 'Idempotency-Key', job_id: 'pipeline_run_api-conflict' });
      expect(String(answer.body.message)).toMatch(/already used for a different request/);
    }
    const other = await post('another-conversation', { source: BIODIVERSITY }, 'api-conflict');
    expect(other.status).toBe(409);
    expect(sfn.executions.get('api-conflict')!.input).toBe(before);
  });

  const folderWithout = mkdtempSync(path.join(tmpdir(), 'delphi-api-empty-'));
  it.each([
    ['no body', { body: null }, 'body', /needs a JSON body/],
    ['a body that is not JSON', { body: '{"source": ' }, 'body', /not valid JSON/],
    ['no source', { body: { options: {} } }, 'source', /source is required/],
    ['an unknown field', { body: { source: BIODIVERSITY, colour: 'red' } }, 'colour', /unknown field colour/],
    ['an option out of range', { body: { source: BIODIVERSITY, options: { max_layers: 9 } } }, 'options.max_layers', /less than or equal to 5/],
    ['an unknown option', { body: { source: BIODIVERSITY, options: { layers: 3 } } }, 'options.layers', /unknown field layers/],
    ['an option its provider does not use', { body: { source: BIODIVERSITY, options: { embedding_url: 'http://localhost:1/v1' } } }, 'options', /not used by the sentence embedder/],
    ['options that are not an object', { body: { source: BIODIVERSITY, options: [1] } }, 'options', /Expected object/],
    ['a folder without comments.csv', { body: { source: folderWithout } }, 'source', /not a folder holding comments.csv/],
    ['a malformed conversation_id', { pathParameters: { conversation_id: 'a b' }, body: { source: BIODIVERSITY } }, 'conversation_id', /malformed/],
    ['an Idempotency-Key Step Functions cannot use', { headers: { 'idempotency-key': 'not a name!' }, body: { source: BIODIVERSITY } }, 'Idempotency-Key', /not usable as an execution name/],
  ])('answers 400 naming the field for %s, and starts nothing', async (_case, changes, field, message) => {
    const answer = await call(startJob, apiEvent('startJob', { headers: { 'Idempotency-Key': 'api-bad' }, ...changes }));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('BadRequest');
    expect(answer.body.field).toBe(field);
    expect(String(answer.body.message)).toMatch(message);
    expect(sfn.starts()).toHaveLength(0);
  });

  it('answers 413 for an oversize body, naming the limit, and starts nothing', async () => {
    const body = { source: BIODIVERSITY, options: {}, note: 'x'.repeat(20_000) };
    const answer = await call(startJob, apiEvent('startJob', { headers: { 'Idempotency-Key': 'api-oversize' }, body }));
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ error: 'PayloadTooLarge', field: 'body', message: expect.stringMatching(/limited to 16384/) });
    expect(sfn.starts()).toHaveLength(0);
  });

  describe('in AWS (s3:// sources only)', () => {
    beforeEach(() => {
      configure({ s3Only: true });
      s3.reset();
    });

    it('starts from an export in the uploads bucket, after checking comments.csv is there', async () => {
      s3.on(HeadObjectCommand, { Bucket: UPLOADS, Key: 'exports/bio/comments.csv' }).resolves({ ContentLength: 1 });
      const answer = await post(CONVERSATION, { source: `s3://${UPLOADS}/exports/bio/` }, 'api-s3');
      expect(answer.status).toBe(202);
      expect(JSON.parse(sfn.starts()[0].input).source).toBe(`s3://${UPLOADS}/exports/bio`);
      expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: UPLOADS, Key: 'exports/bio/comments.csv' }]);
    });

    it.each([
      ['a local folder', BIODIVERSITY, /must be an s3:\/\/bucket\/prefix URI/],
      ['another bucket', 's3://someone-elses-bucket/x', /may not read bucket someone-elses-bucket/],
      ['a missing export', `s3://${UPLOADS}/missing`, /no comments.csv at s3:\/\/delphi-uploads-test\/missing\/comments.csv/],
      ['an unreadable export', `s3://${UPLOADS}/forbidden`, /does not exist or Delphi may not read it/],
    ])('answers 400 for %s', async (_case, source, message) => {
      s3.on(HeadObjectCommand, { Key: 'missing/comments.csv' }).rejects(Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } }));
      s3.on(HeadObjectCommand, { Key: 'forbidden/comments.csv' }).rejects(Object.assign(new Error('Forbidden'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } }));
      const answer = await post(CONVERSATION, { source }, 'api-s3-bad');
      expect(answer.status).toBe(400);
      expect(answer.body.field).toBe('source');
      expect(String(answer.body.message)).toMatch(message);
      expect(sfn.starts()).toHaveLength(0);
    });
  });

  it('answers 500 without internals when Step Functions refuses, and a retry with the key is safe', async () => {
    sfn.failNextStart(Object.assign(new Error('User is not authorized to perform states:StartExecution'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    const answer = await post(CONVERSATION, { source: BIODIVERSITY }, 'api-denied');
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ error: 'InternalError', message: expect.stringMatching(/retrying the same request is safe/), request_id: 'test-request' });
    expect(JSON.stringify(answer.body)).not.toMatch(/authorized/);
    const retry = await post(CONVERSATION, { source: BIODIVERSITY }, 'api-denied');
    expect(retry.status).toBe(202);
    expect(retry.body.replayed).toBe(false);
    expect(sfn.starts().map((start) => start.name)).toEqual(['api-denied', 'api-denied']);
    expect(sfn.executions.has('api-denied')).toBe(true);
  });
});

describe('reading jobs', () => {
  let completed: string;
  let newer: string;
  let failed: string;

  beforeAll(async () => {
    configure();
    completed = String((await post('api-read', { source: BIODIVERSITY }, 'api-read-1')).body.job_id);
    await runStarted('api-read-1');
    newer = String((await post('api-read', { source: BIODIVERSITY, options: { max_layers: 2 } }, 'api-read-2')).body.job_id);
    await runStarted('api-read-2');
    const broken = mkdtempSync(path.join(tmpdir(), 'delphi-api-broken-'));
    writeFileSync(path.join(broken, 'comments.csv'), 'comment-id,author-id,moderated\n1,2,1\n');
    failed = String((await post('api-read', { source: broken }, 'api-read-failed')).body.job_id);
    await runStarted('api-read-failed');
  }, 120_000);

  beforeEach(() => configure());

  const getJobEvent = (jobId: string) => apiEvent('getJob', { pathParameters: { job_id: jobId } });

  it('GET /jobs/{job_id}: COMPLETED with timings per step and the rows of every table', async () => {
    const answer = await call<Record<string, any>>(getJob, getJobEvent(completed));
    expect(answer.status).toBe(200);
    const body = answer.body;
    expect(body).toMatchObject({ job_id: completed, conversation_id: 'api-read', status: 'COMPLETED', execution_name: 'api-read-1', status_url: `${BASE}/jobs/${completed}` });
    expect(body.steps.map((s: { step: string }) => s.step)).toEqual(['Embed', 'ProjectUmap', 'Cluster', 'ExtractKeywords', 'ComputeFeatures', 'NameTopics']);
    for (const step of body.steps) {
      expect(step.status).toBe('COMPLETED');
      expect(step.duration_ms).toBeGreaterThanOrEqual(0);
      expect(body.step_timings_ms[step.step]).toBe(step.duration_ms);
    }
    expect(body.counts.Delphi_CommentEmbeddings).toBe(154);
    expect(body.counts.Delphi_CommentClustersStructureKeywords).toBe(await harness.repository.countByJob('keywords', completed));
    expect(body.duration_ms).toBe(Date.parse(body.completed_at) - Date.parse(body.started_at));
    expect(body.error).toBeUndefined();
  });

  it('GET /jobs/{job_id}: FAILED with the failed step and its cause', async () => {
    const answer = await call<Record<string, any>>(getJob, getJobEvent(failed));
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('FAILED');
    expect(answer.body.error).toEqual({ step: 'Embed', type: 'InvalidInputError', cause: expect.stringMatching(/comments.csv is missing column\(s\) comment-body/) });
    expect(answer.body.steps).toEqual([expect.objectContaining({ step: 'Embed', status: 'FAILED' })]);
    // No MarkCompleted: the rows are counted live.
    expect(answer.body.counts.Delphi_CommentEmbeddings).toBe(0);
  });

  it('GET /jobs/{job_id}: RUNNING from the execution before MarkRunning has written the job', async () => {
    const started = await post('api-read', { source: BIODIVERSITY }, 'api-read-starting');
    const answer = await call<Record<string, any>>(getJob, getJobEvent(String(started.body.job_id)));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'RUNNING', execution_status: 'RUNNING', current_step: 'MarkRunning', conversation_id: 'api-read', steps: [], counts: {} });
  });

  it('GET /jobs/{job_id}: FAILED when the execution was aborted while the job record still says RUNNING', async () => {
    await post('api-read', { source: BIODIVERSITY }, 'api-read-aborted');
    const execution = sfn.executions.get('api-read-aborted')!;
    await harness.repository.putJob({
      job_id: 'pipeline_run_api-read-aborted', conversation_id: 'api-read', status: 'RUNNING', current_step: 'ProjectUmap',
      created_at: new Date().toISOString(), started_at: new Date().toISOString(),
      execution_name: 'api-read-aborted', execution_arn: execution.executionArn, steps: {},
    });
    execution.status = 'ABORTED';
    const answer = await call<Record<string, any>>(getJob, getJobEvent('pipeline_run_api-read-aborted'));
    expect(answer.body).toMatchObject({ status: 'FAILED', execution_status: 'ABORTED', error: { step: 'ProjectUmap', type: 'ExecutionAborted', cause: expect.stringMatching(/ended ABORTED/) } });
  });

  it('GET /jobs/{job_id}: 404 for an unknown job, 400 for a malformed job_id', async () => {
    const unknown = await call(getJob, getJobEvent('pipeline_run_never-started'));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'JobNotFound', field: 'job_id' });
    const malformed = await call(getJob, getJobEvent('no/slashes'));
    expect(malformed.status).toBe(400);
    expect(malformed.body.field).toBe('job_id');
  });

  it('GET /jobs/{job_id}/topics?layer=N: the clusters of that layer, with names, keywords, sizes, representatives and hierarchy', async () => {
    const [names, keywords, features] = await Promise.all([
      harness.repository.queryByJob('topicNames', completed),
      harness.repository.queryByJob('keywords', completed),
      harness.repository.queryByJob('features', completed),
    ]);
    const layerCount = new Set(keywords.map((row) => row.layer_id)).size;
    expect(layerCount).toBeGreaterThanOrEqual(2);
    const fine = await call<Record<string, any>>(getJobTopics, apiEvent('getJobTopics', { pathParameters: { job_id: completed }, query: { layer: '0' } }));
    expect(fine.status).toBe(200);
    expect(fine.body.layers).toHaveLength(1);
    const topics = fine.body.layers[0].topics as Array<Record<string, any>>;
    expect(topics).toHaveLength(keywords.filter((row) => row.layer_id === 0).length);
    for (const topic of topics) {
      const name = names.find((row) => row.cluster_key === topic.cluster_key)!;
      const keywordRow = keywords.find((row) => row.cluster_key === topic.cluster_key)!;
      const feature = features.find((row) => row.cluster_key === topic.cluster_key)!;
      expect(topic.name).toBe(name.topic_name);
      expect(topic.name_provider).toBe('keywords');
      expect(topic.keywords).toEqual(keywordRow.keywords);
      expect(topic.size).toBe(keywordRow.size);
      expect(topic.representative_comments.map((c: { text: string }) => c.text)).toEqual(feature.sample_comments);
      expect(topic.representative_comments.map((c: { comment_id: number }) => c.comment_id)).toEqual(feature.sample_comment_ids);
      expect(topic.parent_cluster).toMatch(/^layer1_\d+$/);
    }
    // Largest first; and every fine cluster is listed as a child of its parent.
    expect(topics.map((t) => t.size)).toEqual([...topics.map((t) => t.size)].sort((a, b) => b - a));
    const coarse = await call<Record<string, any>>(getJobTopics, apiEvent('getJobTopics', { pathParameters: { job_id: completed }, query: { layer: '1' } }));
    const children = new Map<string, string[]>(coarse.body.layers[0].topics.map((t: Record<string, any>) => [t.cluster_key, t.child_clusters]));
    for (const topic of topics) expect(children.get(topic.parent_cluster)).toContain(topic.cluster_key);
    const all = await call<Record<string, any>>(getJobTopics, apiEvent('getJobTopics', { pathParameters: { job_id: completed }, query: null }));
    expect(all.body.layers.map((l: { layer_id: number }) => l.layer_id)).toEqual([...Array(layerCount).keys()]);
  });

  it('GET /jobs/{job_id}/topics: 400 for a bad or missing layer, 409 for a job that did not complete', async () => {
    const bad = await call(getJobTopics, apiEvent('getJobTopics', { pathParameters: { job_id: completed }, query: { layer: 'coarse' } }));
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('layer');
    const missing = await call(getJobTopics, apiEvent('getJobTopics', { pathParameters: { job_id: completed }, query: { layer: '4' } }));
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ field: 'layer', message: expect.stringMatching(/there is no layer 4/) });
    const notDone = await call(getJobTopics, apiEvent('getJobTopics', { pathParameters: { job_id: failed }, query: null }));
    expect(notDone.status).toBe(409);
    expect(notDone.body).toMatchObject({ error: 'JobNotCompleted', status: 'FAILED' });
  });

  it("GET /conversations/{conversation_id}/jobs: the conversation's jobs newest first, a page at a time", async () => {
    const listed: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const answer: { status: number; body: Record<string, any> } = await call(
        listConversationJobs,
        apiEvent('listConversationJobs', { pathParameters: { conversation_id: 'api-read' }, query: next ? { limit: '2', next } : { limit: '2' } }),
      );
      expect(answer.status).toBe(200);
      expect(answer.body.jobs.length).toBeLessThanOrEqual(2);
      listed.push(...answer.body.jobs.map((job: { job_id: string }) => job.job_id));
      next = answer.body.next;
      if (next) expect(answer.body.next_url).toBe(`${BASE}/conversations/api-read/jobs?limit=2&next=${next}`);
      pages++;
    } while (next && pages < 10);
    const { items } = await harness.repository.queryByConversation('config', 'api-read');
    const byAge = [...items].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at))).map((job) => String(job.job_id));
    expect(listed).toEqual(byAge);
    expect(listed.indexOf(failed)).toBeLessThan(listed.indexOf(newer));
    expect(listed.indexOf(newer)).toBeLessThan(listed.indexOf(completed));
    expect(pages).toBeGreaterThanOrEqual(2);
  });

  it('GET /conversations/{conversation_id}/jobs: 400 for a bad limit or a cursor of another conversation', async () => {
    const limit = await call(listConversationJobs, apiEvent('listConversationJobs', { pathParameters: { conversation_id: 'api-read' }, query: { limit: '0' } }));
    expect(limit.body).toMatchObject({ error: 'BadRequest', field: 'limit' });
    const page = await call<Record<string, any>>(listConversationJobs, apiEvent('listConversationJobs', { pathParameters: { conversation_id: 'api-read' }, query: { limit: '1' } }));
    const foreign = await call(listConversationJobs, apiEvent('listConversationJobs', { pathParameters: { conversation_id: CONVERSATION }, query: { next: page.body.next } }));
    expect(foreign.status).toBe(400);
    expect(foreign.body.field).toBe('next');
    const garbage = await call(listConversationJobs, apiEvent('listConversationJobs', { pathParameters: { conversation_id: 'api-read' }, query: { next: 'not-a-cursor' } }));
    expect(garbage.body.field).toBe('next');
  });

  it('GET /conversations/{conversation_id}/topics: the topics of the newest COMPLETED job, not of a newer failed one', async () => {
    const answer = await call<Record<string, any>>(getConversationTopics, apiEvent('getConversationTopics', { pathParameters: { conversation_id: 'api-read' }, query: null }));
    expect(answer.status).toBe(200);
    expect(answer.body.job_id).toBe(newer); // api-read-failed is newer still, but FAILED
    const direct = await call<Record<string, any>>(getJobTopics, apiEvent('getJobTopics', { pathParameters: { job_id: newer }, query: null }));
    expect(answer.body.layers).toEqual(direct.body.layers);
    const none = await call(getConversationTopics, apiEvent('getConversationTopics', { pathParameters: { conversation_id: 'never-ran' }, query: null }));
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ error: 'NoCompletedJob', field: 'conversation_id' });
  });
});
