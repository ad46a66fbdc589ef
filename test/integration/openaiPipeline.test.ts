/**
 * The whole state machine with the `openai` embedder and topic namer pointed at a loopback server
 * that speaks the OpenAI wire format (as Ollama's /v1 does): deterministic hashed bag-of-words
 * vectors, and labels that come back wrapped the way LLMs wrap them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanTopicLabel } from '../../shared/algorithms/topicNames';
import { setDependencies } from '../../shared/dependencies';
import type { RetryPolicy } from '../../shared/providers/http';
import { EMBEDDERS } from '../../shared/providers/settings';
import { decodeVector } from '../../shared/vectors';
import { fakeOpenAiProviders, hashedEmbedding, openAiError, openAiResponder, startFakeServer, type FakeServer, type RecordedRequest } from '../support/providerServers';
import { BIODIVERSITY, startHarness, type Harness } from './support/harness';

const CONVERSATION = 'scoop-hivemind.biodiversity';
const KEY = 'sk-local-test-7d1e0c9b';
const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, timeoutMs: 10_000 };

/** The fake chat model's raw reply: a prefix, quotes and markdown that cleaning must remove. */
function fakeReply(userPrompt: string): string {
  const keywords = /^Keywords: (.*)$/m.exec(userPrompt)?.[1].split(', ') ?? [];
  return `Topic: "**${keywords[0] === '(none)' ? 'misc' : keywords[0]} via fake chat**"`;
}

let harness: Harness;
let server: FakeServer;
/** The chat requests of the successful run, kept for the test that reads its prompts. */
let chatRequests: RecordedRequest[] = [];

/** Embeddings from hashed words; chat from fakeReply; the first chat request fails once with a 500. */
function responder() {
  const openai = openAiResponder(fakeReply);
  let chatFailed = false;
  return (request: RecordedRequest) => {
    if (request.path.endsWith('/chat/completions') && !chatFailed) {
      chatFailed = true;
      return openAiError(500, 'The server had an error while processing your request.', 'server_error');
    }
    return openai(request);
  };
}

beforeAll(async () => {
  harness = await startHarness();
  server = await startFakeServer(responder());
  setDependencies({
    repository: harness.repository,
    providers: fakeOpenAiProviders(server.url, KEY, FAST),
  });
});

afterEach(() => {
  server.requests.length = 0;
  server.setResponder(responder());
});

afterAll(async () => {
  await server?.close();
  await harness?.close();
});

const openAiOptions = () => ({
  embedder: 'openai',
  embedding_url: `${server.url}/v1`,
  embedding_model: 'all-minilm',
  embedding_batch_size: 64,
  topic_namer: 'openai',
  namer_url: `${server.url}/v1`,
  namer_model: 'llama3.1:8b',
});

describe('the pipeline with the openai providers against a loopback OpenAI-compatible server', () => {
  const JOB = 'pipeline_run_openai-providers';

  it('succeeds, the embeddings and topic names coming from the server', async () => {
    // A 429 before the first embeddings batch: retried inside the Lambda after Retry-After.
    server.queue(openAiError(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded', { 'retry-after': '0' }));
    const outcome = await harness.pipeline.run(
      { conversation_id: CONVERSATION, source: BIODIVERSITY, options: openAiOptions() },
      { executionName: 'openai-providers' },
    );
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');
    expect(outcome.events.some((event) => event.type === 'StateRetried')).toBe(false);

    // Embeddings: 154 comments in batches of at most 64, every request authorised, one retried.
    const embedRequests = server.requests.filter((request) => request.path === '/v1/embeddings');
    expect(embedRequests).toHaveLength(4);
    for (const request of embedRequests) {
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(request.json.model).toBe('all-minilm');
      expect(request.json.input.length).toBeLessThanOrEqual(64);
    }
    const rows = await harness.repository.queryByJob('embeddings', JOB);
    expect(rows).toHaveLength(154);
    const sent = new Set(embedRequests.flatMap((request) => request.json.input as string[]));
    for (const row of rows) {
      expect(row).toMatchObject({ provider: 'openai', model: 'all-minilm', dimensions: 384 });
      expect(sent.has(String(row.comment_text))).toBe(true);
      expect(Array.from(decodeVector(row.embedding as Uint8Array))).toEqual(Array.from(Float32Array.from(hashedEmbedding(String(row.comment_text)))));
    }

    // The job records the provider, model and dimensions, and the settings that ran — never the key.
    const job = await harness.repository.getJob(JOB);
    expect(job).toMatchObject({ status: 'COMPLETED', embedding_provider: 'openai', embedding_model: 'all-minilm', embedding_dimensions: 384 });
    expect(job?.parameters).toMatchObject({ embedder: 'openai', embedding_url: `${server.url}/v1`, topic_namer: 'openai', namer_model: 'llama3.1:8b' });
    expect(JSON.stringify(job)).not.toContain(KEY);
    expect(JSON.stringify(outcome.events)).not.toContain(KEY);
    chatRequests = server.requests.filter((request) => request.path === '/v1/chat/completions');
  });

  it('names every cluster from the chat server, cleaned, finest layer first with child names as context', async () => {
    const names = await harness.repository.queryByJob('topicNames', JOB);
    const clusters = await harness.repository.queryByJob('keywords', JOB);
    expect(clusters.length).toBeGreaterThan(1);
    expect(names).toHaveLength(clusters.length);
    const nameOf = new Map(names.map((row) => [String(row.cluster_key), String(row.topic_name)]));
    for (const row of names) {
      expect(row).toMatchObject({ provider: 'openai', model_name: 'llama3.1:8b' });
      const cluster = clusters.find((candidate) => candidate.cluster_key === row.cluster_key)!;
      const raw = fakeReply(`Keywords: ${(cluster.keywords as string[]).join(', ') || '(none)'}`);
      expect(row.topic_name).toBe(cleanTopicLabel(raw));
      expect(row.topic_name).not.toMatch(/Topic:|\*|"/);
    }

    // The coarser layers were asked with their children's names, which had to exist already.
    const layers = new Set(clusters.map((row) => Number(row.layer_id)));
    expect(layers.size).toBeGreaterThanOrEqual(2);
    const prompts = chatRequests.map((request) => request.json.messages[1].content as string);
    for (const cluster of clusters.filter((row) => (row.child_clusters as string[]).length > 0)) {
      // A coarse cluster can share its keywords with its only child: look for the prompt listing children.
      const candidates = prompts.filter((text) => text.startsWith(`Keywords: ${(cluster.keywords as string[]).join(', ')}\n`));
      const prompt = candidates.find((text) => (cluster.child_clusters as string[]).every((child) => text.includes(`- ${nameOf.get(child)}\n`)));
      expect(prompt, `${String(cluster.cluster_key)}: ${candidates.join('\n---\n')}`).toBeDefined();
    }
  });
});

describe('failures of the openai providers in the state machine', () => {
  it('ends the job with the retryable TransientError after Step Functions retries, writing no embeddings', async () => {
    server.setResponder(() => openAiError(503, 'Service temporarily unavailable', 'server_error'));
    const outcome = await harness.pipeline.run(
      { conversation_id: 'openai-down', source: BIODIVERSITY, options: openAiOptions() },
      { executionName: 'openai-down', retryIntervalMs: 1 },
    );
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('TransientError');
    expect(outcome.cause).toMatch(/^Embed failed: openai embeddings \(all-minilm\) batch \d\/3: openai embeddings answered HTTP 503: Service temporarily unavailable/);
    expect(outcome.cause).not.toContain(KEY);
    const retries = outcome.events.filter((event) => event.type === 'StateRetried' && event.state?.name === 'Embed').length;
    expect(retries).toBeGreaterThan(0);
    // Each Lambda attempt retried every request itself before giving up.
    expect(server.requests.length).toBeGreaterThanOrEqual((retries + 1) * FAST.maxAttempts);
    const job = await harness.repository.getJob('pipeline_run_openai-down');
    expect(job).toMatchObject({ status: 'FAILED', error: { type: 'TransientError', step: 'Embed' } });
    expect(await harness.repository.countByJob('embeddings', 'pipeline_run_openai-down')).toBe(0);
  });

  it('rejects an unknown provider in MarkRunning, before any state runs or any request is sent', async () => {
    const outcome = await harness.pipeline.run(
      { conversation_id: 'unknown-provider', source: BIODIVERSITY, options: { ...openAiOptions(), embedder: 'word2vec' } },
      { executionName: 'unknown-provider' },
    );
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('InvalidInputError');
    expect(outcome.cause).toContain(`embedder: Invalid enum value. Expected ${EMBEDDERS.map((name) => `'${name}'`).join(' | ')}, received 'word2vec'`);
    expect(outcome.events.some((event) => event.state?.name === 'Embed')).toBe(false);
    expect(server.requests).toHaveLength(0);
  });
});

describe('a large job fans out in Map states', () => {
  // Both jobs are matched with the same earlier job (docs/lineage.md), so their topic uids agree too;
  // its names are offline ones, which an LLM namer does not reuse.
  const compare_to = 'pipeline_run_fanout-base';
  const fanout = () => ({ ...openAiOptions(), fanout_embedding_batch: 40, fanout_naming_clusters: 1, compare_to });

  it('embeds in batches and names layer by layer, ending with the same rows as an unbatched job', async () => {
    const { topic_namer: _namer, namer_url: _url, namer_model: _model, ...embedding } = openAiOptions();
    const base = await harness.pipeline.run({ conversation_id: CONVERSATION, source: BIODIVERSITY, options: embedding }, { executionName: 'fanout-base' });
    expect(base.status, base.cause).toBe('SUCCEEDED');
    const inline = await harness.pipeline.run(
      { conversation_id: CONVERSATION, source: BIODIVERSITY, options: { ...openAiOptions(), compare_to } },
      { executionName: 'fanout-reference' },
    );
    expect(inline.status, inline.cause).toBe('SUCCEEDED');
    const outcome = await harness.pipeline.run(
      { conversation_id: CONVERSATION, source: BIODIVERSITY, options: fanout() },
      { executionName: 'fanout-run', retryIntervalMs: 1 },
    );
    expect(outcome.status, outcome.cause).toBe('SUCCEEDED');
    const entered = (name: string) => outcome.events.filter((e) => e.type === 'StateEntered' && e.state?.name === name).length;
    expect(entered('EmbedBatch')).toBe(4); // 154 comments in batches of 40
    expect(entered('FinishEmbedding')).toBe(1);
    const layers = (outcome.output?.steps as Record<string, { layer_items?: unknown[] }>).NameTopics.layer_items!;
    expect(layers.length).toBeGreaterThanOrEqual(2);
    expect(entered('NameLayer')).toBe(layers.length);
    // Only descriptors travelled: the whole final state stays small.
    expect(JSON.stringify(outcome.output).length).toBeLessThan(8_000);

    const comparable = async (jobId: string, table: 'embeddings' | 'topicNames' | 'assignments') =>
      (await harness.repository.queryByJob(table, jobId)).map((row) =>
        Object.fromEntries(Object.entries(row).filter(([key]) => !['job_id', 'created_at', 'topic_key'].includes(key))),
      );
    for (const table of ['embeddings', 'assignments', 'topicNames'] as const) {
      expect(await comparable('pipeline_run_fanout-run', table), table).toEqual(await comparable('pipeline_run_fanout-reference', table));
    }
    const job = await harness.repository.getJob('pipeline_run_fanout-run');
    expect(job).toMatchObject({ status: 'COMPLETED', embedding_provider: 'openai', num_comments: 154 });
    expect(Object.keys(job?.step_timings_ms as object)).toEqual([
      'Embed', 'EmbedBatches', 'FinishEmbedding', 'ProjectUmap', 'Cluster', 'ExtractKeywords', 'ComputeFeatures', 'NameTopics', 'NameLayers',
    ]);
  });

  it('fails the job in EmbedBatches when a batch keeps failing, and a redrive completes it', async () => {
    let embedCalls = 0;
    const openai = openAiResponder(fakeReply);
    server.setResponder((request) => {
      if (request.path.endsWith('/embeddings') && ++embedCalls === 3) return openAiError(400, 'This model does not accept input', 'invalid_request_error');
      return openai(request);
    });
    const failed = await harness.pipeline.run(
      { conversation_id: CONVERSATION, source: BIODIVERSITY, options: fanout() },
      { executionName: 'fanout-redrive', retryIntervalMs: 1 },
    );
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('ProviderError');
    expect((await harness.repository.getJob('pipeline_run_fanout-redrive'))?.error).toMatchObject({ type: 'ProviderError', step: 'EmbedBatches' });
    const redriven = await harness.pipeline.redrive(failed, { retryIntervalMs: 1 });
    expect(redriven.status, redriven.cause).toBe('SUCCEEDED');
    expect(await harness.repository.countByJob('embeddings', 'pipeline_run_fanout-redrive')).toBe(154);
    expect((await harness.repository.getJob('pipeline_run_fanout-redrive'))?.status).toBe('COMPLETED');
  });
});
