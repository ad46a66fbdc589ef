/**
 * The one retry layer of every embedding and LLM provider: bounded concurrency, exponential backoff
 * with full jitter, `Retry-After` honoured, a timeout per request. A request that keeps failing ends
 * the step with the error the state machine retries (`ProviderThrottledError` after 429s,
 * `TransientError` after 5xx, timeouts and network errors); a request that cannot succeed ends it at
 * once with `ProviderError`. The SDK clients (Anthropic, Bedrock) are created with their own retries
 * off, so waits do not multiply.
 */
import { ProviderError, ProviderThrottledError, TransientError } from '../errors';
import { logger } from '../logger';

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Backoff before retry k (1-based) is uniform in [0, min(maxDelayMs, baseDelayMs · 2^(k−1))]. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A provider asking to wait longer than this ends the step instead: Step Functions waits better than a Lambda. */
  maxRetryAfterMs: number;
  /** One request, connection to last byte. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
  timeoutMs: 60_000,
};

export type FailureKind = 'throttled' | 'transient';

/** Thrown by one attempt that may succeed when repeated; `withRetries` decides whether it is. */
export class RetryableFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableFailure';
  }
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Aborts waiting and the request in flight (a sibling request failed for good). */
  signal?: AbortSignal;
  /** Replaced in tests to record the waits. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/**
 * Runs `attempt` until it succeeds, retrying RetryableFailures and per-request timeouts. Any other
 * error (ProviderError, ConfigurationError, an abort from outside) passes through at once.
 * `what` names the request in the final error ("openai embeddings batch 2/5").
 */
export async function withRetries<T>(
  what: string,
  attempt: (context: { attempt: number; signal: AbortSignal }) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, signal: outer } = options;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  for (let n = 1; ; n++) {
    outer?.throwIfAborted();
    const timeout = AbortSignal.timeout(policy.timeoutMs);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    let failure: RetryableFailure;
    try {
      return await attempt({ attempt: n, signal });
    } catch (error) {
      if (error instanceof RetryableFailure) failure = error;
      else if (timeout.aborted && !outer?.aborted) failure = new RetryableFailure('transient', `no answer within ${policy.timeoutMs} ms`);
      else throw error;
    }
    if (n >= policy.maxAttempts) throw finalError(what, failure, `after ${n} attempts`);
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxRetryAfterMs) {
      throw finalError(what, failure, `asked to retry after ${Math.ceil(failure.retryAfterMs / 1000)} s`);
    }
    const waitMs = Math.round(retryDelay(n, failure.retryAfterMs, policy, random));
    // Messages are already free of keys (redacted where a provider's answer is quoted).
    logger.warn('provider request retried', { request: what, attempt: n, kind: failure.kind, reason: failure.message, wait_ms: waitMs });
    await sleep(waitMs, outer);
  }
}

/** Full jitter; a Retry-After is the least wait, plus a little jitter so parallel requests spread out. */
export function retryDelay(retry: number, retryAfterMs: number | undefined, policy: RetryPolicy, random = Math.random): number {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  if (retryAfterMs !== undefined) return retryAfterMs + random() * Math.min(policy.baseDelayMs, backoff);
  return random() * backoff;
}

function finalError(what: string, failure: RetryableFailure, when: string): Error {
  const message = `${what}: ${failure.message} (gave up ${when})`;
  return failure.kind === 'throttled' ? new ProviderThrottledError(message) : new TransientError(message);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `work` over `items` with at most `limit` in flight, results in input order. The first error aborts
 * the signal given to the others, waits for them to settle (nothing keeps running after the step
 * ends) and is rethrown.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const controller = new AbortController();
  let next = 0;
  let firstError: { error: unknown } | undefined;
  const worker = async () => {
    while (!firstError && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index], index, controller.signal);
      } catch (error) {
        if (!firstError) {
          firstError = { error };
          controller.abort(new Error('a parallel request failed'));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (firstError) throw firstError.error;
  return results;
}

/** Retry-After as milliseconds: `retry-after-ms` (OpenAI, Anthropic), else `retry-after` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: { get(name: string): string | null | undefined }, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Replaces every secret (API key) in `text`; applied to anything a provider sent back before it reaches an error. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}

/** The human part of a provider's error body: OpenAI/Ollama `{error:{message}}`, Anthropic `{type:"error",error:{type,message}}`, TEI `{error}`, Bedrock `{message}`. */
export function providerErrorMessage(body: unknown, fallback: string): string {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const error = record.error;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const { message, type, code } = error as Record<string, unknown>;
    const label = [type, code].filter((part) => typeof part === 'string' && part).join('/');
    if (typeof message === 'string') return label ? `${message} (${label})` : message;
  }
  if (typeof record.message === 'string') return record.message;
  return fallback;
}

export function snippet(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Quota exhausted (OpenAI `insufficient_quota`, Anthropic spend limit): a 429 that no wait fixes. */
const PERMANENT_429 = /insufficient_quota|billing_hard_limit|spend_limit/;

/**
 * The failure an HTTP error status means: 429 (and Anthropic's 529 overloaded) throttled, 408/409/5xx
 * transient, anything else (400, 401, 403, 404, 413, 422…) a ProviderError with the provider's message.
 */
export function failureForStatus(provider: string, status: number, body: string, retryAfterMs: number | undefined, secrets: ReadonlyArray<string | undefined>): Error {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const detail = redact(snippet(providerErrorMessage(parsed, body || 'no body')), secrets);
  const message = `${provider} answered HTTP ${status}: ${detail}`;
  if (status === 429 && PERMANENT_429.test(body)) return new ProviderError(message);
  if (status === 429 || status === 529) return new RetryableFailure('throttled', message, retryAfterMs);
  if (status === 408 || status === 409 || status >= 500) return new RetryableFailure('transient', message, retryAfterMs);
  return new ProviderError(message);
}

export interface JsonPost {
  /** Names the provider in errors: "openai embeddings". */
  provider: string;
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  signal: AbortSignal;
  /** Values to blank out of anything quoted from the response (the API key). */
  secrets?: ReadonlyArray<string | undefined>;
  /** Appended to a 401/403 error (why no key was sent). */
  unauthorizedHint?: string;
}

/** One POST of a JSON body with fetch; a JSON answer or the classified failure. */
export async function postJson({ provider, url, body, headers, signal, secrets = [], unauthorizedHint }: JsonPost): Promise<unknown> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
      signal,
      // An allowed endpoint must not pass the comments on to another (the metadata service, say).
      redirect: 'manual',
    });
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw error; // a timeout or a failed sibling: withRetries knows which
    throw new RetryableFailure('transient', `${provider}: could not reach ${describeUrl(url)} (${networkReason(error)})`);
  }
  if (!response.ok) {
    const failure = failureForStatus(provider, response.status, text, parseRetryAfter(response.headers), secrets);
    if (unauthorizedHint && (response.status === 401 || response.status === 403)) failure.message += ` (${unauthorizedHint})`;
    throw failure;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError(`${provider} answered HTTP ${response.status} with a body that is not JSON: ${redact(snippet(text, 200), secrets) || '(empty)'}`);
  }
}

/** Origin and path only: never a query string or credentials. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the configured URL';
  }
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

/** `base` + `/path`, tolerating a trailing slash on the base URL. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
