/**
 * The `sentence` embedder: LSA of the conversation beside the Universal Sentence Encoder lite's
 * vector of each English comment (shared/algorithms/sentenceHybrid.ts, sentenceEncoder.ts). Offline:
 * the encoder's files ship with the package. Like `hybrid`, it is fitted on the whole conversation
 * and does not take the run's seed; each comment is read in its own language.
 */
import { detectLanguages } from '../../algorithms/language';
import { embedLsaBesideSentences } from '../../algorithms/sentenceHybrid';
import type { EmbeddingProvider, EmbeddingResult } from './provider';
import { loadSentenceEncoder, SENTENCE_ENCODER, type SentenceEncoder } from './sentenceEncoder';

export class SentenceEmbedder implements EmbeddingProvider {
  readonly provider = 'sentence' as const;

  constructor(
    private readonly settings: { dimensions?: number },
    private readonly encoder: () => Promise<Pick<SentenceEncoder, 'encode'>> = loadSentenceEncoder,
  ) {}

  async embed(texts: string[]): Promise<EmbeddingResult> {
    const { languages } = detectLanguages(texts);
    const englishIndices = texts.flatMap((_, i) => (languages[i] === 'en' ? [i] : []));
    const sentenceVectors: (Float32Array | undefined)[] = new Array(texts.length).fill(undefined);
    if (englishIndices.length > 0) {
      const encoded = await (await this.encoder()).encode(englishIndices.map((i) => texts[i]));
      englishIndices.forEach((i, k) => (sentenceVectors[i] = encoded[k]));
    }
    const { vectors, model, dimensions, adjustments } = embedLsaBesideSentences(texts, sentenceVectors, SENTENCE_ENCODER, {
      dimensions: this.settings.dimensions,
      languages,
    });
    return { vectors, model, dimensions, adjustments };
  }
}
