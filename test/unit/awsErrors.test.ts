import { describe, expect, it } from 'vitest';
import { asStepError, awsFailureKind } from '../../shared/aws/errors';
import { InvalidInputError, TransientError } from '../../shared/errors';

const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status, attempts: 3 }, ...extra });

describe('awsFailureKind: one rule for every AWS call', () => {
  it.each([
    ['DynamoDB throughput exceeded', sdkError('ProvisionedThroughputExceededException', 400), 'throttled'],
    ['a throttled API call', sdkError('ThrottlingException', 400), 'throttled'],
    ['S3 SlowDown', sdkError('SlowDown', 503), 'throttled'],
    ['an HTTP 429', sdkError('TooManyRequestsException', 429), 'throttled'],
    ['Bedrock model not ready', sdkError('ModelNotReadyException', 429), 'throttled'],
    ['a 500', sdkError('InternalServerError', 500), 'transient'],
    ['a 503 by name', sdkError('ServiceUnavailable', 503), 'transient'],
    ['a request timeout', sdkError('RequestTimeout', 400), 'transient'],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
    ['no answer after the SDK retries', sdkError('TimeoutError'), 'transient'],
    ['an SDK error marked retryable', sdkError('Weird', 400, { $retryable: {} }), 'transient'],
    ['a conditional check', sdkError('ConditionalCheckFailedException', 400), 'permanent'],
    ['access denied', sdkError('AccessDeniedException', 403), 'permanent'],
    ['a missing key', sdkError('NoSuchKey', 404), 'permanent'],
    ['a validation error', sdkError('ValidationException', 400), 'permanent'],
    ['a programming error (no SDK metadata)', new TypeError('x is undefined'), 'permanent'],
  ])('%s → %s', (_what, error, kind) => {
    expect(awsFailureKind(error)).toBe(kind);
  });
});

describe('asStepError', () => {
  it('turns a retryable failure into the TransientError the ASL retries, naming the call and the SDK error', () => {
    const error = asStepError(sdkError('SlowDown', 503), 'S3 GetObject s3://b/k');
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe('S3 GetObject s3://b/k failed transiently: SlowDown: SlowDown happened');
    expect((error as Error).cause).toMatchObject({ name: 'SlowDown' });
  });

  it('leaves permanent failures and Delphi errors as they are', () => {
    const denied = sdkError('AccessDeniedException', 403);
    expect(asStepError(denied, 'x')).toBe(denied);
    const invalid = new InvalidInputError('bad');
    expect(asStepError(invalid, 'x')).toBe(invalid);
  });
});
