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
import { besideLsa, secondHalfScale } from './hybrid';
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
  return { vectors, dimensions, model: sentenceModelName(lsa.dimensions, encoder), adjustments };
}

const sentenceModelName = (lsaDimensions: number, encoder: { name: string; dimensions: number }) => `sentence-lsa${lsaDimensions}-${encoder.name}${encoder.dimensions}`;

/** Whether `model` names embeddings of embedLsaBesideSentences with this encoder, whatever the LSA dimensions. */
export function isSentenceModelOf(model: string, encoder: { name: string; dimensions: number }): boolean {
  const lsaDimensions = /^sentence-lsa(\d+)-/.exec(model)?.[1];
  return lsaDimensions !== undefined && model === sentenceModelName(Number(lsaDimensions), encoder);
}

/**
 * The encoder's vector inside a stored `sentence` embedding (its last `encoderDimensions` values),
 * for reusing an earlier job's vectors: one that besideLsa turns into exactly the stored values, so
 * a comment gets the same bytes as when encoded again. Undefined when there is none: the comment had
 * LSA alone (zeros there), or the values were made with another weight (the encoder's vectors are
 * of unit length, so the recovered one must be).
 */
export function storedSentenceVector(stored: ArrayLike<number>, encoderDimensions: number): Float32Array | undefined {
  const offset = stored.length - encoderDimensions;
  if (offset <= 0) return undefined;
  const scale = secondHalfScale(SENTENCE_VECTOR_WEIGHT);
  const vector = new Float32Array(encoderDimensions);
  let norm = 0;
  for (let d = 0; d < encoderDimensions; d++) {
    const value = unscaled(stored[offset + d], scale);
    if (value === undefined) return undefined;
    vector[d] = value;
    norm += value * value;
  }
  return Math.abs(norm - 1) <= UNIT_LENGTH_TOLERANCE ? vector : undefined;
}

/** Float32 rounding of a unit vector leaves its squared length within about 1e-6 of 1; another weight moves it by percents. */
const UNIT_LENGTH_TOLERANCE = 1e-4;

/** A float32 x with fround(scale × x) === stored: the quotient, rounded, or one of its float32 neighbours. */
function unscaled(stored: number, scale: number): number | undefined {
  const quotient = Math.fround(stored / scale);
  for (const candidate of [quotient, nextFloat32(quotient, 1), nextFloat32(quotient, -1)]) {
    if (Math.fround(scale * candidate) === stored) return candidate;
  }
  return undefined;
}

const bits = new Float32Array(1);
const bitsAsInt = new Int32Array(bits.buffer);

/** The float32 next to x towards +∞ (direction 1) or −∞ (−1). */
function nextFloat32(x: number, direction: 1 | -1): number {
  if (x === 0) return direction * 2 ** -149;
  bits[0] = x;
  bitsAsInt[0] += x > 0 ? direction : -direction;
  return bits[0];
}
