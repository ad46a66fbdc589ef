/**
 * Any OpenAI-compatible `POST {base}/embeddings`: OpenAI, Ollama (`all-minilm` = all-MiniLM-L6-v2,
 * 384-d), vLLM, text-embeddings-inference. Request `{model, input: string[], encoding_format,
 * dimensions?}`; answer `{object: "list", data: [{index, embedding}], model, usage}`.
 */
import { ProviderError } from '../../errors';
import { joinUrl, mapConcurrent, postJson, withRetries, type RetryPolicy } from '../http';
import { noKeySentHint } from '../settings';
import { checkDimensions, unitVector, type EmbeddingProvider, type EmbeddingResult } from './provider';

export interface OpenAiEmbeddingSettings {
  baseUrl: string;
  model: string;
  /** Sent as `dimensions` (text-embedding-3 and later); other models return their own size. */
  dimensions?: number;
  batchSize: number;
  concurrency: number;
  /** Optional: Ollama, vLLM and TEI need none. */
  apiKey: () => Promise<string | undefined>;
  retry: RetryPolicy;
}

/**
 * About 100,000 tokens of English: a batch stays well under OpenAI's 300,000 tokens per request
 * even when many comments are long.
 */
export const MAX_BATCH_CHARACTERS = 400_000;

export class OpenAiEmbedder implements EmbeddingProvider {
  readonly provider = 'openai' as const;

  constructor(private readonly settings: OpenAiEmbeddingSettings) {}

  async embed(texts: string[]): Promise<EmbeddingResult> {
    const { baseUrl, model, dimensions, batchSize, concurrency, retry } = this.settings;
    if (texts.length === 0) return { vectors: [], model, dimensions: dimensions ?? 0 };
    const apiKey = await this.settings.apiKey();
    const url = joinUrl(baseUrl, 'embeddings');
    const groups = batches(texts, batchSize, MAX_BATCH_CHARACTERS);
    const perBatch = await mapConcurrent(groups, concurrency, (group, index, signal) => {
      const what = `openai embeddings (${model}) batch ${index + 1}/${groups.length}`;
      return withRetries(
        what,
        async ({ signal: attemptSignal }) => {
          const body = await postJson({
            provider: 'openai embeddings',
            url,
            body: { model, input: group.map((i) => texts[i]), encoding_format: 'float', ...(dimensions ? { dimensions } : {}) },
            headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
            signal: attemptSignal,
            secrets: [apiKey],
            unauthorizedHint: apiKey ? undefined : noKeySentHint('openai'),
          });
          return parseEmbeddings(body, group.length, what);
        },
        { policy: retry, signal },
      );
    });
    const vectors = perBatch.flat();
    return { vectors, model, dimensions: checkDimensions(vectors, dimensions, `openai embeddings (${model})`) };
  }
}

/** Consecutive index groups of at most `maxItems` texts and `maxCharacters` characters (a longer text goes alone). */
export function batches(texts: string[], maxItems: number, maxCharacters: number): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  let characters = 0;
  texts.forEach((text, i) => {
    if (current.length > 0 && (current.length >= maxItems || characters + text.length > maxCharacters)) {
      groups.push(current);
      current = [];
      characters = 0;
    }
    current.push(i);
    characters += text.length;
  });
  if (current.length > 0) groups.push(current);
  return groups;
}

/** The vectors of one answer in input order, by each item's `index`; a float array or base64 float32. */
function parseEmbeddings(body: unknown, expected: number, what: string): Float32Array[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new ProviderError(`${what}: the answer has no "data" array (is the URL an OpenAI-compatible /v1 base?)`);
  if (data.length !== expected) throw new ProviderError(`${what}: sent ${expected} texts, got ${data.length} embeddings`);
  const vectors = new Array<Float32Array>(expected);
  data.forEach((item: { index?: unknown; embedding?: unknown }, position) => {
    const index = typeof item?.index === 'number' ? item.index : position;
    if (!Number.isInteger(index) || index < 0 || index >= expected || vectors[index]) {
      throw new ProviderError(`${what}: embedding ${position} has an invalid or repeated index ${String(item?.index)}`);
    }
    const values = typeof item.embedding === 'string' ? decodeBase64Floats(item.embedding) : item.embedding;
    vectors[index] = unitVector(values, `${what}, text ${index + 1}`);
  });
  return vectors;
}

function decodeBase64Floats(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength - (bytes.byteLength % 4));
  return Array.from({ length: view.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}
