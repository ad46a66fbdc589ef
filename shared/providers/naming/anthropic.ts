/**
 * Anthropic's Messages API through the official SDK, its own retries off (shared/providers/http.ts
 * retries, honouring retry-after). Request `{model, max_tokens, system, messages}` (this SDK
 * version has no temperature parameter); answer `{type: "message", content: [{type: "text", text}],
 * stop_reason, usage}`; errors `{type: "error", error: {type, message}}` — 429 rate_limit_error,
 * 529 overloaded_error, 500 api_error.
 */
import Anthropic from '@anthropic-ai/sdk';
import { ConfigurationError, ProviderError } from '../../errors';
import { parseRetryAfter, redact, RetryableFailure, snippet, type RetryPolicy } from '../http';
import { missingApiKeyMessage, noKeySentHint } from '../settings';
import { MAX_LABEL_TOKENS, nameWithLlm, type ClusterToName, type TopicNamer } from './namer';

export interface AnthropicNamerSettings {
  /** The language names are asked in (options.label_language); default: the comments'. */
  language?: string;
  baseUrl: string;
  model: string;
  concurrency: number;
  apiKey: () => Promise<string | undefined>;
  retry: RetryPolicy;
}

export class AnthropicNamer implements TopicNamer {
  readonly provider = 'anthropic' as const;
  readonly model: string;

  constructor(private readonly settings: AnthropicNamerSettings) {
    this.model = settings.model;
  }

  async name(clusters: ClusterToName[]): Promise<Map<string, string>> {
    const { baseUrl, model, concurrency, retry } = this.settings;
    const apiKey = await this.settings.apiKey();
    if (!apiKey) throw new ConfigurationError(`${missingApiKeyMessage('anthropic', 'anthropic topic namer')} (${noKeySentHint('anthropic')})`);
    // No redirects: an allowed endpoint must not pass the comments on to another.
    const client = new Anthropic({ apiKey, baseURL: baseUrl, maxRetries: 0, timeout: retry.timeoutMs, fetchOptions: { redirect: 'manual' } });
    return nameWithLlm(clusters, { provider: 'anthropic', model, concurrency, retry, language: this.settings.language }, async (prompt, signal, what) => {
      let message: Anthropic.Message;
      try {
        message = await client.messages.create(
          { model, max_tokens: MAX_LABEL_TOKENS, system: prompt.system, messages: [{ role: 'user', content: prompt.user }] },
          { signal },
        );
      } catch (error) {
        throw classifyAnthropicError(error, what, signal, apiKey);
      }
      if (!Array.isArray(message?.content)) throw new ProviderError(`${what}: the answer has no content blocks`);
      const texts = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : []));
      if (texts.length === 0) throw new ProviderError(`${what}: the answer has no text content block (stop_reason ${message.stop_reason})`);
      return texts.join('\n');
    });
  }
}

function classifyAnthropicError(error: unknown, what: string, signal: AbortSignal, apiKey: string): Error {
  if (signal.aborted) return error as Error;
  if (error instanceof Anthropic.APIConnectionError) {
    // Includes APIConnectionTimeoutError: no answer in time.
    return new RetryableFailure('transient', `${what}: ${redact(error.message, [apiKey])}`);
  }
  if (error instanceof Anthropic.APIError && typeof error.status === 'number') {
    const detail = redact(snippet(error.apiMessage ?? error.message), [apiKey]);
    const message = `${what}: anthropic answered HTTP ${error.status}: ${detail}${error.type ? ` (${error.type})` : ''}`;
    const retryAfterMs = error.headers ? parseRetryAfter(error.headers) : undefined;
    // A spent monthly limit is a 429 no wait fixes.
    if (error.status === 429 && error.errorCode?.includes('spend_limit')) return new ProviderError(message);
    if (error.status === 429 || error.status === 529) return new RetryableFailure('throttled', message, retryAfterMs);
    if (error.status === 408 || error.status === 409 || error.status >= 500) return new RetryableFailure('transient', message, retryAfterMs);
    return new ProviderError(message);
  }
  // The SDK could not read the answer (not JSON, cut off): a broken endpoint, not a passing fault.
  return new ProviderError(`${what}: unreadable answer from anthropic: ${redact(snippet(String((error as Error)?.message ?? error)), [apiKey])}`);
}
