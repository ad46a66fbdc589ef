/**
 * Deployed, the Polis database's credentials come from a Secrets Manager secret whose ARN is in
 * DELPHI_PG_SECRET_ARN (serverless param polisDatabaseSecretArn; only the Embed functions may read
 * it, shared/deploy/iam.ts). The secret is JSON as RDS and Secrets Manager's rotation templates write
 * it: `username`, `password`, and optionally `host`, `port`, `dbname`. They fill the parts a
 * postgres:// source leaves out, ahead of the PG* environment variables. Read once per container; a
 * failed read is not kept, so a retry reads again. No message ever quotes the secret's value.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { isRetryableAwsError } from '../aws/errors';
import { createSecretsManagerClient } from '../aws/providerClients';
import type { Environment } from '../config';
import { ConfigurationError, TransientError } from '../errors';

/** The SecretString of a secret; throws the store's error. */
export type SecretReader = (secretId: string) => Promise<string | undefined>;

const readFromSecretsManager: SecretReader = async (secretId) =>
  (await createSecretsManagerClient().send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;

/** What a postgres:// source is completed with: the PG* variables (psql's) and the timeouts. */
export type PostgresEnvironment = Pick<
  Environment,
  'PGHOST' | 'PGPORT' | 'PGDATABASE' | 'PGUSER' | 'PGPASSWORD' | 'PGSSLMODE' | 'DELPHI_PG_CONNECT_TIMEOUT_MS' | 'DELPHI_PG_STATEMENT_TIMEOUT_MS'
>;
type Credentials = { -readonly [K in 'PGHOST' | 'PGPORT' | 'PGDATABASE' | 'PGUSER' | 'PGPASSWORD']?: PostgresEnvironment[K] };

const cache = new Map<string, Promise<Credentials>>();

/** The environment the source is parsed with: `env` with PGUSER, PGPASSWORD, … from the secret when DELPHI_PG_SECRET_ARN is set. */
export function postgresEnvironment<E extends PostgresEnvironment & Pick<Environment, 'DELPHI_PG_SECRET_ARN'>>(
  env: E,
  readSecret: SecretReader = readFromSecretsManager,
): Promise<E> {
  const secretId = env.DELPHI_PG_SECRET_ARN;
  if (!secretId) return Promise.resolve(env);
  let reading = cache.get(secretId);
  if (!reading) {
    reading = readCredentials(secretId, readSecret);
    cache.set(secretId, reading);
    reading.catch(() => cache.delete(secretId));
  }
  return reading.then((fromSecret) => ({ ...env, ...fromSecret }));
}

/** Forget the cached secrets (tests; a rotated secret is picked up by the next container). */
export function clearPostgresSecretCache(): void {
  cache.clear();
}

async function readCredentials(secretId: string, readSecret: SecretReader): Promise<Credentials> {
  const what = `The Polis database secret ${secretId} (DELPHI_PG_SECRET_ARN)`;
  let text: string | undefined;
  try {
    text = await readSecret(secretId);
  } catch (error) {
    throw secretError(error, what);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text ?? '') as Record<string, unknown>;
  } catch {
    throw new ConfigurationError(`${what} is not JSON: store {"username": …, "password": …, "host": …, "port": …, "dbname": …}`);
  }
  if (!parsed || typeof parsed !== 'object' || typeof parsed.password !== 'string' || parsed.password === '') {
    throw new ConfigurationError(`${what} has no "password" field: store {"username": …, "password": …, "host": …, "port": …, "dbname": …}`);
  }
  const field = (name: string) => {
    const value = parsed[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value).trim() || undefined : undefined;
  };
  const credentials: Credentials = { PGPASSWORD: parsed.password };
  for (const [name, variable] of [['username', 'PGUSER'], ['host', 'PGHOST'], ['dbname', 'PGDATABASE']] as const) {
    const value = field(name);
    if (value !== undefined) credentials[variable] = value;
  }
  const port = field('port');
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new ConfigurationError(`${what} has a "port" that is not a port number (1–65535)`);
    credentials.PGPORT = Number(port);
  }
  return credentials;
}

/** The store's error by name only (its message could quote what it was asked). */
function secretError(error: unknown, what: string): Error {
  const name = (error as { name?: string })?.name ?? 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (name === 'ResourceNotFoundException') return new ConfigurationError(`${what} does not exist`);
  if (/AccessDenied|DecryptionFailure|KMS|InvalidKeyId/.test(name)) {
    return new ConfigurationError(`${what} could not be read (${name}): the Embed functions' role needs secretsmanager:GetSecretValue on it (and kms:Decrypt on a customer-managed key)`);
  }
  // Retryable by the one AWS rule (shared/aws/errors.ts), or no HTTP status at all: the store never answered.
  if (isRetryableAwsError(error) || status === undefined) {
    return new TransientError(`${what} could not be read (${name}); may pass on retry`);
  }
  return new ConfigurationError(`${what} could not be read (${name})`);
}
