/**
 * `delphi serve` end to end, over real HTTP on 127.0.0.1: POST a job, poll it to COMPLETED, read its
 * topics — the same handlers as in AWS, executions run by the local runner, results in dynalite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepFunctionsExecutions } from '../../shared/api/executions';
import { LOCAL_STATE_MACHINE_ARN } from '../../shared/local/localExecutions';
import { setApiDependencies } from '../../shared/api/dependencies';
import { createStepFunctionsClient } from '../../shared/aws/apiClients';
import { setDependencies } from '../../shared/dependencies';
import { startLocalDatabase, type LocalDatabase } from '../../shared/local/dynaliteServer';
import { startLocalApi, type LocalApi } from '../../shared/local/server';
import { BIODIVERSITY } from './support/harness';

let db: LocalDatabase;
let api: LocalApi;
const requests: string[] = [];

beforeAll(async () => {
  db = await startLocalDatabase();
  api = await startLocalApi({ repository: db.repository, port: 0, log: (line) => requests.push(line) });
});

afterAll(async () => {
  await api?.close();
  await api?.executions.settle();
  setApiDependencies(undefined);
  setDependencies(undefined);
  await db?.close();
});

async function http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

async function pollUntilDone(statusUrl: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  const seen = new Set<string>();
  for (;;) {
    const response = await fetch(statusUrl);
    const body = (await response.json()) as Record<string, any>;
    expect(response.status).toBe(200);
    seen.add(body.status);
    if (body.status !== 'RUNNING') return { body, seen };
    if (Date.now() > deadline) throw new Error(`job still RUNNING after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('delphi serve', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('starts a job over HTTP, reports it to COMPLETED and serves its topics from the local DynamoDB', async () => {
    const started = await http('POST', '/conversations/serve-bio/jobs', { source: BIODIVERSITY }, { 'Idempotency-Key': 'serve-e2e' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ job_id: 'pipeline_run_serve-e2e', execution_name: 'serve-e2e', replayed: false });
    expect(started.body.status_url).toBe(`${api.url}/jobs/pipeline_run_serve-e2e`);
    expect(started.headers.get('location')).toBe(started.body.status_url);

    const { body: done, seen } = await pollUntilDone(started.body.status_url);
    expect(seen.has('RUNNING')).toBe(true);
    expect(done.status).toBe('COMPLETED');
    expect(done.steps.map((step: { step: string }) => step.step)).toEqual(['Embed', 'ProjectUmap', 'Cluster', 'ExtractKeywords', 'ComputeFeatures', 'NameTopics']);
    expect(done.counts.Delphi_CommentEmbeddings).toBe(154);

    const topics = await http('GET', started.body.topics_url.slice(api.url.length));
    expect(topics.status).toBe(200);
    const stored = await db.repository.queryByJob('topicNames', 'pipeline_run_serve-e2e');
    const served = topics.body.layers.flatMap((layer: { topics: Array<{ cluster_key: string; name: string }> }) => layer.topics);
    expect(served.length).toBe(stored.length);
    expect(Object.fromEntries(served.map((t: { cluster_key: string; name: string }) => [t.cluster_key, t.name]))).toEqual(
      Object.fromEntries(stored.map((row) => [row.cluster_key, row.topic_name])),
    );
    const job = await db.repository.getJob('pipeline_run_serve-e2e');
    expect(job).toMatchObject({ status: 'COMPLETED', conversation_id: 'serve-bio', source: BIODIVERSITY });

    const byConversation = await http('GET', '/conversations/serve-bio/topics?layer=0');
    expect(byConversation.body.job_id).toBe('pipeline_run_serve-e2e');
    expect(byConversation.body.layers.map((layer: { layer_id: number }) => layer.layer_id)).toEqual([0]);
    const jobs = await http('GET', '/conversations/serve-bio/jobs');
    expect(jobs.body.jobs.map((j: { job_id: string }) => j.job_id)).toEqual(['pipeline_run_serve-e2e']);
  });

  it('answers a retried POST with the same job and a changed one with 409, over HTTP', async () => {
    const again = await http('POST', '/conversations/serve-bio/jobs', { source: BIODIVERSITY }, { 'Idempotency-Key': 'serve-e2e' });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ job_id: 'pipeline_run_serve-e2e', replayed: true });
    const changed = await http('POST', '/conversations/serve-bio/jobs', { source: BIODIVERSITY, options: { seed: 1 } }, { 'Idempotency-Key': 'serve-e2e' });
    expect(changed.status).toBe(409);
    expect(changed.body.field).toBe('Idempotency-Key');
    expect(api.executions.running).toBe(0);
  });

  it('keeps an Idempotency-Key across restarts of the server (the job record remembers the request)', async () => {
    await api.close();
    api = await startLocalApi({ repository: db.repository, port: 0, log: (line) => requests.push(line) });
    const again = await http('POST', '/conversations/serve-bio/jobs', { source: BIODIVERSITY }, { 'Idempotency-Key': 'serve-e2e' });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ job_id: 'pipeline_run_serve-e2e', replayed: true });
    const changed = await http('POST', '/conversations/serve-bio/jobs', { source: BIODIVERSITY, options: { seed: 1 } }, { 'Idempotency-Key': 'serve-e2e' });
    expect(changed.status).toBe(409);
    expect(api.executions.running).toBe(0);
  });

  it('answers bad requests with 400 naming the field, unknown jobs and routes with 404, other methods with 405', async () => {
    const bad = await http('POST', '/conversations/serve-bio/jobs', { source: '/no/such/folder' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'BadRequest', field: 'source' });
    expect((await http('GET', '/jobs/pipeline_run_nothing')).status).toBe(404);
    const route = await http('GET', '/nowhere');
    expect(route.status).toBe(404);
    expect(route.body.error).toBe('NotFound');
    const method = await fetch(`${api.url}/jobs/x`, { method: 'DELETE' });
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toBe('GET');
  });

  it('answers the Step Functions API the Lambda uses, so the deployed starter works against it', async () => {
    const executions = new StepFunctionsExecutions({ client: createStepFunctionsClient(api.url), stateMachineArn: LOCAL_STATE_MACHINE_ARN });
    const started = await executions.start('serve-sfn', {
      conversation_id: 'serve-sfn',
      source: BIODIVERSITY,
      options: { max_layers: 2 },
      request_hash: 'sha256:test',
    });
    expect(started.executionArn).toBe('arn:aws:states:local:000000000000:execution:DelphiPipeline:serve-sfn');
    await expect(executions.start('serve-sfn', { conversation_id: 'x', source: BIODIVERSITY, options: {}, request_hash: 'sha256:other' })).rejects.toThrow(
      /already exists/,
    );
    await api.executions.wait('serve-sfn');
    const described = await executions.describe('serve-sfn');
    expect(described).toMatchObject({ name: 'serve-sfn', status: 'SUCCEEDED', input: { request_hash: 'sha256:test', conversation_id: 'serve-sfn' } });
    expect(await executions.describe('never-started')).toBeUndefined();
    expect((await db.repository.getJob('pipeline_run_serve-sfn'))?.status).toBe('COMPLETED');
  });

  it('logs one line per request', () => {
    expect(requests.some((line) => /^POST \/conversations\/serve-bio\/jobs → 202 \(\d+ ms\)$/.test(line))).toBe(true);
    expect(requests.some((line) => /^execution serve-e2e SUCCEEDED$/.test(line))).toBe(true);
  });
});
