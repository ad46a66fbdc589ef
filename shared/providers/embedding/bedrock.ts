/**
 * Amazon Titan Text Embeddings v2 through Bedrock Runtime InvokeModel: one text per call (the
 * synchronous API has no batch form), so calls run in parallel up to `concurrency`.
 * Request `{inputText, dimensions: 256 | 512 | 1024, normalize: true}`; answer `{embedding,
 * inputTextTokenCount, embeddingsByType}`.
 */
import { InvokeModelCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ProviderError } from '../../errors';
import { classifyBedrockError } from '../bedrockErrors';
import { mapConcurrent, snippet, withRetries, type RetryPolicy } from '../http';
import { checkDimensions, unitVector, type EmbeddingProvider, type EmbeddingResult } from './provider';

export interface BedrockEmbeddingSettings {
  model: string;
  dimensions: number;
  concurrency: number;
  client: () => BedrockRuntimeClient;
  retry: RetryPolicy;
}

export class BedrockEmbedder implements EmbeddingProvider {
  readonly provider = 'bedrock' as const;

  constructor(private readonly settings: BedrockEmbeddingSettings) {}

  async embed(texts: string[]): Promise<EmbeddingResult> {
    const { model, dimensions, concurrency, retry } = this.settings;
    const client = this.settings.client();
    const vectors = await mapConcurrent(texts, concurrency, (text, index, signal) => {
      const what = `bedrock ${model}, text ${index + 1}/${texts.length}`;
      return withRetries(
        what,
        async ({ signal: attemptSignal }) => {
          let answer: Uint8Array;
          try {
            const output = await client.send(
              new InvokeModelCommand({
                modelId: model,
                contentType: 'application/json',
                accept: 'application/json',
                body: JSON.stringify({ inputText: text, dimensions, normalize: true }),
              }),
              { abortSignal: attemptSignal },
            );
            answer = output.body;
          } catch (error) {
            throw classifyBedrockError(error, what, attemptSignal);
          }
          return parseTitan(answer, what);
        },
        { policy: retry, signal },
      );
    });
    return { vectors, model, dimensions: checkDimensions(vectors, dimensions, `bedrock ${model}`) };
  }
}

function parseTitan(body: Uint8Array | undefined, what: string): Float32Array {
  const text = new TextDecoder().decode(body ?? new Uint8Array());
  let parsed: { embedding?: unknown; embeddingsByType?: { float?: unknown } };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ProviderError(`${what}: the answer is not JSON: ${snippet(text, 200) || '(empty)'}`);
  }
  const values = parsed?.embedding ?? parsed?.embeddingsByType?.float;
  if (values === undefined) throw new ProviderError(`${what}: the answer has no "embedding" (is the model a Titan v2 embedding model?)`);
  return unitVector(values, what);
}
