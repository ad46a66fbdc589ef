import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBedrockClient } from '../../../shared/aws/providerClients';
import { ConfigurationError, ProviderError, ProviderThrottledError, TransientError } from '../../../shared/errors';
import type { RetryPolicy } from '../../../shared/providers/http';
import { AnthropicNamer } from '../../../shared/providers/naming/anthropic';
import { BedrockNamer } from '../../../shared/providers/naming/bedrock';
import { KeywordsNamer } from '../../../shared/providers/naming/keywords';
import { MAX_LABEL_TOKENS, topicPrompt, type ClusterToName } from '../../../shared/providers/naming/namer';
import { OpenAiNamer } from '../../../shared/providers/naming/openai';
import {
  anthropicError,
  anthropicMessage,
  bedrockError,
  converseReply,
  openAiChat,
  openAiError,
  startFakeServer,
  type FakeServer,
} from '../../support/providerServers';

const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, timeoutMs: 5_000 };
const KEY = 'sk-ant-api03-test-key-9b7e';

const FINE: ClusterToName[] = [
  {
    key: 'layer0_0',
    layer: 0,
    clusterId: 0,
    keywords: ['predator free', 'possums', 'stoats', 'traps'],
    sampleComments: ['Trap possums and stoats in every reserve', 'Predator Free 2050 needs more funding'],
    childNames: [],
  },
  {
    key: 'layer0_1',
    layer: 0,
    clusterId: 1,
    keywords: ['rivers', 'water quality', 'dairy'],
    sampleComments: ['Our rivers are too polluted to swim in', 'Dairy runoff is ruining water quality'],
    childNames: [],
  },
];
const COARSE: ClusterToName = {
  key: 'layer1_0',
  layer: 1,
  clusterId: 0,
  keywords: ['native', 'protect'],
  sampleComments: ['Protect native species'],
  childNames: ['Predator control of possums', 'River water quality'],
};

/** The reply each fake server gives: what LLMs really send back, prefix, quotes and markdown included. */
const REPLIES: Record<string, string> = {
  layer0_0: 'Topic: "Predator control of possums"',
  layer0_1: '**River water quality**',
  layer1_0: '1. Protecting native wildlife and water.',
};
const CLEANED: Record<string, string> = {
  layer0_0: 'Predator control of possums',
  layer0_1: 'River water quality',
  layer1_0: 'Protecting native wildlife and water',
};
/** Which cluster a prompt is about, from its keyword line. */
const clusterOf = (prompt: string) => [...FINE, COARSE].find((cluster) => prompt.includes(`Keywords: ${cluster.keywords.join(', ')}`))!.key;

describe('the topic prompt', () => {
  it('gives the keywords and the comments nearest the centroid, and asks for one 3–6 word label', () => {
    const prompt = topicPrompt(FINE[0]);
    expect(prompt.system).toMatch(/one label of 3 to 6 words/);
    expect(prompt.user).toContain('Keywords: predator free, possums, stoats, traps');
    expect(prompt.user).toContain('- Trap possums and stoats in every reserve');
    expect(prompt.user).toContain('- Predator Free 2050 needs more funding');
    expect(prompt.user).not.toContain('narrower topics');
  });

  it('lists the names of the child clusters for a coarser layer', () => {
    expect(topicPrompt(COARSE).user).toContain('This topic groups these narrower topics:\n- Predator control of possums\n- River water quality');
  });
});

describe('the keywords namer', () => {
  it('labels from c-TF-IDF phrases, unique within a layer, with its own model name', async () => {
    const namer = new KeywordsNamer();
    const names = await namer.name([...FINE, { ...FINE[1], key: 'layer0_2', clusterId: 2 }]);
    expect(namer.provider).toBe('keywords');
    expect(namer.model).toBe('noun-phrases-ctfidf-coverage');
    expect(names.get('layer0_0')).toMatch(/predator free/i);
    expect(names.get('layer0_2')).not.toBe(names.get('layer0_1'));
  });
});

describe('the openai namer against an OpenAI-compatible chat completions loopback server', () => {
  let server: FakeServer;
  const replying = () => (request: { json: { model: string; messages: Array<{ role: string; content: string }> } }) =>
    openAiChat(REPLIES[clusterOf(request.json.messages[1].content)], request.json.model);
  beforeAll(async () => {
    server = await startFakeServer(replying());
  });
  afterEach(() => {
    server.requests.length = 0;
    server.setResponder(replying());
  });
  afterAll(async () => server.close());

  const namer = (apiKey?: string) =>
    new OpenAiNamer({ baseUrl: `${server.url}/v1/`, model: 'llama3.1:8b', concurrency: 2, apiKey: async () => apiKey, retry: FAST });

  it('sends one chat completion per cluster {model, [system, user], temperature 0, max_tokens} and cleans the replies', async () => {
    const names = await namer(KEY).name([...FINE, COARSE]);
    expect(Object.fromEntries(names)).toEqual(CLEANED);
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect(request.path).toBe('/v1/chat/completions');
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      const prompt = topicPrompt([...FINE, COARSE].find((cluster) => cluster.key === clusterOf(request.json.messages[1].content))!);
      expect(request.json).toEqual({
        model: 'llama3.1:8b',
        messages: [
          { role: 'system', content: prompt.system },
          { role: 'user', content: prompt.user },
        ],
        temperature: 0,
        max_tokens: MAX_LABEL_TOKENS,
      });
    }
  });

  it('retries a 429 and then succeeds', async () => {
    server.queue(openAiError(429, 'Rate limit reached', 'requests', 'rate_limit_exceeded', { 'retry-after': '0' }));
    const names = await namer().name([FINE[0]]);
    expect(names.get('layer0_0')).toBe(CLEANED.layer0_0);
    expect(server.requests).toHaveLength(2);
  });

  it('ends with TransientError when the server keeps failing, and names no cluster', async () => {
    server.setResponder(() => openAiError(502, 'Bad gateway', 'server_error'));
    await expect(namer().name(FINE)).rejects.toBeInstanceOf(TransientError);
  });

  it('ends with ProviderThrottledError when the server keeps throttling', async () => {
    server.setResponder(() => openAiError(429, 'Rate limit reached', 'requests', 'rate_limit_exceeded', { 'retry-after': '0' }));
    await expect(namer().name([FINE[0]])).rejects.toBeInstanceOf(ProviderThrottledError);
  });

  it('retries a reply that cleans to nothing, then fails transiently rather than invent a name', async () => {
    server.setResponder((request) => openAiChat('```\n"**"\n```', request.json.model));
    const failing = namer().name([FINE[0]]);
    await expect(failing).rejects.toBeInstanceOf(TransientError);
    await expect(failing).rejects.toThrow(/cluster layer0_0: the reply held no usable label/);
    expect(server.requests).toHaveLength(FAST.maxAttempts);
  });

  it('reports a malformed answer as a ProviderError', async () => {
    server.queue({ body: { id: 'x', object: 'chat.completion', choices: [] } });
    const failing = namer().name([FINE[0]]);
    await expect(failing).rejects.toBeInstanceOf(ProviderError);
    await expect(failing).rejects.toThrow(/has no choices\[0\]\.message\.content text/);
  });
});

describe('the anthropic namer against a Messages API loopback server (official SDK)', () => {
  let server: FakeServer;
  const replying = () => (request: { json: { model: string; messages: Array<{ content: string }> } }) =>
    anthropicMessage(REPLIES[clusterOf(request.json.messages[0].content)], request.json.model);
  beforeAll(async () => {
    server = await startFakeServer(replying());
  });
  afterEach(() => {
    server.requests.length = 0;
    server.setResponder(replying());
  });
  afterAll(async () => server.close());

  const namer = (apiKey = KEY) =>
    new AnthropicNamer({ baseUrl: server.url, model: 'claude-haiku-4-5', concurrency: 2, apiKey: async () => apiKey, retry: FAST });
  const keyless = () =>
    new AnthropicNamer({ baseUrl: server.url, model: 'claude-haiku-4-5', concurrency: 2, apiKey: async () => undefined, retry: FAST });

  it('posts /v1/messages with the key, anthropic-version and {model, max_tokens, system, messages}', async () => {
    const names = await namer().name([...FINE, COARSE]);
    expect(Object.fromEntries(names)).toEqual(CLEANED);
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect(request.path).toBe('/v1/messages');
      // This SDK version sends the key as a bearer token (older ones used x-api-key).
      expect(request.headers.authorization ?? request.headers['x-api-key']).toMatch(new RegExp(`^(Bearer )?${KEY}$`));
      expect(request.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const prompt = topicPrompt([...FINE, COARSE].find((cluster) => cluster.key === clusterOf(request.json.messages[0].content))!);
      expect(request.json).toEqual({
        model: 'claude-haiku-4-5',
        max_tokens: MAX_LABEL_TOKENS,
        system: prompt.system,
        messages: [{ role: 'user', content: prompt.user }],
      });
    }
  });

  it('does not follow a redirect to another server', async () => {
    const elsewhere = await startFakeServer(replying());
    try {
      server.setResponder(() => ({ status: 307, headers: { location: `${elsewhere.url}/v1/messages` }, body: '' }));
      await expect(namer().name([FINE[0]])).rejects.toThrow(/anthropic answered HTTP 307/);
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('retries rate_limit_error (429) and overloaded_error (529), honouring retry-after, then succeeds', async () => {
    server.queue(
      anthropicError(429, 'rate_limit_error', 'This request would exceed your organization\'s rate limit.', { 'retry-after': '0' }),
      anthropicError(529, 'overloaded_error', 'Overloaded'),
    );
    const names = await namer().name([FINE[0]]);
    expect(names.get('layer0_0')).toBe(CLEANED.layer0_0);
    expect(server.requests).toHaveLength(3);
  });

  it('ends with ProviderThrottledError when rate limits persist', async () => {
    server.setResponder(() => anthropicError(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', { 'retry-after': '0' }));
    const failing = namer().name([FINE[0]]);
    await expect(failing).rejects.toBeInstanceOf(ProviderThrottledError);
    await expect(failing).rejects.toThrow(/anthropic answered HTTP 429: Number of request tokens has exceeded your per-minute rate limit \(rate_limit_error\)/);
  });

  it('ends with TransientError when api_error (500) persists', async () => {
    server.setResponder(() => anthropicError(500, 'api_error', 'An unexpected error has occurred internal to Anthropic\'s systems.'));
    await expect(namer().name([FINE[0]])).rejects.toBeInstanceOf(TransientError);
    expect(server.requests).toHaveLength(FAST.maxAttempts);
  });

  it('does not retry authentication_error, and keeps the key out of the error even when the server echoes it', async () => {
    server.setResponder((request) => anthropicError(401, 'authentication_error', `invalid x-api-key: ${request.headers.authorization ?? request.headers['x-api-key']}`));
    const error = await namer().name([FINE[0]]).then(() => new Error('expected a failure'), (caught: Error) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(/HTTP 401: invalid x-api-key: (Bearer )?\[redacted\] \(authentication_error\)/);
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)} ${String((error as { cause?: unknown }).cause)}`).not.toContain(KEY);
    expect(server.requests).toHaveLength(1);
  });

  it('reports an answer without a text block as a ProviderError', async () => {
    server.queue({ body: { id: 'msg', type: 'message', role: 'assistant', model: 'claude-haiku-4-5', content: [], stop_reason: 'refusal', usage: {} } });
    await expect(namer().name([FINE[0]])).rejects.toThrow(/no text content block \(stop_reason refusal\)/);
  });

  it('refuses to run without a key, naming where to put one', async () => {
    const failing = keyless().name([FINE[0]]);
    await expect(failing).rejects.toBeInstanceOf(ConfigurationError);
    await expect(failing).rejects.toThrow(/ANTHROPIC_API_KEY_PARAMETER .*ANTHROPIC_API_KEY_SECRET_ARN .*ANTHROPIC_API_KEY/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('the bedrock namer against a Converse loopback server (HTTP/2)', () => {
  let server: FakeServer;
  let client: BedrockRuntimeClient;
  const replying = () => (request: { json: { messages: Array<{ content: Array<{ text: string }> }> } }) =>
    converseReply(REPLIES[clusterOf(request.json.messages[0].content[0].text)]);
  beforeAll(async () => {
    server = await startFakeServer(replying(), { protocol: 'h2c' });
    // The production client (its own retries off), pointed at the loopback server.
    client = createBedrockClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 's' } });
  });
  afterEach(() => {
    server.requests.length = 0;
    server.setResponder(replying());
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });

  const namer = () =>
    new BedrockNamer({ model: 'anthropic.claude-3-haiku-20240307-v1:0', concurrency: 1, client: () => client, retry: FAST });

  it('calls Converse with system, one user message and inferenceConfig, and cleans the replies', async () => {
    const names = await namer().name([...FINE, COARSE]);
    expect(Object.fromEntries(names)).toEqual(CLEANED);
    for (const request of server.requests) {
      expect(request.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
      const prompt = topicPrompt([...FINE, COARSE].find((cluster) => cluster.key === clusterOf(request.json.messages[0].content[0].text))!);
      expect(request.json).toEqual({
        system: [{ text: prompt.system }],
        messages: [{ role: 'user', content: [{ text: prompt.user }] }],
        inferenceConfig: { maxTokens: MAX_LABEL_TOKENS, temperature: 0 },
      });
    }
  });

  it('retries a ThrottlingException, ends with TransientError on a persistent InternalServerException (500)', async () => {
    server.queue(bedrockError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'));
    expect((await namer().name([FINE[0]])).get('layer0_0')).toBe(CLEANED.layer0_0);
    expect(server.requests).toHaveLength(2);
    server.setResponder(() => bedrockError(500, 'InternalServerException', 'The server encountered an internal error while processing the request.'));
    await expect(namer().name([FINE[0]])).rejects.toBeInstanceOf(TransientError);
    // One retry layer: the SDK client does not retry on its own.
    expect(server.requests).toHaveLength(2 + FAST.maxAttempts);
  });

  it('reports an answer without text as a ProviderError', async () => {
    server.queue({ body: { output: { message: { role: 'assistant', content: [] } }, stopReason: 'content_filtered', usage: {} } });
    await expect(namer().name([FINE[0]])).rejects.toThrow(/no text content block \(stopReason content_filtered\)/);
  });
});
