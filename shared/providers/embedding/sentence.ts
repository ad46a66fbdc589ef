/**
 * The `sentence` embedder: LSA of the conversation beside the Universal Sentence Encoder lite's
 * vector of each English comment (shared/algorithms/sentenceHybrid.ts, sentenceEncoder.ts). Offline:
 * the encoder's files ship with the package. Like `hybrid`, it is fitted on the whole conversation
 * and does not take the run's seed; each comment is read in its own language.
 */
import { detectLanguages } from '../../algorithms/language';
import { embedLsaBesideSentences, isSentenceModelOf, storedSentenceVector } from '../../algorithms/sentenceHybrid';
import type { EarlierEmbeddings, EmbeddingProvider, EmbeddingResult } from './provider';
import { loadSentenceEncoder, SENTENCE_ENCODER, type SentenceEncoder } from './sentenceEncoder';

export class SentenceEmbedder implements EmbeddingProvider {
  readonly provider = 'sentence' as const;
  /**
   * A comment's encoder vector depends on its text alone (the worker's equalLengthCalls), so an
   * earlier job's is the one encoding would give; LSA is fitted on the whole conversation and is
   * computed again.
   */
  readonly reusesEarlierVectors = true;

  constructor(
    private readonly settings: { dimensions?: number },
    private readonly encoder: () => Promise<Pick<SentenceEncoder, 'encode'>> = loadSentenceEncoder,
  ) {}

  async embed(texts: string[], earlier?: EarlierEmbeddings): Promise<EmbeddingResult> {
    const { languages } = detectLanguages(texts);
    const englishIndices = texts.flatMap((_, i) => (languages[i] === 'en' ? [i] : []));
    const sentenceVectors: (Float32Array | undefined)[] = new Array(texts.length).fill(undefined);
    const known = earlier && isSentenceModelOf(earlier.model, SENTENCE_ENCODER) ? earlier.byText : undefined;
    const toEncode: number[] = [];
    for (const i of englishIndices) {
      const stored = known?.get(texts[i]);
      sentenceVectors[i] = stored && storedSentenceVector(stored, SENTENCE_ENCODER.dimensions);
      if (!sentenceVectors[i]) toEncode.push(i);
    }
    if (toEncode.length > 0) {
      const encoded = await (await this.encoder()).encode(toEncode.map((i) => texts[i]));
      toEncode.forEach((i, k) => (sentenceVectors[i] = encoded[k]));
    }
    const { vectors, model, dimensions, adjustments } = embedLsaBesideSentences(texts, sentenceVectors, SENTENCE_ENCODER, {
      dimensions: this.settings.dimensions,
      languages,
    });
    return { vectors, model, dimensions, adjustments, reuse: { reused: englishIndices.length - toEncode.length, encoded: toEncode.length } };
  }
}
