/**
 * Latent semantic analysis fitted on the conversation itself (shared/algorithms/lsa.ts). It is not
 * given the run's seed: the truncated SVD is a property of the comments, and its randomized solver
 * starts from a fixed block, so a new seed moves the map and never the topics.
 */
import { embedLsa } from '../../algorithms/lsa';
import { detectLanguages } from '../../algorithms/language';
import type { EmbeddingProvider, EmbeddingResult } from './provider';

export class LsaEmbedder implements EmbeddingProvider {
  readonly provider = 'lsa' as const;

  constructor(private readonly settings: { dimensions?: number }) {}

  async embed(texts: string[]): Promise<EmbeddingResult> {
    const { languages } = detectLanguages(texts);
    const { vectors, model, dimensions, adjustments } = embedLsa(texts, { ...this.settings, languages });
    return { vectors, model, dimensions, adjustments };
  }
}
