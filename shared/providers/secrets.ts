/**
 * API keys of the providers, read once per container and cached. In AWS the environment names where
 * the key is kept, never the key itself: OPENAI_API_KEY_PARAMETER / ANTHROPIC_API_KEY_PARAMETER (an
 * SSM SecureString parameter, read with decryption) or OPENAI_API_KEY_SECRET_ARN /
 * ANTHROPIC_API_KEY_SECRET_ARN (a Secrets Manager secret whose SecretString is the key, or JSON with
 * an `api_key` field). Locally the key may sit in OPENAI_API_KEY / ANTHROPIC_API_KEY. No key, and no
 * part of one, is ever logged or put in an error message.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { isRetryableAwsError } from '../aws/errors';
import { environment } from '../config';
import { ConfigurationError, TransientError } from '../errors';
import { API_KEY_SOURCES, keyOriginTrusted, type ApiKeyName, type KeyEnvironment } from './settings';

export interface SecretStores {
  ssm: () => SSMClient;
  secretsManager: () => SecretsManagerClient;
  /** Unset: this process's (shared/config.ts). */
  env?: KeyEnvironment;
}

/** The key of provider `name` for a request to `url`; undefined when there is none or `url` may not have it. */
export type ApiKeyResolver = (name: ApiKeyName, url: string) => Promise<string | undefined>;

/**
 * A resolver that reads each key once; a failed read is not cached, so the next invocation tries
 * again. A key is only handed out for a URL whose origin may receive it (keyOriginTrusted).
 */
export function apiKeyResolver(stores: SecretStores): ApiKeyResolver {
  const env = stores.env ?? environment();
  const cache = new Map<ApiKeyName, Promise<string | undefined>>();
  return (name, url) => {
    if (!keyOriginTrusted(name, url, env)) return Promise.resolve(undefined);
    let key = cache.get(name);
    if (!key) {
      key = readApiKey(name, stores, env);
      cache.set(name, key);
      key.catch(() => cache.delete(name));
    }
    return key;
  };
}

async function readApiKey(name: ApiKeyName, stores: SecretStores, env: KeyEnvironment): Promise<string | undefined> {
  const sources = API_KEY_SOURCES[name];
  const parameterName = env[sources.parameter]?.trim();
  if (parameterName) {
    const what = `SSM parameter ${parameterName} (${sources.parameter})`;
    let value: string | undefined;
    try {
      const output = await stores.ssm().send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
      value = output.Parameter?.Value;
    } catch (error) {
      throw storeError(error, what, 'ssm:GetParameter on the parameter (and kms:Decrypt on its key when it is a customer-managed key)');
    }
    if (!value?.trim()) throw new ConfigurationError(`${what} is empty`);
    return value.trim();
  }
  const secretId = env[sources.secret]?.trim();
  if (secretId) {
    const what = `Secrets Manager secret ${secretId} (${sources.secret})`;
    let value: string | undefined;
    try {
      value = (await stores.secretsManager().send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } catch (error) {
      throw storeError(error, what, 'secretsmanager:GetSecretValue on the secret (and kms:Decrypt on its key when it is a customer-managed key)');
    }
    const key = keyFromSecretString(value);
    if (!key) throw new ConfigurationError(`${what} holds no key: store the key itself, or JSON with an "api_key" field`);
    return key;
  }
  return env[sources.plain]?.trim() || undefined;
}

/** The key itself, or the `api_key` (or `apiKey`) field of a JSON secret. */
function keyFromSecretString(value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const key = parsed.api_key ?? parsed.apiKey;
      return typeof key === 'string' && key.trim() ? key.trim() : undefined;
    } catch {
      return undefined;
    }
  }
  return text;
}

/** A store's error, by name only (its message could quote what it was asked): fix-it advice for the operator. */
function storeError(error: unknown, what: string, permission: string): Error {
  const name = (error as { name?: string })?.name ?? 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (name === 'ParameterNotFound' || name === 'ResourceNotFoundException') return new ConfigurationError(`${what} does not exist`);
  if (/AccessDenied|DecryptionFailure|KMS|InvalidKeyId/.test(name)) return new ConfigurationError(`${what} could not be read (${name}): the role needs ${permission}`);
  // No HTTP status at all: the store never answered (also an error without the SDK's $metadata).
  if (isRetryableAwsError(error) || status === undefined) {
    return new TransientError(`${what} could not be read (${name}); try again`);
  }
  return new ConfigurationError(`${what} could not be read (${name})`);
}
