/**
 * AWS clients, created once per Lambda container. DYNAMODB_ENDPOINT points the SDK at a local
 * DynamoDB-compatible server (dynalite via `delphi db`); unset, the SDK talks to AWS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { environment, localRegion } from '../config';

export interface ClientRetryOptions {
  maxAttempts: number;
  /** Full-jitter exponential backoff base; the SDK's default is 100 ms (500 ms when throttled). */
  baseDelayMs: number;
}

type RetryErrorType = 'TRANSIENT' | 'THROTTLING' | 'SERVER_ERROR' | 'CLIENT_ERROR';
interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/** The SDK's RetryStrategyV2 with a configurable base delay (tests use a few ms). */
function fullJitterRetryStrategy({ maxAttempts, baseDelayMs }: ClientRetryOptions) {
  const token = (count: number, delay: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => delay });
  return {
    mode: 'standard',
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous: RetryToken, error: { errorType: RetryErrorType }) => {
      const attempts = previous.getRetryCount() + 1;
      if (error.errorType === 'CLIENT_ERROR' || attempts >= maxAttempts) throw new Error('No retry token available');
      return token(attempts, Math.random() * baseDelayMs * 2 ** attempts);
    },
    recordSuccess: () => undefined,
  };
}

/**
 * The one S3 client maker, for the source reader and the API's source check: the SDK's 3 attempts;
 * with an endpoint, one for a local S3-compatible server (path-style URLs, dummy credentials), as the
 * tests use.
 */
export function createS3Client(endpoint?: string, retry?: ClientRetryOptions): S3Client {
  return new S3Client({
    maxAttempts: 3,
    ...(endpoint
      ? { endpoint, forcePathStyle: true, region: localRegion(), credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    ...(retry ? { maxAttempts: retry.maxAttempts, retryStrategy: fullJitterRetryStrategy(retry) as never } : {}),
  });
}

export function createDocumentClient(endpoint = environment().DYNAMODB_ENDPOINT, retry?: ClientRetryOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(endpoint
      ? {
          endpoint,
          region: localRegion(),
          // dynalite accepts any credentials; real ones must never be needed locally.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
    maxAttempts: retry?.maxAttempts ?? 5,
    ...(retry ? { retryStrategy: fullJitterRetryStrategy(retry) as never } : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}
