import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBedrockClient } from '../../../shared/aws/providerClients';
import { loadWordVectors } from '../../../shared/algorithms/wordVectors';
import { ConfigurationError, ProviderError, ProviderThrottledError, TransientError } from '../../../shared/errors';
import { logger } from '../../../shared/logger';
import { BedrockEmbedder } from '../../../shared/providers/embedding/bedrock';
import { HybridEmbedder } from '../../../shared/providers/embedding/hybrid';
import { LsaEmbedder } from '../../../shared/providers/embedding/lsa';
import { batches, OpenAiEmbedder } from '../../../shared/providers/embedding/openai';
import type { RetryPolicy } from '../../../shared/providers/http';
import {
  bedrockError,
  hashedEmbedding,
  openAiEmbeddings,
  openAiError,
  openAiResponder,
  startFakeServer,
  titanEmbedding,
  type FakeServer,
} from '../../support/providerServers';

const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, timeoutMs: 5_000 };
const KEY = 'sk-proj-test-key-4f9a1c';
const TEXTS = ['Protect native birds from predators', 'Trap possums and stoats', 'Clean rivers for swimming', 'Fund pest control', 'Plant native trees'];
const norm = (vector: ArrayLike<number>) => Math.sqrt(Array.from(vector).reduce((sum, value) => sum + value * value, 0));

describe('the openai embedder against an OpenAI-compatible loopback server', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer(openAiResponder(() => 'unused'));
  });
  afterEach(() => {
    server.requests.length = 0;
    server.setResponder(openAiResponder(() => 'unused'));
  });
  afterAll(async () => server.close());

  const embedder = (overrides: Partial<ConstructorParameters<typeof OpenAiEmbedder>[0]> = {}) =>
    new OpenAiEmbedder({
      baseUrl: `${server.url}/v1`,
      model: 'all-minilm',
      batchSize: 2048,
      concurrency: 2,
      apiKey: async () => KEY,
      retry: FAST,
      ...overrides,
    });

  it('posts {model, input, encoding_format} to /v1/embeddings with the key as a bearer token and returns unit vectors in input order', async () => {
    const result = await embedder().embed(TEXTS);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/embeddings');
    expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request.json).toEqual({ model: 'all-minilm', input: TEXTS, encoding_format: 'float' });
    expect(result.model).toBe('all-minilm');
    expect(result.dimensions).toBe(384);
    expect(result.vectors).toHaveLength(TEXTS.length);
    result.vectors.forEach((vector, i) => {
      expect(norm(vector)).toBeCloseTo(1, 5);
      expect(Array.from(vector)).toEqual(Array.from(Float32Array.from(hashedEmbedding(TEXTS[i]))));
    });
  });

  it('splits the texts into batches of at most batchSize and keeps the order across batches', async () => {
    const result = await embedder({ batchSize: 2, concurrency: 3 }).embed(TEXTS);
    expect(server.requests.map((request) => request.json.input)).toEqual(
      expect.arrayContaining([TEXTS.slice(0, 2), TEXTS.slice(2, 4), TEXTS.slice(4)]),
    );
    expect(server.requests).toHaveLength(3);
    result.vectors.forEach((vector, i) => expect(Array.from(vector)).toEqual(Array.from(Float32Array.from(hashedEmbedding(TEXTS[i])))));
  });

  it('batches by characters too, a long text alone', () => {
    expect(batches(['aaaa', 'bb', 'cccccccc', 'd'], 10, 6)).toEqual([[0, 1], [2], [3]]);
    expect(batches([], 10, 6)).toEqual([]);
  });

  it('sends dimensions when asked and sends no Authorization header without a key (Ollama)', async () => {
    server.setResponder((request) => openAiEmbeddings(request.json.input.map((text: string) => hashedEmbedding(text, 256)), request.json.model));
    const result = await embedder({ dimensions: 256, apiKey: async () => undefined, model: 'text-embedding-3-small' }).embed(TEXTS.slice(0, 2));
    expect(server.requests[0].json).toEqual({ model: 'text-embedding-3-small', input: TEXTS.slice(0, 2), encoding_format: 'float', dimensions: 256 });
    expect(server.requests[0].headers.authorization).toBeUndefined();
    expect(result.dimensions).toBe(256);
  });

  it('puts the vectors back in input order by each item\'s index', async () => {
    server.queue({
      body: {
        object: 'list',
        data: [
          { object: 'embedding', index: 1, embedding: [0, 2] },
          { object: 'embedding', index: 0, embedding: [3, 4] },
        ],
        model: 'all-minilm',
      },
    });
    const result = await embedder().embed(['first', 'second']);
    expect(Array.from(result.vectors[0])).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(result.vectors[1])).toEqual([0, 1]);
  });

  it('retries a 429 after its Retry-After and then succeeds', async () => {
    server.queue(openAiError(429, 'Rate limit reached for text-embedding-3-small in organization org-x on requests per min (RPM): Limit 3000', 'requests', 'rate_limit_exceeded', { 'retry-after': '0' }));
    const result = await embedder().embed(TEXTS);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].json).toEqual(server.requests[0].json);
    expect(result.vectors).toHaveLength(TEXTS.length);
  });

  it('logs each retry without the key, even when the provider quotes it', async () => {
    const warn = vi.spyOn(logger, 'warn');
    try {
      server.queue(openAiError(429, `Rate limit reached for key ${KEY}`, 'requests', 'rate_limit_exceeded', { 'retry-after': '0' }));
      await embedder().embed(TEXTS);
      expect(warn).toHaveBeenCalledWith('provider request retried', expect.objectContaining({ kind: 'throttled', attempt: 1 }));
      const logged = JSON.stringify(warn.mock.calls);
      expect(logged).toContain('Rate limit reached for key [redacted]');
      expect(logged).not.toContain(KEY);
    } finally {
      warn.mockRestore();
    }
  });

  it('ends with TransientError when the server keeps answering 5xx, without returning any vectors', async () => {
    server.setResponder(() => openAiError(500, 'The server had an error while processing your request.', 'server_error'));
    const failing = embedder().embed(TEXTS);
    await expect(failing).rejects.toBeInstanceOf(TransientError);
    await expect(failing).rejects.toThrow(/openai embeddings \(all-minilm\) batch 1\/1: openai embeddings answered HTTP 500: The server had an error/);
    expect(server.requests).toHaveLength(FAST.maxAttempts);
  });

  it('ends with ProviderThrottledError when the server keeps answering 429', async () => {
    server.setResponder(() => openAiError(429, 'Rate limit reached', 'requests', 'rate_limit_exceeded', { 'retry-after-ms': '1' }));
    await expect(embedder().embed(TEXTS)).rejects.toBeInstanceOf(ProviderThrottledError);
  });

  it.each([
    ['no data array', { object: 'list', model: 'x' }, /has no "data" array/],
    ['too few embeddings', { object: 'list', data: [{ index: 0, embedding: [1, 0] }] }, /sent 2 texts, got 1 embeddings/],
    ['a non-numeric vector', { object: 'list', data: [{ index: 0, embedding: [1, 'x'] }, { index: 1, embedding: [1, 0] }] }, /non-number at position 1/],
    ['a zero vector', { object: 'list', data: [{ index: 0, embedding: [0, 0] }, { index: 1, embedding: [1, 0] }] }, /all zeros/],
    ['a repeated index', { object: 'list', data: [{ index: 0, embedding: [1, 0] }, { index: 0, embedding: [1, 0] }] }, /invalid or repeated index 0/],
    ['vectors of two lengths', { object: 'list', data: [{ index: 0, embedding: [1, 0] }, { index: 1, embedding: [1, 0, 0] }] }, /different lengths/],
  ])('reports %s as a ProviderError, not retried', async (_case, body, message) => {
    server.queue({ body });
    const failing = embedder().embed(['first', 'second']);
    await expect(failing).rejects.toBeInstanceOf(ProviderError);
    await expect(failing).rejects.toThrow(message);
    expect(server.requests).toHaveLength(1);
  });

  it('reports a model the server does not have with the server\'s own message, and never the key', async () => {
    server.queue(openAiError(404, `model "all-minilm" not found, try pulling it first (key ${KEY})`, 'api_error'));
    const failing = embedder().embed(TEXTS);
    await expect(failing).rejects.toThrow(/HTTP 404: model "all-minilm" not found, try pulling it first/);
    const error = await failing.then(() => new Error('expected a failure'), (caught: Error) => caught);
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(KEY);
  });

  it('says why when a server wants a key and none was sent', async () => {
    server.queue(openAiError(401, 'You didn\'t provide an API key.', 'invalid_request_error'));
    await expect(embedder({ apiKey: async () => undefined }).embed(TEXTS)).rejects.toThrow(
      /HTTP 401: You didn't provide an API key\. \(invalid_request_error\) \(no API key was sent: set OPENAI_API_KEY_PARAMETER, .* OPENAI_API_KEY_ORIGINS\)/,
    );
  });

  it('gives an empty result for no texts without calling the server', async () => {
    const result = await embedder().embed([]);
    expect(result.vectors).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});

describe('the bedrock embedder against a Bedrock Runtime loopback server (Titan v2, HTTP/2)', () => {
  let server: FakeServer;
  let client: BedrockRuntimeClient;
  const titan = () => (request: { json: { inputText: string; dimensions: number } }) => titanEmbedding(hashedEmbedding(request.json.inputText, request.json.dimensions));
  beforeAll(async () => {
    server = await startFakeServer(titan(), { protocol: 'h2c' });
    // The production client (its own retries off), pointed at the loopback server.
    client = createBedrockClient({ endpoint: server.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' } });
  });
  afterEach(() => {
    server.requests.length = 0;
    server.setResponder(titan());
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  const embedder = (dimensions = 256) =>
    new BedrockEmbedder({ model: 'amazon.titan-embed-text-v2:0', dimensions, concurrency: 3, client: () => client, retry: FAST });

  it('invokes the model once per text with {inputText, dimensions, normalize} and returns unit vectors in order', async () => {
    const result = await embedder(256).embed(TEXTS);
    expect(server.requests).toHaveLength(TEXTS.length);
    for (const request of server.requests) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/model/amazon.titan-embed-text-v2%3A0/invoke');
      expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/bedrock\/aws4_request/);
      expect(request.headers['content-type']).toBe('application/json');
    }
    expect(server.requests.map((request) => request.json).sort((a, b) => a.inputText.localeCompare(b.inputText))).toEqual(
      [...TEXTS].sort().map((inputText) => ({ inputText, dimensions: 256, normalize: true })),
    );
    expect(result).toMatchObject({ model: 'amazon.titan-embed-text-v2:0', dimensions: 256 });
    result.vectors.forEach((vector, i) => {
      expect(norm(vector)).toBeCloseTo(1, 5);
      expect(Array.from(vector)).toEqual(Array.from(Float32Array.from(hashedEmbedding(TEXTS[i], 256))));
    });
  });

  it('retries a ThrottlingException and then succeeds', async () => {
    server.queue(bedrockError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'));
    const result = await embedder().embed(TEXTS.slice(0, 1));
    expect(server.requests).toHaveLength(2);
    expect(result.vectors).toHaveLength(1);
  });

  it('ends with ProviderThrottledError when throttling persists', async () => {
    server.setResponder(() => bedrockError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'));
    const failing = embedder().embed(TEXTS.slice(0, 1));
    await expect(failing).rejects.toBeInstanceOf(ProviderThrottledError);
    await expect(failing).rejects.toThrow(/ThrottlingException \(HTTP 429\): Too many requests/);
  });

  it('ends with TransientError when the service keeps failing with 5xx', async () => {
    server.setResponder(() => bedrockError(503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.'));
    await expect(embedder().embed(TEXTS.slice(0, 1))).rejects.toBeInstanceOf(TransientError);
    expect(server.requests).toHaveLength(FAST.maxAttempts);
  });

  it('does not retry a ValidationException or AccessDeniedException, and says what to fix', async () => {
    server.setResponder(() => bedrockError(400, 'ValidationException', 'Malformed input request: #/dimensions: 300 is not a valid enum value'));
    await expect(embedder().embed(TEXTS.slice(0, 1))).rejects.toThrow(/ValidationException \(HTTP 400\): Malformed input request/);
    expect(server.requests).toHaveLength(1);
    server.setResponder(() => bedrockError(403, 'AccessDeniedException', 'You don\'t have access to the model with the specified model ID.'));
    const denied = embedder().embed(TEXTS.slice(0, 1));
    await expect(denied).rejects.toBeInstanceOf(ProviderError);
    await expect(denied).rejects.toThrow(/the role needs bedrock:InvokeModel/);
  });

  it('reports an answer without an embedding, or with the wrong size, as a ProviderError', async () => {
    server.queue({ body: { inputTextTokenCount: 3 } });
    await expect(embedder().embed(TEXTS.slice(0, 1))).rejects.toThrow(/has no "embedding"/);
    server.queue(titanEmbedding([0.6, 0.8]));
    await expect(embedder(256).embed(TEXTS.slice(0, 1))).rejects.toThrow(/asked for 256 dimensions, got 2/);
  });
});

describe('the lsa embedder', () => {
  it('wraps the offline LSA: unit vectors, its model name and its adjustments', async () => {
    const result = await new LsaEmbedder({ dimensions: 3 }).embed([...TEXTS, 'Protect rivers and birds', 'Trap predators']);
    expect(new LsaEmbedder({}).provider).toBe('lsa');
    expect(result.vectors).toHaveLength(7);
    expect(result.dimensions).toBe(3);
    expect(result.model).toMatch(/lsa/i);
    for (const vector of result.vectors) expect(norm(vector)).toBeCloseTo(1, 5);
    expect(Array.isArray(result.adjustments)).toBe(true);
  });
});

describe('the hybrid embedder', () => {
  const texts = [...TEXTS, 'Protect rivers and birds', 'Trap predators', 'zzqx vbnm'];

  it('wraps LSA beside SIF word vectors: unit vectors, deterministic, the model name with its actual dimensions', async () => {
    const embedder = new HybridEmbedder({ dimensions: 3 });
    expect(embedder.provider).toBe('hybrid');
    const result = await embedder.embed(texts);
    expect(result.vectors).toHaveLength(texts.length);
    expect(result.dimensions).toBe(3 + 100);
    expect(result.model).toBe('hybrid-lsa3-glove100-sif');
    for (const vector of result.vectors) {
      expect(vector).toHaveLength(103);
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
    expect(result.adjustments?.join('\n')).toMatch(/1 of 8 comments have no word with a pretrained vector/);
    expect((await new HybridEmbedder({ dimensions: 3 }).embed(texts)).vectors).toEqual(result.vectors);
  });

  it('fails with the ConfigurationError of a missing word-vector file, naming the build command', async () => {
    const embedder = new HybridEmbedder({}, () => loadWordVectors('/nonexistent/models/glove-100d.bin'));
    await expect(embedder.embed(TEXTS)).rejects.toThrow(ConfigurationError);
    await expect(embedder.embed(TEXTS)).rejects.toThrow(/\/nonexistent\/models\/glove-100d\.bin: run `npm run build:word-vectors`/);
  });
});
