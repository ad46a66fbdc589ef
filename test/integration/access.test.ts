/**
 * Least privilege, checked against behaviour: every function runs (the pipeline through the real
 * state machine, the API handlers through their events) with clients that record each AWS call, and
 * what each function was seen to do must equal what shared/deploy/access.ts grants it — no call it
 * is not granted, no grant it does not use. Three runs cover every Task: a small job, a failing one,
 * and a large one with API providers that fans out. (The providers' Bedrock/SSM/Secrets Manager grants
 * are the one part not observed here: the loopback OpenAI-compatible server needs no AWS call.)
 */
import { resetEnvironment } from '../../shared/config';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as getConversationTopics } from '../../functions/api/getConversationTopics';
import { handler as getJob } from '../../functions/api/getJob';
import { handler as getJobChanges } from '../../functions/api/getJobChanges';
import { handler as getJobTopics } from '../../functions/api/getJobTopics';
import { handler as listConversationJobs } from '../../functions/api/listConversationJobs';
import { handler as startJob } from '../../functions/api/startJob';
import { apiDependencies, setApiDependencies } from '../../shared/api/dependencies';
import { StepFunctionsExecutions } from '../../shared/api/executions';
import { createDocumentClient } from '../../shared/aws/clients';
import { FUNCTION_ACCESS, FUNCTION_NAMES, type FunctionAccess } from '../../shared/deploy/access';
import { setDependencies } from '../../shared/dependencies';
import { TASK_HANDLERS } from '../../shared/local/runner';
import { Repository } from '../../shared/repository';
import { TABLE_IDS, tableName, type TableId } from '../../shared/schema';
import { openAiResponder, startFakeServer } from '../support/providerServers';
import { apiEvent, call, fakeStepFunctions } from './support/api';
import { BIODIVERSITY, startHarness, type Harness } from './support/harness';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:DelphiPipeline-test';
const UPLOADS = 'delphi-uploads-test';

const observed = new Map<string, Set<string>>();
let current = '';
const see = (what: string) => observed.get(current)!.add(what);

const tableIdByName = new Map(TABLE_IDS.map((id) => [tableName(id), id]));

/** A repository whose every DynamoDB call is recorded as `dynamodb:<Action> <table>[/index]` for `current`. */
function recordingRepository(endpoint: string): Repository {
  const client = createDocumentClient(endpoint);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; IndexName?: string; RequestItems?: Record<string, unknown> };
      const action = String(context.commandName).replace(/Command$/, '');
      for (const name of input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {})) {
        see(`dynamodb:${action} ${tableIdByName.get(name)}${input.IndexName ? '/index' : ''}`);
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordAccess' },
  );
  return new Repository({ client, backoffBaseMs: 5 });
}

/** The same strings, from the declaration. */
function declared(access: FunctionAccess): Set<string> {
  const grants = new Set<string>();
  for (const [table, actions] of Object.entries(access.tables ?? {}) as Array<[TableId, readonly string[]]>) {
    for (const action of actions) grants.add(`dynamodb:${action} ${table}`);
  }
  for (const table of access.conversationIndex ?? []) grants.add(`dynamodb:Query ${table}/index`);
  for (const action of access.pipeline ?? []) grants.add(`states:${action}`);
  if (access.readsUploads) grants.add('s3:GetObject uploads');
  return grants;
}

const sfn = fakeStepFunctions(STATE_MACHINE_ARN, { onCall: (operation) => see(`states:${operation}`) });
const s3 = mockClient(S3Client);
let harness: Harness;
let repository: Repository;

function as(fn: string) {
  current = fn;
  if (!observed.has(fn)) observed.set(fn, new Set());
}

beforeAll(async () => {
  harness = await startHarness();
  repository = recordingRepository(harness.db.endpoint);
  setDependencies({ repository });
  // The export lives in the uploads bucket: Embed reads it with GetObject, startJob checks it with HeadObject.
  s3.on(GetObjectCommand).callsFake(async ({ Bucket, Key }: { Bucket: string; Key: string }) => {
    see(`s3:GetObject ${Bucket === UPLOADS ? 'uploads' : Bucket}`);
    const bytes = Key.startsWith('exports/bio/') ? await readFile(path.join(BIODIVERSITY, path.basename(Key))).catch(() => undefined) : undefined;
    if (!bytes) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    return { Body: { transformToByteArray: async () => new Uint8Array(bytes) } };
  });
  s3.on(HeadObjectCommand).callsFake(({ Bucket }: { Bucket: string }) => {
    see(`s3:GetObject ${Bucket === UPLOADS ? 'uploads' : Bucket}`); // HeadObject is authorised by s3:GetObject
    return {};
  });
}, 60_000);

afterAll(async () => {
  setApiDependencies(undefined);
  vi.unstubAllEnvs();
  resetEnvironment();
  sfn.mock.restore();
  s3.restore();
  await harness?.close();
});

describe('each function touches exactly what shared/deploy/access.ts grants it', () => {
  beforeAll(async () => {
    // The Tasks, through the real state machine; each handler runs as its own function.
    const handlers = Object.fromEntries(
      Object.entries(TASK_HANDLERS).map(([state, handler]) => [
        state,
        async (event: unknown) => {
          as(state.charAt(0).toLowerCase() + state.slice(1));
          return handler(event as never, {} as never);
        },
      ]),
    );
    const ok = await harness.pipeline.run({ conversation_id: 'access', source: `s3://${UPLOADS}/exports/bio` }, { executionName: 'access-ok', handlers });
    expect(ok.status, `${ok.error}: ${ok.cause}`).toBe('SUCCEEDED');
    const failed = await harness.pipeline.run({ conversation_id: 'access', source: `s3://${UPLOADS}/missing` }, { executionName: 'access-failed', handlers });
    expect(failed.status).toBe('FAILED');
    // A large job with API providers fans out (EmbedBatches, FinishEmbedding, NameLayers): run one
    // against a loopback OpenAI-compatible server, with a stale row of an earlier run for FinishEmbedding to delete.
    const server = await startFakeServer(openAiResponder((prompt) => `Topic ${prompt.length % 97}`));
    try {
      await harness.repository.writeJobRows('embeddings', 'pipeline_run_access-fanout', [
        {
          job_id: 'pipeline_run_access-fanout', conversation_id: 'access', comment_id: 999_999, comment_text: 'stale',
          embedding: new Uint8Array(8), dimensions: 2, model: 'all-minilm', provider: 'openai',
        },
      ]);
      const options = {
        embedder: 'openai', embedding_url: `${server.url}/v1`, embedding_model: 'all-minilm',
        topic_namer: 'openai', namer_url: `${server.url}/v1`, namer_model: 'llama3.1:8b',
        fanout_embedding_batch: 50, fanout_naming_clusters: 1,
      };
      const fanout = await harness.pipeline.run(
        // The same conversation as access-ok, so NameTopics compares the two jobs' topics.
        { conversation_id: 'access', source: `s3://${UPLOADS}/exports/bio`, options },
        { executionName: 'access-fanout', handlers },
      );
      expect(fanout.status, `${fanout.error}: ${fanout.cause}`).toBe('SUCCEEDED');
      expect(Object.keys((await harness.repository.getJob('pipeline_run_access-fanout'))!.steps as object)).toEqual(
        expect.arrayContaining(['EmbedBatches#3', 'FinishEmbedding', 'NameLayers#1']),
      );
    } finally {
      await server.close();
    }

    // The API handlers, with the clients they make in AWS (Step Functions and S3 recorded above).
    vi.stubEnv('STATE_MACHINE_ARN', STATE_MACHINE_ARN);
    vi.stubEnv('DELPHI_SOURCE_BUCKETS', UPLOADS);
    vi.stubEnv('DELPHI_ALLOW_LOCAL_SOURCES', 'false');
    resetEnvironment();
    setApiDependencies(undefined);
    expect(apiDependencies().executions).toBeInstanceOf(StepFunctionsExecutions);
    as('startJob');
    expect((await call(startJob, apiEvent('startJob', { body: { source: `s3://${UPLOADS}/exports/bio` } }))).status).toBe(202);
    expect((await call(startJob, apiEvent('startJob', { body: { source: `s3://${UPLOADS}/exports/bio`, options: { seed: 1 } } }))).status).toBe(409);
    as('getJob');
    for (const jobId of ['pipeline_run_access-ok', 'pipeline_run_access-failed', 'pipeline_run_try-api-1']) {
      expect((await call(getJob, apiEvent('getJob', { pathParameters: { job_id: jobId } }))).status).toBe(200);
    }
    as('getJobTopics');
    expect((await call(getJobTopics, apiEvent('getJobTopics', { pathParameters: { job_id: 'pipeline_run_access-ok' } }))).status).toBe(200);
    as('getJobChanges');
    expect((await call(getJobChanges, apiEvent('getJobChanges', { pathParameters: { job_id: 'pipeline_run_access-fanout' } }))).status).toBe(200);
    // The first job of the conversation has nothing earlier: found by the ConversationIdIndex.
    expect((await call(getJobChanges, apiEvent('getJobChanges', { pathParameters: { job_id: 'pipeline_run_access-ok' } }))).status).toBe(404);
    as('listConversationJobs');
    expect((await call(listConversationJobs, apiEvent('listConversationJobs', { pathParameters: { conversation_id: 'access' } }))).status).toBe(200);
    as('getConversationTopics');
    expect((await call(getConversationTopics, apiEvent('getConversationTopics', { pathParameters: { conversation_id: 'access' } }))).status).toBe(200);
  }, 120_000);

  it('ran every declared function', () => {
    expect([...observed.keys()].sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  it.each(FUNCTION_NAMES)('%s', (fn) => {
    expect([...observed.get(fn)!].sort()).toEqual([...declared(FUNCTION_ACCESS[fn])].sort());
  });
});
