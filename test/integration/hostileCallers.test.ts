/**
 * What a hostile caller of `delphi serve` (and so of the deployed API, whose handlers it runs) must
 * not be able to do: send comment text to an endpoint the deployment did not configure, reach the
 * server from another origin or through a rebound DNS name, or take over another job's job_id.
 */
import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setApiDependencies } from '../../shared/api/dependencies';
import { StepFunctionsExecutions } from '../../shared/api/executions';
import { LOCAL_STATE_MACHINE_ARN } from '../../shared/local/localExecutions';
import { createStepFunctionsClient } from '../../shared/aws/apiClients';
import { setDependencies } from '../../shared/dependencies';
import { startLocalDatabase, type LocalDatabase } from '../../shared/local/dynaliteServer';
import { startLocalApi, type LocalApi } from '../../shared/local/server';
import { resetEnvironment } from '../../shared/config';
import { markRunning } from '../../shared/steps/jobLifecycle';
import { openAiResponder, startFakeServer, type FakeServer } from '../support/providerServers';
import { dumpJob, BIODIVERSITY } from './support/harness';

let db: LocalDatabase;
let api: LocalApi;
/** The listener a hostile caller points the providers at: it must receive nothing. */
let listener: FakeServer;
/** A provider server this deployment did configure (DELPHI_ALLOWED_EMBEDDING_URLS). */
let configured: FakeServer;
let sfn: StepFunctionsExecutions;
const saved = { ...process.env };

beforeAll(async () => {
  listener = await startFakeServer(openAiResponder(() => 'stolen'));
  configured = await startFakeServer(openAiResponder((prompt) => `Topic ${prompt.length % 97}`));
  process.env.DELPHI_ALLOWED_EMBEDDING_URLS = `${configured.url}/v1`;
  process.env.DELPHI_ALLOWED_EMBEDDING_MODELS = 'all-minilm';
  resetEnvironment();
  db = await startLocalDatabase();
  api = await startLocalApi({ repository: db.repository, port: 0 });
  sfn = new StepFunctionsExecutions({ client: createStepFunctionsClient(api.url), stateMachineArn: LOCAL_STATE_MACHINE_ARN });
});

afterAll(async () => {
  await api?.close();
  await api?.executions.settle();
  setApiDependencies(undefined);
  setDependencies(undefined);
  await db?.close();
  await listener?.close();
  await configured?.close();
  process.env = saved;
  resetEnvironment();
});

/** A raw HTTP request, so that Host and Origin can be anything (fetch will not send a chosen Host). */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: api.port, method, path, headers, setHost: false }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const here = () => ({ Host: `127.0.0.1:${api.port}` });
const post = (conversation: string, body: unknown, headers: Record<string, string> = {}) =>
  raw('POST', `/conversations/${conversation}/jobs`, { ...here(), 'Content-Type': 'application/json', ...headers }, JSON.stringify(body));

describe('provider endpoints an API caller names', () => {
  const target = () => new URL(listener.url);
  const ssrf = () => [
    ['loopback (the listener itself)', { embedder: 'openai', embedding_url: `${listener.url}/secret?x=` }],
    ['loopback by name', { embedder: 'openai', embedding_url: `http://localhost:${target().port}/v1` }],
    ['IPv6 loopback', { embedder: 'openai', embedding_url: `http://[::1]:${target().port}/v1` }],
    ['IPv4-mapped loopback', { embedder: 'openai', embedding_url: `http://[::ffff:127.0.0.1]:${target().port}/v1` }],
    ['decimal loopback', { embedder: 'openai', embedding_url: `http://2130706433:${target().port}/v1` }],
    ['instance metadata (link-local)', { embedder: 'openai', embedding_url: 'http://169.254.169.254/latest/meta-data' }],
    ['IPv6 link-local', { embedder: 'openai', embedding_url: 'http://[fe80::1]/v1' }],
    ['private 10/8', { embedder: 'openai', embedding_url: 'http://10.0.0.5/v1' }],
    ['private 172.16/12', { embedder: 'openai', embedding_url: 'http://172.16.4.2:8080/v1' }],
    ['private 192.168/16', { embedder: 'openai', embedding_url: 'http://192.168.1.10/v1' }],
    ['IPv6 unique-local', { embedder: 'openai', embedding_url: 'http://[fd00::5]/v1' }],
    ['a public host not allowed', { embedder: 'openai', embedding_url: 'https://collector.example.com/v1' }],
    ['the namer at the listener', { topic_namer: 'openai', namer_url: `${listener.url}/v1` }],
    ['the anthropic namer at the metadata service', { topic_namer: 'anthropic', namer_url: 'http://169.254.169.254' }],
    ['a configured host with another path', { embedder: 'openai', embedding_url: `${configured.url}/other` }],
  ] as const;

  it('refuses every attempt with 400 naming the option, and the listener receives nothing', async () => {
    const answers = [];
    for (const [what, options] of ssrf()) {
      const answer = await post('ssrf', { source: BIODIVERSITY, options });
      answers.push({ what, status: answer.status, field: answer.body.field });
      const field = Object.keys(options).find((key) => key.endsWith('_url'));
      expect(answer.body.message, what).toMatch(/is not an endpoint this deployment allows/);
      expect(answer.body.field, what).toBe(`options.${field}`);
    }
    expect(answers.filter((answer) => answer.status === 400)).toHaveLength(ssrf().length);
    await api.executions.settle();
    expect(listener.requests).toEqual([]);
    expect((await db.repository.queryByConversation('config', 'ssrf')).items).toEqual([]);
  });

  it('refuses the same attempts through the Step Functions door of delphi serve', async () => {
    for (const [what, options] of ssrf()) {
      await expect(sfn.start(`ssrf-sfn-${ssrf().findIndex(([w]) => w === what)}`, { conversation_id: 'ssrf', source: BIODIVERSITY, options, request_hash: 'x' }), what).rejects.toThrow(
        /is not an endpoint this deployment allows/,
      );
    }
    await api.executions.settle();
    expect(listener.requests).toEqual([]);
    expect(await api.executions.describe('ssrf-sfn-0')).toBeUndefined();
  });

  it('refuses models and sizes beyond what the deployment allows', async () => {
    const cases = [
      [{ embedder: 'openai', embedding_url: `${configured.url}/v1`, embedding_model: 'text-embedding-3-large' }, 'options.embedding_model'],
      [{ embedder: 'bedrock', embedding_model: 'cohere.embed-multilingual-v3' }, 'options.embedding_model'],
      [{ topic_namer: 'bedrock', namer_model: 'anthropic.claude-opus-4-1-20250805-v1:0' }, 'options.namer_model'],
      [{ embedder: 'lsa', embedding_dimensions: 4096 }, 'options.embedding_dimensions'],
      [{ n_neighbors: 200 }, 'options.n_neighbors'],
      [{ embedder: 'openai', embedding_url: `${configured.url}/v1`, embedding_concurrency: 64 }, 'options.embedding_concurrency'],
    ] as const;
    for (const [options, field] of cases) {
      const answer = await post('caps', { source: BIODIVERSITY, options });
      expect(answer.status, field).toBe(400);
      expect(answer.body.field).toBe(field);
    }
    expect(configured.requests).toEqual([]);
  });

  it('lets a caller pick an endpoint and model the deployment configured, which then serves the job', async () => {
    const options = { embedder: 'openai', embedding_url: `${configured.url}/v1/`, embedding_model: 'all-minilm', max_layers: 2 };
    const answer = await post('allowed', { source: BIODIVERSITY, options }, { 'Idempotency-Key': 'allowed-endpoint' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    await api.executions.wait('allowed-endpoint');
    expect((await db.repository.getJob('pipeline_run_allowed-endpoint'))?.status).toBe('COMPLETED');
    expect(configured.requests.filter((request) => request.path === '/v1/embeddings').length).toBeGreaterThan(0);
    expect(listener.requests).toEqual([]);
  });
});

describe('requests that do not come from this machine’s own client', () => {
  const body = JSON.stringify({ source: BIODIVERSITY });

  it('refuses a Host that is not a loopback name with this port (DNS rebinding)', async () => {
    for (const host of ['evil.example.com', `evil.example.com:${0}`, '127.0.0.1:1', `127.0.0.2:${0}`]) {
      const answer = await raw('POST', '/conversations/host/jobs', { Host: host.replace(':0', `:${api.port}`), 'Content-Type': 'application/json' }, body);
      expect(answer.status, host).toBe(421);
    }
    const read = await raw('GET', '/jobs/pipeline_run_allowed-endpoint', { Host: `evil.example.com:${api.port}` });
    expect(read.status).toBe(421);
    expect(JSON.stringify(read.body)).not.toContain('pipeline_run_allowed-endpoint');
    for (const host of [`localhost:${api.port}`, `127.0.0.1:${api.port}`]) {
      expect((await raw('GET', '/jobs/pipeline_run_allowed-endpoint', { Host: host })).status, host).toBe(200);
    }
  });

  it('refuses a cross-origin request, even a "simple" text/plain one a page may send without asking', async () => {
    const simple = await raw('POST', '/conversations/origin/jobs', { ...here(), Origin: 'http://evil.example.com', 'Content-Type': 'text/plain' }, body);
    expect(simple.status).toBe(403);
    const json = await raw('POST', '/conversations/origin/jobs', { ...here(), Origin: 'http://evil.example.com', 'Content-Type': 'application/json' }, body);
    expect(json.status).toBe(403);
    expect((await raw('GET', '/jobs/pipeline_run_allowed-endpoint', { ...here(), Origin: 'null' })).status).toBe(403);
    const sameOrigin = await raw('GET', '/jobs/pipeline_run_allowed-endpoint', { ...here(), Origin: `http://127.0.0.1:${api.port}` });
    expect(sameOrigin.status).toBe(200);
    expect((await db.repository.queryByConversation('config', 'origin')).items).toEqual([]);
  });

  it('refuses a write whose body is not declared JSON', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const answer = await raw('POST', '/conversations/ctype/jobs', { ...here(), 'Content-Type': type }, body);
      expect(answer.status, type).toBe(415);
    }
    expect((await raw('POST', '/conversations/ctype/jobs', here(), body)).status).toBe(415);
    await api.executions.settle();
    expect((await db.repository.queryByConversation('config', 'ctype')).items).toEqual([]);
  });
});

describe('a caller-chosen job_id', () => {
  it('cannot take over a COMPLETED job: refused, its record and rows unchanged', async () => {
    const owner = await sfn.start('owner', { conversation_id: 'owned', source: BIODIVERSITY, options: { max_layers: 2 }, request_hash: 'a' } as never);
    expect(owner.executionArn).toMatch(/:owner$/);
    await api.executions.wait('owner');
    const before = await dumpJob(db.repository, 'pipeline_run_owner');
    const record = await db.repository.getJob('pipeline_run_owner');
    expect(record?.status).toBe('COMPLETED');
    expect(before.topicNames.length).toBeGreaterThan(0);

    // Same job_id and conversation, another export's options: through the Step Functions door.
    const intruder = { conversation_id: 'owned', job_id: 'pipeline_run_owner', source: BIODIVERSITY, options: { max_layers: 3, seed: 7 } };
    await sfn.start('intruder', intruder as never);
    await api.executions.wait('intruder');
    const outcome = await api.executions.describe('intruder');
    expect(outcome?.status).toBe('FAILED');
    expect(outcome?.cause).toMatch(/job_id pipeline_run_owner already belongs to a job started by another execution \(owner\)/);
    expect(await dumpJob(db.repository, 'pipeline_run_owner')).toEqual(before);
    expect(await db.repository.getJob('pipeline_run_owner')).toEqual(record);
  });

  it('is refused at MarkRunning for any other execution, while a retry of the same execution rewrites its own record', async () => {
    const input = { conversation_id: 'owned-direct', job_id: 'nightly-1', source: BIODIVERSITY };
    const first = { input, execution_name: 'nightly-run', execution_arn: 'arn:aws:states:local:000000000000:execution:DelphiPipeline:nightly-run' };
    await markRunning(first, db.repository, new Date('2026-12-01T00:00:00Z'));
    // A retried (or redriven) MarkRunning of the same execution.
    await markRunning(first, db.repository, new Date('2026-12-01T00:01:00Z'));
    const record = await db.repository.getJob('nightly-1');
    expect(record).toMatchObject({ execution_name: 'nightly-run', created_at: '2026-12-01T00:00:00.000Z', started_at: '2026-12-01T00:01:00.000Z' });
    // Another execution, even one reusing the name after Step Functions' 90 days (another ARN).
    for (const other of [
      { ...first, execution_name: 'other-run', execution_arn: first.execution_arn.replace('nightly-run', 'other-run') },
      { ...first, execution_arn: `${first.execution_arn}-reused` },
      { input, execution_name: 'console-run' },
    ]) {
      await expect(markRunning(other, db.repository)).rejects.toThrow(/already belongs to a job started by another execution/);
    }
    expect(await db.repository.getJob('nightly-1')).toEqual(record);
  });
});
