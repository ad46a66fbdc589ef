/** Deployed Polis database credentials from a Secrets Manager secret (shared/sources/postgresSecret.ts). */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parseEnvironment } from '../../shared/config';
import { ConfigurationError, TransientError } from '../../shared/errors';
import { parsePostgresSource } from '../../shared/sources/postgres';
import { clearPostgresSecretCache, postgresEnvironment } from '../../shared/sources/postgresSecret';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:polis-db-AbCdEf';
const SECRET = JSON.stringify({ engine: 'postgres', username: 'delphi_reader', password: 'pa:ss/w@rd', host: 'polis.cluster-x.eu-west-1.rds.amazonaws.com', port: 5433, dbname: 'polis' });

const storeError = (name: string, status?: number) => Object.assign(new Error(`${name}: secret ${SECRET}`), { name, $metadata: { httpStatusCode: status } });

beforeEach(() => clearPostgresSecretCache());

describe('postgresEnvironment', () => {
  it('leaves the environment as it is without DELPHI_PG_SECRET_ARN', async () => {
    const reader = vi.fn();
    const env = parseEnvironment({ PGPASSWORD: 'local' });
    expect(await postgresEnvironment(env, reader)).toBe(env);
    expect(reader).not.toHaveBeenCalled();
  });

  it("fills what the URL leaves out from the secret, ahead of the PG* variables; the URL's own parts win", async () => {
    const reader = vi.fn(async () => SECRET);
    const env = await postgresEnvironment(parseEnvironment({ DELPHI_PG_SECRET_ARN: ARN, PGUSER: 'someone-else', PGPASSWORD: 'old' }), reader);

    const bare = parsePostgresSource('postgres:///?zid=3', env);
    expect(bare.config).toMatchObject({ user: 'delphi_reader', password: 'pa:ss/w@rd', host: 'polis.cluster-x.eu-west-1.rds.amazonaws.com', port: 5433, database: 'polis' });
    const explicit = parsePostgresSource('postgres://other@10.0.0.5:5432/polis_copy?zid=3', env);
    expect(explicit.config).toMatchObject({ user: 'other', password: 'pa:ss/w@rd', host: '10.0.0.5', port: 5432, database: 'polis_copy' });
    expect(reader).toHaveBeenCalledWith(ARN);
  });

  it('reads the secret once per container, but again after a failed read', async () => {
    const reader = vi.fn().mockRejectedValueOnce(storeError('ThrottlingException', 400)).mockResolvedValue(SECRET);
    const env = parseEnvironment({ DELPHI_PG_SECRET_ARN: ARN });
    await expect(postgresEnvironment(env, reader)).rejects.toBeInstanceOf(TransientError);
    await postgresEnvironment(env, reader);
    await postgresEnvironment(env, reader);
    expect(reader).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['a missing secret', storeError('ResourceNotFoundException', 400), ConfigurationError, /does not exist/],
    ['no permission', storeError('AccessDeniedException', 400), ConfigurationError, /needs secretsmanager:GetSecretValue on it/],
    ['a throttled read', storeError('ThrottlingException', 400), TransientError, /may pass on retry/],
    ['a network failure', storeError('TimeoutError'), TransientError, /may pass on retry/],
    // Throttling names only the shared AWS rule knows (shared/aws/errors.ts), and a 5xx.
    ['a request limit', storeError('RequestLimitExceeded', 400), TransientError, /may pass on retry/],
    ['a 503', storeError('ServiceUnavailable', 503), TransientError, /may pass on retry/],
    ['a refused request', storeError('InvalidParameterException', 400), ConfigurationError, /could not be read \(InvalidParameterException\)$/],
  ])('names %s without quoting the store’s message', async (_case, error, type, message) => {
    const failure = await postgresEnvironment(parseEnvironment({ DELPHI_PG_SECRET_ARN: ARN }), async () => Promise.reject(error)).then(() => undefined, (caught: unknown) => caught as Error);
    expect(failure).toBeInstanceOf(type);
    expect(failure!.message).toMatch(message);
    expect(failure!.message).toContain(ARN);
    expect(failure!.message).not.toContain('pa:ss/w@rd');
  });

  it.each([
    ['not JSON', 'pa:ss/w@rd', /is not JSON/],
    ['JSON without a password', JSON.stringify({ username: 'u', pw: 'pa:ss/w@rd' }), /has no "password" field/],
  ])('refuses a secret that is %s, without quoting it', async (_case, value, message) => {
    const failure = await postgresEnvironment(parseEnvironment({ DELPHI_PG_SECRET_ARN: ARN }), async () => value).then(() => undefined, (caught: unknown) => caught as Error);
    expect(failure).toBeInstanceOf(ConfigurationError);
    expect(failure!.message).toMatch(message);
    expect(failure!.message).not.toContain('pa:ss/w@rd');
  });
});
