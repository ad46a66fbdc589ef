/**
 * The `hybrid` embedding: a comment's LSA vector (lsa.ts: what this conversation's own vocabulary
 * says) beside its SIF vector of pretrained word vectors (sif.ts: what the words mean anywhere, so
 * "kitten" and "cat" meet even when no comment uses both), each half of unit length, the halves
 * weighted and the whole scaled to unit length. A comment with no known word gets its LSA half only.
 * The word vectors are English (GloVe): a comment in another language (`languages`) gets its LSA
 * half only (the Embed step warns about it: steps/embed.ts languageWarnings).
 *
 * Weight of the word-vector half: 1 (equal halves). Measured as the share of a comment's 15 nearest
 * neighbours that come from its own source conversation, on `npm run bench:quality`'s mixes: five
 * themes LSA 0.615, word vectors alone 0.600, LSA:SIF 2:1 / 1:1 / 1:2 → 0.640 / 0.650 / 0.627;
 * biodiversity + March On (mean of 5 samples) 0.736, 0.824, → 0.783 / 0.823 / 0.831. Equal halves
 * are best on the harder mix and within 0.01 of the best on the other.
 */
import { embedLsa, type LsaEmbedding } from './lsa';
import { sifEmbed } from './sif';
import type { WordVectors } from './wordVectors';

export const WORD_VECTOR_WEIGHT = 1;

export interface HybridEmbedding {
  vectors: Float32Array[];
  dimensions: number;
  model: string;
  adjustments: string[];
  /** Share of the comments' words that have a pretrained vector. */
  wordCoverage: number;
}

export function embedHybrid(
  texts: string[],
  words: WordVectors,
  options: { dimensions?: number; languages?: readonly string[] } = {},
): HybridEmbedding {
  const { languages } = options;
  const lsa: LsaEmbedding = embedLsa(texts, { dimensions: options.dimensions, languages });
  const english = texts.map((_, i) => languages === undefined || languages[i] === 'en');
  const sif = sifEmbed(texts, words, { include: english });
  const { vectors, dimensions, missing } = besideLsa(lsa, sif.vectors, words.dimensions, WORD_VECTOR_WEIGHT, english);
  const adjustments = [...lsa.adjustments];
  if (missing > 0) adjustments.push(`${missing} of ${texts.length} comments have no word with a pretrained vector: their LSA half alone is used`);
  return {
    vectors,
    dimensions,
    model: `hybrid-lsa${lsa.dimensions}-glove${words.dimensions}-sif`,
    adjustments,
    wordCoverage: sif.coverage,
  };
}

/** What besideLsa multiplies the second vector by: one number, so that sentenceHybrid.ts can undo it exactly. */
export function secondHalfScale(weight: number): number {
  return weight * (1 / Math.sqrt(1 + weight * weight));
}

/**
 * Each comment's LSA vector (unit length) followed by its second vector (unit length; none: that
 * half stays zero), the halves weighted 1 : `weight` and the whole of unit length.
 * `missing` counts the comments `expected` to have a second vector that have none.
 */
export function besideLsa(
  lsa: LsaEmbedding,
  second: ReadonlyArray<ArrayLike<number> | null | undefined>,
  secondDimensions: number,
  weight: number,
  expected: readonly boolean[],
): { vectors: Float32Array[]; dimensions: number; missing: number } {
  const dimensions = lsa.dimensions + secondDimensions;
  const scale = 1 / Math.sqrt(1 + weight * weight);
  const secondScale = secondHalfScale(weight);
  let missing = 0;
  const vectors = lsa.vectors.map((lsaVector, i) => {
    const out = new Float32Array(dimensions);
    out.set(lsaVector);
    const secondVector = second[i];
    if (!secondVector) {
      if (expected[i]) missing++;
      return out; // the LSA half is already of unit length
    }
    for (let d = 0; d < lsa.dimensions; d++) out[d] *= scale;
    for (let d = 0; d < secondDimensions; d++) out[lsa.dimensions + d] = secondScale * secondVector[d];
    return out;
  });
  return { vectors, dimensions, missing };
}
