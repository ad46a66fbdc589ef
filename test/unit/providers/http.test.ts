import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, ProviderThrottledError, TransientError } from '../../../shared/errors';
import {
  mapConcurrent,
  parseRetryAfter,
  postJson,
  redact,
  retryDelay,
  RetryableFailure,
  withRetries,
  type RetryPolicy,
} from '../../../shared/providers/http';
import { openAiError, startFakeServer, type FakeServer } from '../../support/providerServers';

const FAST: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, timeoutMs: 2_000 };

/** A sleep that records the waits instead of waiting. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe('withRetries', () => {
  it('returns the first success, retrying throttled and transient failures', async () => {
    const { waits, sleep } = recordingSleep();
    let calls = 0;
    const result = await withRetries(
      'test call',
      async ({ attempt }) => {
        calls++;
        if (attempt === 1) throw new RetryableFailure('throttled', 'HTTP 429');
        if (attempt === 2) throw new RetryableFailure('transient', 'HTTP 503');
        return 'ok';
      },
      { policy: FAST, sleep },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('waits at least what Retry-After asks', async () => {
    const { waits, sleep } = recordingSleep();
    await withRetries(
      'test call',
      async ({ attempt }) => {
        if (attempt === 1) throw new RetryableFailure('throttled', 'HTTP 429', 1_500);
        return 'ok';
      },
      { policy: { ...FAST, baseDelayMs: 100, maxDelayMs: 1_000 }, sleep, random: () => 0.5 },
    );
    expect(waits).toEqual([1_550]);
  });

  it('ends with ProviderThrottledError when the provider keeps throttling', async () => {
    const { sleep } = recordingSleep();
    let calls = 0;
    const failing = withRetries(
      'openai embeddings batch 1/1',
      async () => {
        calls++;
        throw new RetryableFailure('throttled', 'openai embeddings answered HTTP 429: Rate limit reached');
      },
      { policy: FAST, sleep },
    );
    await expect(failing).rejects.toThrow(ProviderThrottledError);
    await expect(failing).rejects.toThrow(/^openai embeddings batch 1\/1: .*HTTP 429: Rate limit reached \(gave up after 4 attempts\)$/);
    expect(calls).toBe(4);
  });

  it('ends with TransientError when the last failure was a 5xx', async () => {
    const { sleep } = recordingSleep();
    const failing = withRetries('call', async () => Promise.reject(new RetryableFailure('transient', 'HTTP 502')), { policy: FAST, sleep });
    await expect(failing).rejects.toThrow(TransientError);
    await expect(failing).rejects.toMatchObject({ name: 'TransientError' });
  });

  it('gives up at once, throttled, when Retry-After is longer than a Lambda should wait', async () => {
    const { waits, sleep } = recordingSleep();
    let calls = 0;
    const failing = withRetries(
      'call',
      async () => {
        calls++;
        throw new RetryableFailure('throttled', 'HTTP 429', 120_000);
      },
      { policy: FAST, sleep },
    );
    await expect(failing).rejects.toThrow(/asked to retry after 120 s/);
    await expect(failing).rejects.toBeInstanceOf(ProviderThrottledError);
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('does not retry an error that cannot pass (ProviderError)', async () => {
    let calls = 0;
    const failing = withRetries(
      'call',
      async () => {
        calls++;
        throw new ProviderError('openai answered HTTP 401: Incorrect API key');
      },
      { policy: FAST },
    );
    await expect(failing).rejects.toBeInstanceOf(ProviderError);
    expect(calls).toBe(1);
  });

  it('treats a request that outlives its timeout as transient and retries it', async () => {
    let calls = 0;
    const result = await withRetries(
      'call',
      async ({ attempt, signal }) => {
        calls++;
        if (attempt === 1) {
          await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
        }
        return attempt;
      },
      { policy: { ...FAST, timeoutMs: 30 } },
    );
    expect(result).toBe(2);
    expect(calls).toBe(2);
  });

  it('uses full jitter bounded by the exponential backoff', () => {
    const policy = { ...FAST, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(retryDelay(1, undefined, policy, () => 1)).toBe(100);
    expect(retryDelay(3, undefined, policy, () => 1)).toBe(400);
    expect(retryDelay(9, undefined, policy, () => 1)).toBe(1_000);
    expect(retryDelay(3, undefined, policy, () => 0)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });

  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '2' }))).toBe(2_000);
    expect(parseRetryAfter(headers({ 'retry-after': '0.5' }))).toBe(500);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': 'Fri, 27 Nov 2026 12:00:03 GMT' }), now)).toBe(3_000);
    expect(parseRetryAfter(headers({}))).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined();
  });
});

describe('mapConcurrent', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapConcurrent([5, 1, 4, 2, 3, 0], 2, async (value) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, value * 3));
      running--;
      return value * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });

  it('stops starting work after the first failure, aborts the rest and rethrows it', async () => {
    const started: number[] = [];
    let aborted = 0;
    const failing = mapConcurrent([0, 1, 2, 3, 4, 5], 2, async (value, _index, signal) => {
      started.push(value);
      if (value === 1) throw new TransientError('batch 2 failed');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        signal.addEventListener('abort', () => {
          aborted++;
          clearTimeout(timer);
          resolve();
        });
      });
      return value;
    });
    await expect(failing).rejects.toThrow('batch 2 failed');
    expect(started).toEqual([0, 1]);
    expect(aborted).toBe(1);
  });
});

describe('postJson against a loopback server', () => {
  let server: FakeServer;
  const KEY = 'sk-test-0123456789abcdef';
  beforeAll(async () => {
    server = await startFakeServer(() => ({ body: { ok: true } }));
  });
  afterAll(async () => server.close());

  const post = () =>
    postJson({
      provider: 'openai embeddings',
      url: `${server.url}/v1/embeddings`,
      body: { model: 'm', input: ['a'] },
      headers: { authorization: `Bearer ${KEY}` },
      signal: AbortSignal.timeout(2_000),
      secrets: [KEY],
    });

  it('sends the JSON body and headers and parses the answer', async () => {
    expect(await post()).toEqual({ ok: true });
    const request = server.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/embeddings');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.json).toEqual({ model: 'm', input: ['a'] });
  });

  it('turns 429 into a throttled failure carrying Retry-After', async () => {
    server.queue(openAiError(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded', { 'retry-after': '3' }));
    await expect(post()).rejects.toMatchObject({ name: 'RetryableFailure', kind: 'throttled', retryAfterMs: 3_000 });
  });

  it('turns 5xx into a transient failure', async () => {
    server.queue(openAiError(503, 'The server is overloaded', 'server_error'));
    await expect(post()).rejects.toMatchObject({ kind: 'transient', message: 'openai embeddings answered HTTP 503: The server is overloaded (server_error)' });
  });

  it('turns other 4xx into a ProviderError with the provider message, the key blanked out', async () => {
    server.queue(openAiError(401, `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key'));
    const failing = post();
    await expect(failing).rejects.toBeInstanceOf(ProviderError);
    await expect(failing).rejects.toThrow(/HTTP 401: Incorrect API key provided: \[redacted\]/);
    await expect(failing).rejects.not.toThrow(KEY);
  });

  it('does not follow a redirect: the comments go to the allowed endpoint only', async () => {
    const elsewhere = await startFakeServer(() => ({ body: { stolen: true } }));
    try {
      server.queue({ status: 307, headers: { location: `${elsewhere.url}/latest/meta-data` }, body: '' });
      const failing = post();
      await expect(failing).rejects.toBeInstanceOf(ProviderError);
      await expect(failing).rejects.toThrow(/openai embeddings answered HTTP 307/);
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('does not retry a 429 that means the quota is spent', async () => {
    server.queue(openAiError(429, 'You exceeded your current quota', 'insufficient_quota', 'insufficient_quota'));
    await expect(post()).rejects.toBeInstanceOf(ProviderError);
  });

  it('reports a body that is not JSON as a ProviderError', async () => {
    server.queue({ status: 200, body: '<html>proxy login</html>' });
    await expect(post()).rejects.toThrow(/openai embeddings answered HTTP 200 with a body that is not JSON: <html>proxy login<\/html>/);
  });

  it('reports a refused connection as a transient failure naming the URL but no key', async () => {
    const closed = await startFakeServer(() => ({}));
    await closed.close();
    const failing = postJson({ provider: 'openai embeddings', url: `${closed.url}/v1/embeddings`, body: {}, signal: AbortSignal.timeout(2_000) });
    await expect(failing).rejects.toMatchObject({ kind: 'transient' });
    await expect(failing).rejects.toThrow(/could not reach http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings \(ECONNREFUSED\)/);
  });

  it('redacts every occurrence of a secret', () => {
    expect(redact('key sk-abcdef and again sk-abcdef', ['sk-abcdef', undefined])).toBe('key [redacted] and again [redacted]');
  });
});
