/**
 * Sentence vectors from pretrained word vectors by smooth inverse frequency (Arora, Liang & Ma 2017,
 * "A simple but tough-to-beat baseline for sentence embeddings"): the average of a comment's word
 * vectors weighted a / (a + p(w)), then the conversation's common component (its first principal
 * direction) removed from every comment (from 30 comments on).
 *
 * p(w) comes from the word's frequency rank in the vectors' own corpus by Zipf's law with a small
 * rank offset (Zipf–Mandelbrot), p(r) = 1 / ((r + 10) · (ln V + γ)), not from the conversation: a
 * conversation of a few hundred comments is too small to estimate word frequencies, and its most
 * common words are its topic words, which SIF would then down-weight. The offset keeps the few most
 * frequent words from getting almost no weight at all (rank 0 weighs 0.11, rank 100 0.58, rank 1,000
 * 0.93 with a = 1e-3 and 150,000 words); ln V + γ is the harmonic number H_V, so p sums to ~1.
 *
 * Words are those of the project's English tokenizer (text.ts `tokenize`: lower case, stop words and
 * one-letter words dropped, hyphens split, possessive 's removed), unstemmed (GloVe has every form);
 * a word with diacritics not in the vocabulary is looked up without them ("māori" → "maori").
 * Dropping stop words changes little: SIF gives them the smallest weights anyway.
 */
import { linkWordsApart, tokenize } from './text';
import type { WordVectors } from './wordVectors';

const SIF_A = 1e-3;
const RANK_OFFSET = 10;
const EULER_GAMMA = 0.5772156649;
const COMMON_COMPONENT_ITERATIONS = 100;
const MIN_TEXTS_FOR_COMMON_COMPONENT = 30;

/** The words of a text that SIF looks up (see above). */
export function sifWords(text: string): string[] {
  return tokenize(linkWordsApart(text));
}

/** The vocabulary rank of a token, else of the token without diacritics, else undefined. */
function lookup(words: WordVectors, token: string): number | undefined {
  const rank = words.rank.get(token);
  if (rank !== undefined) return rank;
  const plain = token.normalize('NFD').replace(/\p{M}/gu, '');
  return plain !== token ? words.rank.get(plain) : undefined;
}

export interface SifEmbedding {
  /** One unit vector per text, or null for a text with no known word. */
  vectors: Array<Float64Array | null>;
  /** Share of the texts' words found in the vocabulary. */
  coverage: number;
  /** The unit direction removed from every vector (all zeros when none was: under 30 texts). */
  commonComponent: Float64Array;
}

/**
 * `include`: which texts to embed (aligned with `texts`; default all); the others get null and take
 * no part in the coverage or the common component (the word vectors are English: hybrid.ts leaves
 * out comments in other languages).
 */
export function sifEmbed(texts: string[], words: WordVectors, options: { include?: readonly boolean[] } = {}): SifEmbedding {
  const { dimensions } = words;
  const normaliser = Math.log(words.size) + EULER_GAMMA;
  const scratch = new Float64Array(dimensions);
  let known = 0;
  let total = 0;
  const sums = texts.map((text, i): Float64Array | null => {
    if (options.include && !options.include[i]) return null;
    const sum = new Float64Array(dimensions);
    let count = 0;
    for (const word of sifWords(text)) {
      total++;
      const rank = lookup(words, word);
      if (rank === undefined) continue;
      known++;
      count++;
      const p = 1 / ((rank + RANK_OFFSET) * normaliser);
      const weight = SIF_A / (SIF_A + p);
      words.vector(rank, scratch);
      for (let d = 0; d < dimensions; d++) sum[d] += weight * scratch[d];
    }
    if (count === 0) return null;
    for (let d = 0; d < dimensions; d++) sum[d] /= count;
    return sum;
  });

  // The common component of a handful of comments is their main difference, not what they share.
  const present = sums.filter((sum) => sum !== null) as Float64Array[];
  const common = present.length >= MIN_TEXTS_FOR_COMMON_COMPONENT ? firstPrincipalDirection(present, dimensions) : new Float64Array(dimensions);
  const vectors = sums.map((sum) => {
    if (!sum) return null;
    let projection = 0;
    for (let d = 0; d < dimensions; d++) projection += sum[d] * common[d];
    let norm = 0;
    for (let d = 0; d < dimensions; d++) {
      sum[d] -= projection * common[d];
      norm += sum[d] * sum[d];
    }
    norm = Math.sqrt(norm);
    if (norm === 0) return null;
    for (let d = 0; d < dimensions; d++) sum[d] /= norm;
    return sum;
  });
  return { vectors, coverage: total > 0 ? known / total : 0, commonComponent: common };
}

/**
 * The top right singular vector of the rows (uncentred, as in the paper): power iteration from a
 * fixed start on their d × d Gram matrix Σ rowᵀ·row, formed once, so each iteration costs d² instead
 * of a pass over all the rows.
 */
export function firstPrincipalDirection(rows: Float64Array[], dimensions: number): Float64Array {
  if (rows.length === 0) return new Float64Array(dimensions);
  const gram = new Float64Array(dimensions * dimensions);
  for (const row of rows) {
    for (let p = 0; p < dimensions; p++) {
      const x = row[p];
      if (x === 0) continue;
      const base = p * dimensions;
      // Unrolled by four (V8 does not); the entries are independent, so no sum changes.
      let q = p;
      for (; q + 3 < dimensions; q += 4) {
        gram[base + q] += x * row[q];
        gram[base + q + 1] += x * row[q + 1];
        gram[base + q + 2] += x * row[q + 2];
        gram[base + q + 3] += x * row[q + 3];
      }
      for (; q < dimensions; q++) gram[base + q] += x * row[q];
    }
  }
  for (let p = 0; p < dimensions; p++) for (let q = 0; q < p; q++) gram[p * dimensions + q] = gram[q * dimensions + p];
  let u = new Float64Array(dimensions).fill(1 / Math.sqrt(dimensions));
  for (let iteration = 0; iteration < COMMON_COMPONENT_ITERATIONS; iteration++) {
    const next = new Float64Array(dimensions);
    for (let p = 0; p < dimensions; p++) {
      let s = 0;
      const base = p * dimensions;
      for (let q = 0; q < dimensions; q++) s += gram[base + q] * u[q];
      next[p] = s;
    }
    let norm = 0;
    for (let d = 0; d < dimensions; d++) norm += next[d] * next[d];
    norm = Math.sqrt(norm);
    if (norm === 0) return new Float64Array(dimensions);
    for (let d = 0; d < dimensions; d++) next[d] /= norm;
    u = next;
  }
  return u;
}
