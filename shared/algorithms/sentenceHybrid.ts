/**
 * The `sentence` embedding: a comment's LSA vector (lsa.ts: this conversation's own vocabulary)
 * beside its vector from a pretrained sentence encoder (the Universal Sentence Encoder lite, run by
 * shared/providers/embedding/sentenceEncoder.ts), combined as in hybrid.ts `besideLsa`. The encoder
 * reads whole comments, word order included, so it also knows what a comment is about when it uses
 * none of the words its neighbours use. It knows English only: a comment in another language, or
 * one it returned no vector for, gets its LSA half alone.
 *
 * Weight of the encoder half: 1.5 : 1 against LSA. Chosen on the labelled mixes of scoop-hivemind
 * and March On conversations by the mean NMI over the mixes and the same-source share of each
 * comment's nearest neighbours (docs/analysis-quality.md has the comparison); the encoder alone
 * loses the conversation-specific terms LSA keeps.
 */
import { besideLsa } from './hybrid';
import { embedLsa } from './lsa';

export const SENTENCE_VECTOR_WEIGHT = 1.5;

export interface SentenceHybridEmbedding {
  vectors: Float32Array[];
  dimensions: number;
  model: string;
  adjustments: string[];
}

/**
 * texts: the comments; sentenceVectors[i]: the encoder's unit vector for texts[i], or undefined where
 * it was not asked (not English); encoder: the encoder's name and dimensions, for the model name.
 */
export function embedLsaBesideSentences(
  texts: string[],
  sentenceVectors: ReadonlyArray<Float32Array | undefined>,
  encoder: { name: string; dimensions: number },
  options: { dimensions?: number; languages?: readonly string[] } = {},
): SentenceHybridEmbedding {
  const lsa = embedLsa(texts, { dimensions: options.dimensions, languages: options.languages });
  if (!sentenceVectors.some((vector) => vector !== undefined)) {
    // No comment the encoder reads: its half would be zeros on every row, so the model is LSA alone, and says so.
    const adjustments = [...lsa.adjustments, 'no comment is in English, the sentence encoder\'s language: LSA alone is used'];
    return { vectors: lsa.vectors, dimensions: lsa.dimensions, model: `sentence-lsa${lsa.dimensions}`, adjustments };
  }
  const english = texts.map((_, i) => options.languages === undefined || options.languages[i] === 'en');
  const { vectors, dimensions, missing } = besideLsa(lsa, sentenceVectors, encoder.dimensions, SENTENCE_VECTOR_WEIGHT, english);
  const adjustments = [...lsa.adjustments];
  if (missing > 0) adjustments.push(`${missing} of ${texts.length} comments got no sentence vector: their LSA half alone is used`);
  return { vectors, dimensions, model: `sentence-lsa${lsa.dimensions}-${encoder.name}${encoder.dimensions}`, adjustments };
}
