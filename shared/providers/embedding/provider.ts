/** What every embedding provider does: texts in, one vector per text out, in input order. */
import { ProviderError } from '../../errors';
import type { Embedder } from '../settings';

export interface EmbeddingResult {
  /** One L2-normalised vector per text, in input order. */
  vectors: Float32Array[];
  /** The model that made them, recorded on every embedding row and on the job. */
  model: string;
  dimensions: number;
  /** Parameters changed to fit the input (LSA clamps its dimensions), for the job record. */
  adjustments?: string[];
  /** A provider that reuses earlier vectors: how many texts it took from them and how many it encoded. */
  reuse?: { reused: number; encoded: number };
}

/** The vectors an earlier job of the conversation stored, by comment text, and the model that made them. */
export interface EarlierEmbeddings {
  model: string;
  byText: ReadonlyMap<string, Float32Array>;
}

export interface EmbeddingProvider {
  readonly provider: Embedder;
  /** True when `embed` can take an earlier job's vectors instead of computing them again (the same bytes). */
  readonly reusesEarlierVectors?: boolean;
  embed(texts: string[], earlier?: EarlierEmbeddings): Promise<EmbeddingResult>;
}

/**
 * Checks a vector a provider returned and scales it to unit length (the later steps use Euclidean
 * distance as cosine distance). A non-numeric or zero vector is a malformed response, not data.
 */
export function unitVector(values: unknown, what: string): Float32Array {
  if (!Array.isArray(values) || values.length === 0) throw new ProviderError(`${what}: the embedding is not a non-empty array of numbers`);
  const vector = new Float32Array(values.length);
  let norm = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ProviderError(`${what}: the embedding holds a non-number at position ${i}`);
    vector[i] = value;
    norm += value * value;
  }
  if (norm === 0) throw new ProviderError(`${what}: the embedding is all zeros`);
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) vector[i] *= scale;
  return vector;
}

/** All vectors must have one length, the requested one when dimensions were asked for. */
export function checkDimensions(vectors: Float32Array[], requested: number | undefined, what: string): number {
  const dimensions = vectors[0]?.length ?? requested ?? 0;
  const odd = vectors.findIndex((vector) => vector.length !== dimensions);
  if (odd >= 0) throw new ProviderError(`${what}: vectors of different lengths (${dimensions} and ${vectors[odd].length})`);
  if (requested !== undefined && vectors.length > 0 && dimensions !== requested) {
    throw new ProviderError(`${what}: asked for ${requested} dimensions, got ${dimensions} (does the model support the dimensions parameter?)`);
  }
  return dimensions;
}
