/**
 * The offline embedder (`lsa` provider): TF-IDF fitted on the conversation's own comments, reduced by
 * a randomized truncated SVD (latent semantic analysis). No download, deterministic for a given seed.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { addScaled } from './denseKernels';
import { DEFAULT_SEED, gaussian, seededRandom } from './random';
import { characterNgrams, compareCodeUnits, documentTerms, linkWordsApart, stemmerFor } from './text';

/** A sparse document × term matrix in CSR form; rows are documents. */
export interface TfidfMatrix {
  /** Column index → term, sorted by UTF-16 code units so that the order never depends on input order. */
  vocabulary: string[];
  rows: number;
  /** Row i's entries are `indices[indptr[i]] … indices[indptr[i+1]-1]`, ascending. */
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
  /** Number of documents containing each vocabulary term. */
  documentFrequency: Int32Array;
}

export interface TfidfOptions {
  /** Keep terms that occur in at least this many documents (default 1). */
  minDf?: number;
  /** Use 1 + ln(tf) instead of the raw count (scikit-learn's `sublinear_tf`). Default false. */
  sublinearTf?: boolean;
  /** Keep only the most frequent terms over the corpus (scikit-learn's `max_features`). */
  maxFeatures?: number;
}

/**
 * TF-IDF as scikit-learn's `TfidfVectorizer` computes it with `smooth_idf=True, norm='l2'`:
 * idf = ln((1 + n) / (1 + df)) + 1, rows scaled to unit length (an empty row stays zero).
 * `documents` are the terms of each document, repeats counting (see `documentTerms`).
 */
export function buildTfidf(
  documents: ReadonlyArray<ReadonlyArray<string>>,
  options: TfidfOptions = {},
): TfidfMatrix {
  const minDf = Math.max(1, options.minDf ?? 1);
  const n = documents.length;
  const counts = documents.map((terms) => {
    const count = new Map<string, number>();
    for (const term of terms) count.set(term, (count.get(term) ?? 0) + 1);
    return count;
  });
  const df = new Map<string, number>();
  const total = new Map<string, number>();
  for (const count of counts) {
    for (const [term, c] of count) {
      df.set(term, (df.get(term) ?? 0) + 1);
      total.set(term, (total.get(term) ?? 0) + c);
    }
  }
  let kept = [...df.keys()].filter((term) => (df.get(term) ?? 0) >= minDf);
  if (options.maxFeatures !== undefined && kept.length > options.maxFeatures) {
    kept.sort((a, b) => (total.get(b) ?? 0) - (total.get(a) ?? 0) || compareCodeUnits(a, b));
    kept = kept.slice(0, Math.max(0, options.maxFeatures));
  }
  const vocabulary = kept.sort(compareCodeUnits);
  const column = new Map<string, number>(vocabulary.map((term, index) => [term, index]));
  const idf = vocabulary.map((term) => Math.log((1 + n) / (1 + (df.get(term) ?? 0))) + 1);

  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  const values: number[] = [];
  counts.forEach((count, row) => {
    const entries: Array<[number, number]> = [];
    for (const [term, c] of count) {
      const j = column.get(term);
      if (j === undefined) continue;
      const tf = options.sublinearTf ? 1 + Math.log(c) : c;
      entries.push([j, tf * idf[j]]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    let norm = 0;
    for (const [, v] of entries) norm += v * v;
    norm = Math.sqrt(norm);
    for (const [j, v] of entries) {
      indices.push(j);
      values.push(v / norm);
    }
    indptr[row + 1] = indices.length;
  });
  return {
    vocabulary,
    rows: n,
    indptr,
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
    documentFrequency: Int32Array.from(vocabulary, (term) => df.get(term) ?? 0),
  };
}

export interface LsaOptions {
  /** Wanted dimensions (default 100), clamped to [1, min(nDocs − 1, features − 1)]. */
  dimensions?: number;
  /**
   * Share of each comment's TF-IDF weight (squared norm) given to character 3–5-grams of its words,
   * the rest to words and bigrams. Default 0: words and bigrams only — except for comments in a
   * language that writes compounds as one word ({@link COMPOUNDING_LANGUAGES}), which get
   * {@link COMPOUND_CHARACTER_WEIGHT} (the others then have no character n-grams). See {@link embedLsa}.
   */
  characterWeight?: number;
  /** Minimum document frequency of a term (default 2; 1 for corpora under 30 comments). */
  minDf?: number;
  /** Seed of the Gaussian test matrix and of the fallback vectors (default 42). */
  seed?: number;
  /** Power iterations of the randomized SVD (default 4). */
  powerIterations?: number;
  /** Fold words to their stems (English: `lightStem`; other languages: Snowball) before counting terms (default true). */
  stem?: boolean;
  /** Comment vectors are rows of U·Σ^p before normalisation (default 2; 1 is classic LSA). */
  singularValuePower?: number;
  /**
   * Each text's language (ISO 639-1, aligned with the texts; language.ts detectLanguages): its stop
   * words, stems and word boundaries are used. Absent: English for all.
   */
  languages?: readonly string[];
}

export interface LsaEmbedding {
  /** One unit-length vector per input text, in input order. */
  vectors: Float32Array[];
  dimensions: number;
  /** Word and bigram terms kept (min_df). */
  vocabularySize: number;
  /** Character n-grams kept (min_df); 0 when characterWeight is 0. */
  characterFeatures: number;
  model: string;
  /** Human-readable notes on every parameter that was changed to fit the corpus. */
  adjustments: string[];
}

const DEFAULT_DIMENSIONS = 100;
const DEFAULT_CHARACTER_WEIGHT = 0;
/**
 * Languages that write compounds as one word ("Pumpspeicherkraftwerke", "Windräder"), so that whole
 * words rarely repeat: their comments get character n-grams by default (measured on German, see
 * docs/analysis-quality.md "Languages"; the other Germanic languages and Finnish by analogy).
 */
export const COMPOUNDING_LANGUAGES: ReadonlySet<string> = new Set(['de', 'nl', 'sv', 'da', 'no', 'nb', 'fi']);
export const COMPOUND_CHARACTER_WEIGHT = 0.8;
const CHARACTER_NGRAMS = { min: 3, max: 5 } as const;
const DEFAULT_MIN_DF = 2;
/** Below this many comments a term used once still helps: min_df defaults to 1. */
const SMALL_CORPUS = 30;
const DEFAULT_POWER_ITERATIONS = 4;
const DEFAULT_SINGULAR_VALUE_POWER = 2;
const OVERSAMPLES = 10;
/** A projected row shorter than this carries no direction worth keeping: use the fallback. */
const MIN_ROW_NORM = 1e-10;

/**
 * Embeds comments with latent semantic analysis:
 * 1. TF-IDF over unigrams and bigrams (stop words removed and words folded to stems — English:
 *    `lightStem`; each comment in its language when `languages` are given, see text.ts —, bigrams
 *    only of adjacent words), sublinear tf, smooth idf, rows L2-normalised; terms in fewer than
 *    `minDf` comments dropped.
 *    With `characterWeight` w > 0 (by default 0.8 for comments in compounding languages), a second
 *    TF-IDF block of the words' character 3–5-grams
 *    (`characterNgrams`, same min_df and weighting) is placed beside it: rows are √(1 − w)·words
 *    and √w·characters, rescaled to unit length.
 * 2. Randomized truncated SVD (Halko, Martinsson & Tropp 2011, alg. 4.3 with a re-orthonormalised
 *    basis): a seeded Gaussian test matrix with `dimensions + 10` columns, subspace iteration on
 *    X·Xᵀ with the basis Q re-orthonormalised after every iteration, products with the sparse
 *    matrix done column by column over its transposed CSR arrays; then the eigendecomposition of
 *    the small l × l matrix
 *    Qᵀ·X·Xᵀ·Q gives the singular values and U ≈ Q·(its eigenvectors). Only comment-side (n × l)
 *    matrices are orthonormalised: the feature side can have tens of thousands of columns.
 * 3. Each comment's vector is its row of U·Σ² (not U·Σ), L2-normalised. The sign of every singular
 *    vector is fixed so that its largest-magnitude entry over the comments is positive
 *    (scikit-learn's `svd_flip`), which makes the output independent of the sign the SVD returned.
 *
 * Why stems and Σ²: U·Σ² = X·Xᵀ·U, so two comments count as close when they resemble the same other
 * comments, and the dominant themes weigh more than the many small directions (the singular values
 * of a conversation's TF-IDF matrix are flat, ~2.5 down to 1.8 over 100 dimensions). Stems let
 * "community"/"communities" or "funded"/"funding" share a term. Measured on mixes of biodiversity
 * with samples of march-on (5 samples × 6 seeds, purity of the coarse layer against the source
 * conversation): 0.783 with neither (worst run 0.693), 0.819 with stems only, 0.802 with Σ² only,
 * 0.850 with both (worst 0.771); Porter's stemmer did worse than this light one (0.799).
 * `npm run bench:purity -- --wide` (the same measure, comments read slightly differently): 0.812 →
 * 0.843, worst 0.727 → 0.800. On
 * march-on alone: still 70 / 35 / 15 / 6 clusters, finest-layer silhouette 0.213 (0.221 before),
 * coarser layers better (0.180 vs 0.128), noise 11.9 % (10.5 %); +0.07 s of CPU. What did not help
 * (same measure): min_df 3 or 5, other idf exponents, dropping bigrams, averaging each vector with
 * its neighbours', term weights from a first clustering, U·Σ^p for p 0.5 / 1.5 / 3, 50 dimensions.
 *
 * Why character n-grams are an option and not the default: measured on mixes of biodiversity with
 * samples of march-on (5 samples × 3 seeds, purity of the coarse layer against the conversation),
 * w = 0.8 gives 0.840 against 0.803 for words only (w = 0.5 hardly helps), since inflections and
 * compounds then share features ("predator"/"predators", "conservation"/"conserve"); but on
 * march-on alone it lowers the cosine silhouette of the finest layer (0.217 → 0.181), and it costs
 * 1.4 s of CPU there instead of 0.3 s (13,000 character n-grams beside 2,000 terms).
 *
 * Dimensions: 100 (clamped to the corpus). On those mixes (words only, umap.ts of commit 73aa749)
 * 30 and 60 dimensions gave 0.743 and 0.739, 150 gave 0.790, against 0.792 for 100.
 *
 * A comment with no vocabulary term (only stop words, only words no other comment uses, empty) gets
 * a fallback vector: a Gaussian direction seeded by a hash of its normalised text and the seed. It is
 * unit length and deterministic, equal for equal texts, and unrelated to every other comment, so such
 * comments end up scattered (usually as noise) instead of forming a fake cluster of their own.
 */
export function embedLsa(texts: string[], options: LsaOptions = {}): LsaEmbedding {
  const adjustments: string[] = [];
  const seed = options.seed ?? DEFAULT_SEED;
  const powerIterations = Math.max(0, Math.floor(options.powerIterations ?? DEFAULT_POWER_ITERATIONS));
  const n = texts.length;
  const stem = options.stem ?? true;
  const languages = options.languages;
  if (languages && languages.length !== n) throw new RangeError(`embedLsa: ${n} texts but ${languages.length} languages`);
  const readable = texts.map(linkWordsApart);
  const terms = readable.map((text, i) => documentTerms(text, 2, stem ? stemmerFor(languages?.[i]) : undefined, languages?.[i]));

  let minDf = Math.max(1, Math.floor(options.minDf ?? DEFAULT_MIN_DF));
  if (options.minDf === undefined && n < SMALL_CORPUS && minDf > 1) {
    adjustments.push(`min_df lowered from ${minDf} to 1 for a corpus of ${n} comments`);
    minDf = 1;
  }
  let tfidf = buildTfidf(terms, { minDf, sublinearTf: true });
  if (tfidf.vocabulary.length === 0 && minDf > 1) {
    const lowered = buildTfidf(terms, { minDf: 1, sublinearTf: true });
    if (lowered.vocabulary.length > 0) {
      adjustments.push(`min_df lowered from ${minDf} to 1: no term occurs in ${minDf} comments`);
      tfidf = lowered;
      minDf = 1;
    }
  }
  const vocabularySize = tfidf.vocabulary.length;
  // Given a weight, every comment gets character n-grams; by default only those of compounding languages.
  const compounding = options.characterWeight === undefined && languages !== undefined && languages.some((code) => COMPOUNDING_LANGUAGES.has(code));
  const characterWeight = compounding
    ? COMPOUND_CHARACTER_WEIGHT
    : Math.min(1, Math.max(0, options.characterWeight ?? DEFAULT_CHARACTER_WEIGHT));
  const characters =
    characterWeight > 0
      ? buildTfidf(
          readable.map((text, i) =>
            !compounding || COMPOUNDING_LANGUAGES.has(languages![i])
              ? characterNgrams(text, CHARACTER_NGRAMS.min, CHARACTER_NGRAMS.max, languages?.[i])
              : [],
          ),
          { minDf, sublinearTf: true },
        )
      : null;
  const characterFeatures = characters?.vocabulary.length ?? 0;
  const features = joinColumns([
    { matrix: tfidf, weight: characters && characterFeatures > 0 ? 1 - characterWeight : 1 },
    ...(characters && characterFeatures > 0 ? [{ matrix: characters, weight: characterWeight }] : []),
  ]);

  const wanted = Math.max(1, Math.floor(options.dimensions ?? DEFAULT_DIMENSIONS));
  const dimensions = Math.max(1, Math.min(wanted, n - 1, features.columns - 1));
  if (dimensions !== wanted) {
    adjustments.push(
      `dimensions clamped from ${wanted} to ${dimensions} (${n} comments, ${vocabularySize} terms, ${characterFeatures} character n-grams)`,
    );
  }

  const scores =
    n > 0 && features.columns > 0
      ? randomizedSvd(features, dimensions, powerIterations, seed, options.singularValuePower ?? DEFAULT_SINGULAR_VALUE_POWER)
      : new Float64Array(n * dimensions);

  const vectors: Float32Array[] = [];
  let fallbacks = 0;
  for (let i = 0; i < n; i++) {
    const row = scores.subarray(i * dimensions, (i + 1) * dimensions);
    let norm = 0;
    for (let c = 0; c < dimensions; c++) norm += row[c] * row[c];
    norm = Math.sqrt(norm);
    if (norm < MIN_ROW_NORM) {
      fallbacks++;
      vectors.push(fallbackVector(texts[i], dimensions, seed));
      continue;
    }
    const vector = new Float32Array(dimensions);
    for (let c = 0; c < dimensions; c++) vector[c] = row[c] / norm;
    vectors.push(vector);
  }
  if (fallbacks > 0) {
    adjustments.push(`${fallbacks} of ${n} comments have no vocabulary term: fallback vectors used`);
  }
  return { vectors, dimensions, vocabularySize, characterFeatures, model: `lsa-tfidf-svd-${dimensions}`, adjustments };
}

/** A sparse document × feature matrix in CSR form, as {@link TfidfMatrix} without the vocabulary. */
interface SparseRows {
  rows: number;
  columns: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/**
 * Side-by-side blocks of L2-normalised rows, block b scaled by √weight_b, and each row scaled back
 * to unit length: with weights summing to 1 a row that has features in every block is already
 * unit length and each block holds its weight of the row's squared norm; a row empty in one block
 * gets all of its length from the others.
 */
function joinColumns(blocks: Array<{ matrix: TfidfMatrix; weight: number }>): SparseRows {
  const rows = blocks[0].matrix.rows;
  const indptr = new Int32Array(rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < rows; i++) {
    const start = indices.length;
    let offset = 0;
    for (const { matrix, weight } of blocks) {
      const scale = Math.sqrt(weight);
      for (let p = matrix.indptr[i]; p < matrix.indptr[i + 1]; p++) {
        indices.push(offset + matrix.indices[p]);
        values.push(matrix.values[p] * scale);
      }
      offset += matrix.vocabulary.length;
    }
    let norm = 0;
    for (let p = start; p < values.length; p++) norm += values[p] * values[p];
    norm = Math.sqrt(norm);
    if (norm > 0) for (let p = start; p < values.length; p++) values[p] /= norm;
    indptr[i + 1] = indices.length;
  }
  return {
    rows,
    columns: blocks.reduce((sum, { matrix }) => sum + matrix.vocabulary.length, 0),
    indptr,
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
  };
}

/**
 * The first k columns of U·Σ^power of the TF-IDF matrix, row-major n × k, with fixed signs.
 */
function randomizedSvd(
  x: SparseRows,
  k: number,
  powerIterations: number,
  seed: number,
  power: number,
): Float64Array {
  const n = x.rows;
  const m = x.columns;
  const l = Math.min(k + OVERSAMPLES, n, m);
  const xt = transpose(x);
  const random = seededRandom(seed);
  const omega = new Float64Array(m * l);
  for (let i = 0; i < omega.length; i++) omega[i] = gaussian(random);

  // Subspace iteration on X·Xᵀ, orthonormalised on the comment side only: Q (n × l) is cheap to
  // orthonormalise, while the feature side (m × l, m up to tens of thousands of character n-grams)
  // would cost more than all the products together.
  // Q is re-orthonormalised after every second product with X·Xᵀ (and after the last): only its span
  // matters until then, and two products grow the columns' condition number by (σ₁/σ_l)⁴, ~10²–10³
  // here, far from float64's limits. That is 4 Gram–Schmidt passes over Q instead of 6 (on 20,000
  // comments 2.2 s → ~1.4 s).
  let q = orthonormalizeColumns(multiply(xt, omega, l), n, l, powerIterations === 0 ? 2 : 1).q;
  for (let iteration = 0; iteration < powerIterations; iteration++) {
    const product = multiply(xt, multiplyTransposed(xt, q, l), l);
    const last = iteration === powerIterations - 1;
    q = last || iteration % 2 === 1 ? orthonormalizeColumns(product, n, l, last ? 2 : 1).q : product;
  }
  // B = Qᵀ·X (l × m). Its left singular vectors and squared singular values are the eigenvectors and
  // eigenvalues of the small l × l matrix B·Bᵀ = Qᵀ·(X·(Xᵀ·Q)); U·Σ of X ≈ Q·U_B·Σ_B.
  const w = multiply(xt, multiplyTransposed(xt, q, l), l);
  // Accumulated comment by comment, so that both n × l matrices are read in order.
  const sums = new Float64Array(l * l);
  for (let i = 0; i < n; i++) {
    const row = i * l;
    for (let a = 0; a < l; a++) {
      const qa = q[row + a];
      if (qa === 0) continue;
      addScaled(sums, a * l + a, w, row + a, qa, l - a);
    }
  }
  const gram = new Matrix(l, l);
  for (let a = 0; a < l; a++) {
    for (let b = a; b < l; b++) {
      gram.set(a, b, sums[a * l + b]);
      gram.set(b, a, sums[a * l + b]);
    }
  }
  const eigen = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
  const eigenvalues = eigen.realEigenvalues;
  const vectorsOfB = eigen.eigenvectorMatrix;
  const largestEigenvalue = Math.max(0, ...eigenvalues);
  // Eigenvalues below this are rounding noise of a rank-deficient corpus (σ < 1e-7·σ_max): zero.
  const floor = largestEigenvalue * 1e-14;
  const sigma = eigenvalues.map((value) => (value > floor ? Math.sqrt(value) : 0));
  const order = Array.from({ length: l }, (_, i) => i).sort((a, b) => sigma[b] - sigma[a] || a - b);

  // Column c of U = Q·U_B[:, order[c]]; scaled by σ^power it is column c of U·Σ^power. Computed row
  // by row, so Q (n × l, larger than the cache) is read once rather than once per column.
  const kept: number[] = [];
  for (let c = 0; c < k; c++) if ((sigma[order[c]] ?? 0) > 0) kept.push(c);
  const directions = new Float64Array(kept.length * l);
  const scales = new Float64Array(kept.length);
  kept.forEach((c, t) => {
    const source = order[c];
    for (let j = 0; j < l; j++) directions[t * l + j] = vectorsOfB.get(j, source);
    scales[t] = sigma[source] ** power;
  });
  const scores = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = i * l;
    for (let t = 0; t < kept.length; t++) {
      const base = t * l;
      let sum = 0;
      for (let j = 0; j < l; j++) sum += q[row + j] * directions[base + j];
      scores[i * k + kept[t]] = sum * scales[t];
    }
  }
  for (const c of kept) {
    let largest = 0;
    for (let i = 1; i < n; i++) if (Math.abs(scores[i * k + c]) > Math.abs(scores[largest * k + c])) largest = i;
    if (scores[largest * k + c] < 0) for (let i = 0; i < n; i++) scores[i * k + c] = -scores[i * k + c];
  }
  return scores;
}

/**
 * The same matrix stored by columns (CSR of Xᵀ). Both products below walk it feature by feature, so
 * the large m × l dense matrix is read or written in order, row after row, and only the small
 * n × l one is accessed at random: with 13,000 character n-grams the m × l matrix no longer fits in
 * the cache, and the products with X in row order were three times slower.
 */
function transpose(x: SparseRows): SparseRows {
  const count = new Int32Array(x.columns + 1);
  for (let p = 0; p < x.indices.length; p++) count[x.indices[p] + 1]++;
  for (let j = 0; j < x.columns; j++) count[j + 1] += count[j];
  const indptr = Int32Array.from(count);
  const next = Int32Array.from(count.subarray(0, x.columns));
  const indices = new Int32Array(x.indices.length);
  const values = new Float64Array(x.values.length);
  for (let i = 0; i < x.rows; i++) {
    for (let p = x.indptr[i]; p < x.indptr[i + 1]; p++) {
      const target = next[x.indices[p]]++;
      indices[target] = i;
      values[target] = x.values[p];
    }
  }
  return { rows: x.columns, columns: x.rows, indptr, indices, values };
}

/** X·D for X given by columns (`xt` = Xᵀ, m × n) and a dense row-major m × cols D; returns n × cols. */
function multiply(xt: SparseRows, dense: Float64Array, cols: number): Float64Array {
  const out = new Float64Array(xt.columns * cols);
  for (let j = 0; j < xt.rows; j++) {
    const source = j * cols;
    for (let p = xt.indptr[j]; p < xt.indptr[j + 1]; p++) {
      const v = xt.values[p];
      const target = xt.indices[p] * cols;
      addScaled(out, target, dense, source, v, cols);
    }
  }
  return out;
}

/** Xᵀ·D for X given by columns (`xt` = Xᵀ, m × n) and a dense row-major n × cols D; returns m × cols. */
function multiplyTransposed(xt: SparseRows, dense: Float64Array, cols: number): Float64Array {
  const out = new Float64Array(xt.rows * cols);
  for (let j = 0; j < xt.rows; j++) {
    const target = j * cols;
    for (let p = xt.indptr[j]; p < xt.indptr[j + 1]; p++) {
      const v = xt.values[p];
      const source = xt.indices[p] * cols;
      addScaled(out, target, dense, source, v, cols);
    }
  }
  return out;
}

/**
 * Thin QR of a row-major rows × cols matrix by modified Gram–Schmidt, repeated `passes` times
 * (two passes: re-orthogonalisation, "twice is enough"). Returns Q (row-major, orthonormal or zero columns) and R (row-major cols × cols, upper
 * triangular) with A = Q·R. A column that is (numerically) a combination of the previous ones
 * becomes zero in Q, which keeps a rank-deficient corpus (identical comments) exact.
 */
function orthonormalizeColumns(
  a: Float64Array,
  rows: number,
  cols: number,
  passes: number,
): { q: Float64Array; r: Float64Array } {
  const columns: Float64Array[] = [];
  for (let c = 0; c < cols; c++) {
    const column = new Float64Array(rows);
    for (let i = 0; i < rows; i++) column[i] = a[i * cols + c];
    columns.push(column);
  }
  const r = new Float64Array(cols * cols);
  const usable: boolean[] = [];
  for (let c = 0; c < cols; c++) {
    const v = columns[c];
    const originalNorm = norm(v);
    // The columns v is projected off, in order, every pass; each subtraction is fused with the dot
    // product of the next projection (the same operations per element, one pass over v fewer).
    const sequence: number[] = [];
    for (let pass = 0; pass < passes; pass++) for (let p = 0; p < c; p++) if (usable[p]) sequence.push(p);
    let projection = sequence.length > 0 ? dot(columns[sequence[0]], v) : 0;
    for (let t = 0; t < sequence.length; t++) {
      const p = sequence[t];
      r[p * cols + c] += projection;
      if (t + 1 < sequence.length) projection = subtractScaledThenDot(v, columns[p], projection, columns[sequence[t + 1]]);
      else subtractScaled(v, columns[p], projection);
    }
    const remaining = norm(v);
    usable[c] = remaining > 1e-10 * originalNorm && remaining > 0;
    if (usable[c]) {
      for (let i = 0; i < rows; i++) v[i] /= remaining;
      r[c * cols + c] = remaining;
    } else {
      v.fill(0);
    }
  }
  const q = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    const column = columns[c];
    for (let i = 0; i < rows; i++) q[i * cols + c] = column[i];
  }
  return { q, r };
}

function norm(v: Float64Array): number {
  return Math.sqrt(dot(v, v));
}

/** v ← v − factor·u. */
function subtractScaled(v: Float64Array, u: Float64Array, factor: number): void {
  const length = v.length;
  const tail = length - (length % 4);
  for (let i = 0; i < tail; i += 4) {
    v[i] -= factor * u[i];
    v[i + 1] -= factor * u[i + 1];
    v[i + 2] -= factor * u[i + 2];
    v[i + 3] -= factor * u[i + 3];
  }
  for (let i = tail; i < length; i++) v[i] -= factor * u[i];
}

/** v ← v − factor·u, then w·v, summed exactly as `dot` sums it. */
function subtractScaledThenDot(v: Float64Array, u: Float64Array, factor: number, w: Float64Array): number {
  const length = v.length;
  const tail = length - (length % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < tail; i += 4) {
    const v0 = (v[i] -= factor * u[i]);
    const v1 = (v[i + 1] -= factor * u[i + 1]);
    const v2 = (v[i + 2] -= factor * u[i + 2]);
    const v3 = (v[i + 3] -= factor * u[i + 3]);
    s0 += w[i] * v0;
    s1 += w[i + 1] * v1;
    s2 += w[i + 2] * v2;
    s3 += w[i + 3] * v3;
  }
  for (let i = tail; i < length; i++) s0 += w[i] * (v[i] -= factor * u[i]);
  return s0 + s1 + (s2 + s3);
}

/** u·v with four running sums: independent additions pipeline, a single sum would wait on each. */
function dot(u: Float64Array, v: Float64Array): number {
  const length = u.length;
  const tail = length - (length % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < tail; i += 4) {
    s0 += u[i] * v[i];
    s1 += u[i + 1] * v[i + 1];
    s2 += u[i + 2] * v[i + 2];
    s3 += u[i + 3] * v[i + 3];
  }
  for (let i = tail; i < length; i++) s0 += u[i] * v[i];
  return s0 + s1 + (s2 + s3);
}

/** Deterministic unit vector for a comment without vocabulary (see {@link embedLsa}). */
function fallbackVector(text: string, dimensions: number, seed: number): Float32Array {
  const key = text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
  const random = seededRandom((fnv1a(key) ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0);
  const values = new Float64Array(dimensions);
  let sum = 0;
  while (sum === 0) {
    for (let c = 0; c < dimensions; c++) values[c] = gaussian(random);
    sum = values.reduce((s, v) => s + v * v, 0);
  }
  const scale = 1 / Math.sqrt(sum);
  return Float32Array.from(values, (v) => v * scale);
}

/** 32-bit FNV-1a over the UTF-16 code units of a string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
