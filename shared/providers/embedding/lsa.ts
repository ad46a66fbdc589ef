/** The offline default: latent semantic analysis fitted on the conversation itself (shared/algorithms/lsa.ts). */
import { embedLsa } from '../../algorithms/lsa';
import type { EmbeddingProvider, EmbeddingResult } from './provider';

export class LsaEmbedder implements EmbeddingProvider {
  readonly provider = 'lsa' as const;

  constructor(private readonly settings: { dimensions?: number; seed?: number }) {}

  async embed(texts: string[]): Promise<EmbeddingResult> {
    const { vectors, model, dimensions, adjustments } = embedLsa(texts, this.settings);
    return { vectors, model, dimensions, adjustments };
  }
}
