/**
 * The one rule for AWS SDK errors: which are worth retrying, and the name a retryable one reaches
 * Step Functions under. statemachines/pipeline.asl.yml retries `TransientError` (and
 * `ProviderThrottledError`, which the provider clients raise from a throttled kind); an SDK error
 * that kept failing after the SDK's own retries reaches the ASL under its raw name (`SlowDown`,
 * `ThrottlingException`, …), which no Retry matches — so every AWS call passes its failures through
 * here. Every caller in shared/ uses it: the repository (DynamoDB), the S3 source reader, the API's
 * Step Functions and S3 calls, the secret stores and the Bedrock providers.
 */
import { InvalidInputError, TransientError } from '../errors';

/** throttled: the service asked us to slow down; transient: it or the network failed and may not next time; permanent: retrying cannot help. */
export type AwsFailureKind = 'throttled' | 'transient' | 'permanent';

const THROTTLED = /Throttl|TooManyRequests|RequestLimitExceeded|ProvisionedThroughputExceeded|SlowDown|ServiceQuotaExceeded|ModelNotReady|LimitExceededException/;
const TRANSIENT_NAMES = /InternalServer|InternalService|InternalFailure|ServiceUnavailable|ServiceException$|RequestTimeout|TimeoutError|ModelTimeout|TransactionInProgress/;
/** Node socket errors: the request never got an answer. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function awsFailureKind(error: unknown): AwsFailureKind {
  if (!error || typeof error !== 'object') return 'permanent';
  const sdk = error as SdkErrorShape;
  const name = sdk.name ?? '';
  const status = sdk.$metadata?.httpStatusCode;
  if (THROTTLED.test(name) || status === 429 || (status === 503 && name === 'SlowDown')) return 'throttled';
  if (TRANSIENT_NAMES.test(name) || status === 408 || (status !== undefined && status >= 500)) return 'transient';
  // Every SDK service exception has a `$retryable` property; only the ones the SDK deems retryable give it a value.
  if (NETWORK_CODES.has(sdk.code ?? '') || NETWORK_CODES.has(name) || Boolean(sdk.$retryable)) return 'transient';
  // The SDK stamps $metadata on every error that went through its retry loop; without a status the
  // request got no answer at all (socket closed, timed out).
  if (sdk.$metadata && status === undefined) return 'transient';
  return 'permanent';
}

export const isRetryableAwsError = (error: unknown): boolean => awsFailureKind(error) !== 'permanent';

/**
 * What a step (or the API) throws for an AWS failure: a TransientError that the ASL retries when
 * the failure is retryable, naming the call (`what`, e.g. "DynamoDB batch write") and the SDK's error
 * name; otherwise the error unchanged. Delphi's own errors pass through as they are.
 */
export function asStepError(error: unknown, what: string): unknown {
  if (!(error instanceof Error) || error instanceof TransientError || error instanceof InvalidInputError) return error;
  if (!isRetryableAwsError(error)) return error;
  return new TransientError(`${what} failed transiently: ${error.name}: ${error.message}`, { cause: error });
}
