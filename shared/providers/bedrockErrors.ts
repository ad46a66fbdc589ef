/** Bedrock Runtime errors (InvokeModel, Converse) sorted into retry-throttled, retry-transient and give-up. */
import { awsFailureKind } from '../aws/errors';
import { ProviderError } from '../errors';
import { parseRetryAfter, RetryableFailure, snippet } from './http';

const HINTS: Record<string, string> = {
  AccessDeniedException: ' — the role needs bedrock:InvokeModel on this model, and model access must be granted in the Bedrock console',
  ResourceNotFoundException: ' — check the model id and the region (BEDROCK_REGION)',
};

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/**
 * The failure an SDK error means. An error while `signal` is aborted passes through unchanged
 * (withRetries knows a timeout from a cancelled sibling).
 */
export function classifyBedrockError(error: unknown, what: string, signal: AbortSignal): Error {
  if (signal.aborted) return error as Error;
  const sdk = (error ?? {}) as SdkError;
  const name = sdk.name ?? 'Error';
  const status = sdk.$metadata?.httpStatusCode;
  const headers = sdk.$response?.headers ?? {};
  const retryAfterMs = parseRetryAfter({ get: (header) => headers[header] ?? headers[header.toLowerCase()] });
  const message = `${what}: ${name}${status ? ` (HTTP ${status})` : ''}: ${snippet(sdk.message ?? String(error))}${HINTS[name] ?? ''}`;
  const kind = awsFailureKind(error);
  if (kind === 'throttled') return new RetryableFailure('throttled', message, retryAfterMs);
  if (kind === 'transient' && status !== undefined) return new RetryableFailure('transient', message, retryAfterMs);
  if (name === 'CredentialsProviderError') return new ProviderError(`${what}: no AWS credentials (${snippet(sdk.message ?? '')})`);
  // No HTTP status: the request never got an answer (connection refused or reset, DNS, socket timeout).
  if (status === undefined) return new RetryableFailure('transient', message);
  return new ProviderError(message);
}
