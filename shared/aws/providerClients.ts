/**
 * The AWS clients of the embedding/LLM providers and of the secret stores, created on first use by
 * shared/providers/services.ts. Bedrock's own retries are off: shared/providers/http.ts is the one
 * retry layer, so a throttled call is not retried 3 × 5 times.
 * BEDROCK_REGION picks the Bedrock region when the models live elsewhere than the Lambda.
 */
import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { environment } from '../config';

export function createBedrockClient(config: BedrockRuntimeClientConfig = {}): BedrockRuntimeClient {
  const { BEDROCK_REGION, AWS_REGION } = environment();
  const region = BEDROCK_REGION ?? AWS_REGION;
  return new BedrockRuntimeClient({ ...(region ? { region } : {}), ...config, maxAttempts: 1 });
}

export function createSsmClient(): SSMClient {
  return new SSMClient({ maxAttempts: 3 });
}

export function createSecretsManagerClient(): SecretsManagerClient {
  return new SecretsManagerClient({ maxAttempts: 3 });
}
