import { parseEnvironment } from '../../../shared/config';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, TransientError } from '../../../shared/errors';
import { apiKeyResolver } from '../../../shared/providers/secrets';

const KEY = 'sk-live-secret-value-1234';
const OPENAI = 'https://api.openai.com/v1';
const ANTHROPIC = 'https://api.anthropic.com';
const ssmMock = mockClient(SSMClient);
const secretsMock = mockClient(SecretsManagerClient);

afterEach(() => {
  ssmMock.reset();
  secretsMock.reset();
});

const resolver = (env: Record<string, string>) =>
  apiKeyResolver({ ssm: () => new SSMClient({ region: 'eu-west-1' }), secretsManager: () => new SecretsManagerClient({ region: 'eu-west-1' }), env: parseEnvironment(env) });

describe('API keys', () => {
  it('reads an SSM SecureString with decryption, once per container', async () => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: '/delphi/openai-api-key', Type: 'SecureString', Value: `${KEY}\n` } });
    const apiKey = resolver({ OPENAI_API_KEY_PARAMETER: '/delphi/openai-api-key', OPENAI_API_KEY: 'ignored-when-a-store-is-named' });
    expect(await apiKey('openai', OPENAI)).toBe(KEY);
    expect(await apiKey('openai', OPENAI)).toBe(KEY);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(ssmMock.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: '/delphi/openai-api-key', WithDecryption: true });
  });

  it('reads a Secrets Manager secret holding the key itself or JSON with api_key', async () => {
    secretsMock.on(GetSecretValueCommand, { SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:plain' }).resolves({ SecretString: KEY });
    secretsMock.on(GetSecretValueCommand, { SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:json' }).resolves({ SecretString: JSON.stringify({ api_key: KEY }) });
    expect(await resolver({ ANTHROPIC_API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:plain' })('anthropic', ANTHROPIC)).toBe(KEY);
    expect(await resolver({ ANTHROPIC_API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:json' })('anthropic', ANTHROPIC)).toBe(KEY);
  });

  it('falls back to the plain variable locally, and to no key at all', async () => {
    expect(await resolver({ OPENAI_API_KEY: KEY })('openai', OPENAI)).toBe(KEY);
    expect(await resolver({})('openai', OPENAI)).toBeUndefined();
    expect(ssmMock.calls()).toHaveLength(0);
  });

  it('explains a missing parameter or a missing permission without quoting any value', async () => {
    ssmMock.on(GetParameterCommand).rejects(Object.assign(new Error('Parameter /delphi/nope not found.'), { name: 'ParameterNotFound', $metadata: { httpStatusCode: 400 } }));
    await expect(resolver({ OPENAI_API_KEY_PARAMETER: '/delphi/nope' })('openai', OPENAI)).rejects.toThrow(
      new ConfigurationError('SSM parameter /delphi/nope (OPENAI_API_KEY_PARAMETER) does not exist'),
    );
    secretsMock.on(GetSecretValueCommand).rejects(Object.assign(new Error(`not authorized ${KEY}`), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    const denied = await resolver({ ANTHROPIC_API_KEY_SECRET_ARN: 'arn:x' })('anthropic', ANTHROPIC).then(() => new Error('expected a failure'), (error: Error) => error);
    expect(denied).toBeInstanceOf(ConfigurationError);
    expect(denied.message).toMatch(/the role needs secretsmanager:GetSecretValue/);
    expect(denied.message).not.toContain(KEY);
  });

  it('reports a throttled store as transient and tries again on the next call', async () => {
    ssmMock.on(GetParameterCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }))
      .resolves({ Parameter: { Value: KEY } });
    const apiKey = resolver({ OPENAI_API_KEY_PARAMETER: '/delphi/openai-api-key' });
    await expect(apiKey('openai', OPENAI)).rejects.toBeInstanceOf(TransientError);
    expect(await apiKey('openai', OPENAI)).toBe(KEY);
  });

  it('hands a key only to the provider\'s own API, the deployment\'s URLs and the listed origins', async () => {
    const apiKey = resolver({
      OPENAI_API_KEY: KEY,
      DELPHI_EMBEDDING_URL: 'http://ollama.internal:11434/v1',
      OPENAI_API_KEY_ORIGINS: 'https://vllm.example.org, https://gateway.example.org:8443',
    });
    expect(await apiKey('openai', 'https://api.openai.com/v1')).toBe(KEY);
    expect(await apiKey('openai', 'http://ollama.internal:11434/v1/')).toBe(KEY);
    expect(await apiKey('openai', 'https://vllm.example.org/v1')).toBe(KEY);
    expect(await apiKey('openai', 'https://gateway.example.org:8443/openai/v1')).toBe(KEY);
    // A URL from an execution's options that the deployment did not name gets no key.
    expect(await apiKey('openai', 'https://attacker.example/v1')).toBeUndefined();
    expect(await apiKey('openai', 'https://gateway.example.org/v1')).toBeUndefined();
    expect(await apiKey('openai', 'http://api.openai.com/v1')).toBeUndefined();
  });

  it('rejects an empty secret', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: '{"other":"x"}' });
    await expect(resolver({ OPENAI_API_KEY_SECRET_ARN: 'arn:x' })('openai', OPENAI)).rejects.toThrow(/holds no key/);
  });
});
