/**
 * Picks the embedding provider and the topic namer an execution's options name (already validated
 * and filled in by parseOptions), with the services they share: the retry policy, API keys and the
 * Bedrock client. Only the Embed and NameTopics steps load this module and the SDKs behind it.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createBedrockClient, createSecretsManagerClient, createSsmClient } from '../aws/providerClients';
import type { ProviderOptions } from './settings';
import { BedrockEmbedder } from './embedding/bedrock';
import { HybridEmbedder } from './embedding/hybrid';
import { LsaEmbedder } from './embedding/lsa';
import { OpenAiEmbedder } from './embedding/openai';
import { SentenceEmbedder } from './embedding/sentence';
import type { EmbeddingProvider } from './embedding/provider';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './http';
import { AnthropicNamer } from './naming/anthropic';
import { BedrockNamer } from './naming/bedrock';
import { KeywordsNamer } from './naming/keywords';
import type { TopicNamer } from './naming/namer';
import { OpenAiNamer } from './naming/openai';
import { apiKeyResolver, type ApiKeyResolver } from './secrets';
import { EMBEDDER_SETTINGS, NAMER_SETTINGS } from './settings';

export type { EarlierEmbeddings, EmbeddingProvider, EmbeddingResult } from './embedding/provider';
export type { ClusterToName, TopicNamer } from './naming/namer';

export interface ProviderServices {
  retry: RetryPolicy;
  apiKey: ApiKeyResolver;
  bedrock(): BedrockRuntimeClient;
}

let defaults: ProviderServices | undefined;

/** The services of this container, each client created on first use. */
export function defaultProviderServices(): ProviderServices {
  if (!defaults) {
    let bedrock: BedrockRuntimeClient | undefined;
    defaults = {
      retry: DEFAULT_RETRY_POLICY,
      apiKey: apiKeyResolver({ ssm: createSsmClient, secretsManager: createSecretsManagerClient }),
      bedrock: () => (bedrock ??= createBedrockClient()),
    };
  }
  return defaults;
}

export function createEmbeddingProvider(options: ProviderOptions, services: ProviderServices): EmbeddingProvider {
  const builtIn = EMBEDDER_SETTINGS[options.embedder].defaults;
  const concurrency = options.embedding_concurrency ?? builtIn.embedding_concurrency ?? 1;
  switch (options.embedder) {
    case 'hybrid':
      return new HybridEmbedder({ dimensions: options.embedding_dimensions });
    case 'sentence':
      return new SentenceEmbedder({ dimensions: options.embedding_dimensions });
    case 'lsa':
      return new LsaEmbedder({ dimensions: options.embedding_dimensions });
    case 'openai': {
      const baseUrl = options.embedding_url ?? builtIn.embedding_url!;
      return new OpenAiEmbedder({
        baseUrl,
        model: options.embedding_model ?? builtIn.embedding_model!,
        dimensions: options.embedding_dimensions,
        batchSize: options.embedding_batch_size ?? builtIn.embedding_batch_size!,
        concurrency,
        apiKey: () => services.apiKey('openai', baseUrl),
        retry: services.retry,
      });
    }
    case 'bedrock':
      return new BedrockEmbedder({
        model: options.embedding_model ?? builtIn.embedding_model!,
        dimensions: options.embedding_dimensions ?? builtIn.embedding_dimensions!,
        concurrency,
        client: services.bedrock,
        retry: services.retry,
      });
  }
}

export function createTopicNamer(options: ProviderOptions, services: ProviderServices): TopicNamer {
  const builtIn = NAMER_SETTINGS[options.topic_namer].defaults;
  const model = options.namer_model ?? builtIn.namer_model!;
  const baseUrl = options.namer_url ?? builtIn.namer_url!;
  const concurrency = options.namer_concurrency ?? builtIn.namer_concurrency ?? 1;
  const retry = services.retry;
  switch (options.topic_namer) {
    case 'keywords':
      return new KeywordsNamer();
    case 'openai':
      return new OpenAiNamer({ baseUrl, model, concurrency, apiKey: () => services.apiKey('openai', baseUrl), retry, language: options.label_language });
    case 'anthropic':
      return new AnthropicNamer({ baseUrl, model, concurrency, apiKey: () => services.apiKey('anthropic', baseUrl), retry, language: options.label_language });
    case 'bedrock':
      return new BedrockNamer({ model, concurrency, client: services.bedrock, retry, language: options.label_language });
  }
}
