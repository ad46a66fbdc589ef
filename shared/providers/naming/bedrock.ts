/**
 * Bedrock Runtime Converse: Claude or any model that supports Converse. Request `{messages: [{role:
 * "user", content: [{text}]}], system: [{text}], inferenceConfig: {maxTokens, temperature}}`; answer
 * `{output: {message: {role, content: [{text}]}}, stopReason, usage}`.
 */
import { ConverseCommand, type BedrockRuntimeClient, type ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import { ProviderError } from '../../errors';
import { classifyBedrockError } from '../bedrockErrors';
import type { RetryPolicy } from '../http';
import { MAX_LABEL_TOKENS, nameWithLlm, type ClusterToName, type TopicNamer } from './namer';

export interface BedrockNamerSettings {
  /** The language names are asked in (options.label_language); default: the comments'. */
  language?: string;
  model: string;
  concurrency: number;
  client: () => BedrockRuntimeClient;
  retry: RetryPolicy;
}

export class BedrockNamer implements TopicNamer {
  readonly provider = 'bedrock' as const;
  readonly model: string;

  constructor(private readonly settings: BedrockNamerSettings) {
    this.model = settings.model;
  }

  async name(clusters: ClusterToName[]): Promise<Map<string, string>> {
    const { model, concurrency, retry } = this.settings;
    const client = this.settings.client();
    return nameWithLlm(clusters, { provider: 'bedrock', model, concurrency, retry, language: this.settings.language }, async (prompt, signal, what) => {
      let output: ConverseCommandOutput;
      try {
        output = await client.send(
          new ConverseCommand({
            modelId: model,
            system: [{ text: prompt.system }],
            messages: [{ role: 'user', content: [{ text: prompt.user }] }],
            inferenceConfig: { maxTokens: MAX_LABEL_TOKENS, temperature: 0 },
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        throw classifyBedrockError(error, what, signal);
      }
      const content = output.output?.message?.content;
      if (!Array.isArray(content)) throw new ProviderError(`${what}: the answer has no output.message.content`);
      const texts = content.flatMap((block) => (typeof block.text === 'string' ? [block.text] : []));
      if (texts.length === 0) throw new ProviderError(`${what}: the answer has no text content block (stopReason ${output.stopReason})`);
      return texts.join('\n');
    });
  }
}
