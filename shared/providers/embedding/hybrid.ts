/**
 * The offline default: LSA of the conversation beside SIF-weighted pretrained word vectors
 * (shared/algorithms/hybrid.ts). No network: the word vectors ship with the package (npm ci writes
 * models/glove-100d.bin, and the Embed functions' bundle includes it). Like `lsa`, it is fitted on
 * the whole conversation and does not take the run's seed. Each comment is read in its own language
 * (shared/algorithms/language.ts).
 */
import { embedHybrid } from '../../algorithms/hybrid';
import { loadWordVectors, wordVectorsPath, type WordVectors } from '../../algorithms/wordVectors';
import { environment } from '../../config';
import { detectLanguages } from '../../algorithms/language';
import type { EmbeddingProvider, EmbeddingResult } from './provider';

export class HybridEmbedder implements EmbeddingProvider {
  readonly provider = 'hybrid' as const;

  constructor(
    private readonly settings: { dimensions?: number },
    private readonly words: () => WordVectors = () => loadWordVectors(wordVectorsPath(environment().DELPHI_WORD_VECTORS, environment().LAMBDA_TASK_ROOT)),
  ) {}

  async embed(texts: string[]): Promise<EmbeddingResult> {
    const { languages } = detectLanguages(texts);
    const { vectors, model, dimensions, adjustments } = embedHybrid(texts, this.words(), { dimensions: this.settings.dimensions, languages });
    return { vectors, model, dimensions, adjustments };
  }
}
