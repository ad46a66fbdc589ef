/**
 * Per-cluster characteristics (the ComputeFeatures step): size, position, shape, the original's mean
 * TF-IDF words, representative comments and, where votes exist, how the cluster's comments were voted.
 */
import { nearestToCentroid } from './keywords';
import { round6 } from './rounding';
import { buildTfidf } from './lsa';
import { compareCodeUnits, tokenize } from './text';

export interface CommentVotes {
  agree: number;
  disagree: number;
  pass: number;
}

export interface ClusterVoteFeatures {
  /** Agree votes / all votes (agree + disagree + pass) on the cluster's comments. */
  agree_rate: number;
  disagree_rate: number;
  pass_rate: number;
  total_votes: number;
  /**
   * How one-sided the votes on each comment are: the mean over the cluster's comments of
   * |2a − 1|, where a = agree / (agree + disagree), weighted by agree + disagree. 1 when every
   * comment was voted unanimously (all agree or all disagree), 0 when every comment split 50/50.
   */
  consensus: number;
  /**
   * How split the voters are on each comment: the mean of 4·a·(1 − a), same weights — the chance that
   * two of a comment's voters (drawn with replacement) took opposite sides, scaled so a 50/50 split
   * is 1. 0 when every comment was voted unanimously. Both measures ignore pass votes and comments
   * without agree/disagree votes (0 when there are none); divisiveness ≥ 1 − consensus always, with
   * equality only at the extremes, so it weighs contested comments more than consensus does.
   */
  divisiveness: number;
}

export interface ClusterFeatures {
  size: number;
  /** size / number of all comments (noise included). */
  share: number;
  /** Mean of the members' 2-D UMAP positions. */
  centroid: { x: number; y: number };
  /** Mean Euclidean distance of the members' embeddings to their mean (0 for identical members). */
  spread: number;
  /**
   * Mean pairwise cosine similarity of the members' embeddings: 1 when all point the same way, about
   * 0 for unrelated comments; 1 for a one-comment cluster.
   */
  density: number;
  /** Terms with the highest mean TF-IDF over the members, at most 10, best first. */
  top_words: string[];
  top_tfidf_scores: number[];
  /** Indices (into the input arrays) of the 3 members nearest the embedding centroid. */
  representative_indices: number[];
  /** Present only when votes were given and at least one member has a vote. */
  votes?: ClusterVoteFeatures;
}

export interface ClusterFeatureInput {
  texts: string[];
  vectors: Float32Array[];
  positions: ArrayLike<ArrayLike<number>>;
  labels: ArrayLike<number>;
  votes?: Array<CommentVotes | undefined>;
  /** Each text's language (ISO 639-1, aligned with the texts): its stop words and word boundaries; absent: English. */
  languages?: readonly string[];
}

const NOISE = -1;
const TOP_WORDS = 10;
const REPRESENTATIVES = 3;

/**
 * Features of every cluster except noise (−1), keyed by cluster id in ascending order. All numbers
 * are rounded to 6 decimals.
 *
 * top_words follows the Python original: one TF-IDF matrix over all comments (unigrams, the stop
 * words of each comment's language removed, raw term counts, smooth idf, rows L2-normalised — scikit-learn's TfidfVectorizer
 * defaults), then per cluster the mean of its members' rows, the 10 largest (ties by term) kept.
 * Unlike c-TF-IDF keywords it favours words that are frequent in the cluster even if common elsewhere.
 */
export function clusterFeatures(input: ClusterFeatureInput): Map<number, ClusterFeatures> {
  const { texts, vectors, positions, labels, votes } = input;
  const n = texts.length;
  const lengths: Array<[string, number]> = [
    ['vectors', vectors.length],
    ['positions', positions.length],
    ['labels', labels.length],
  ];
  if (votes) lengths.push(['votes', votes.length]);
  for (const [name, length] of lengths) {
    if (length !== n) throw new RangeError(`clusterFeatures: ${n} texts but ${length} ${name}`);
  }

  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (labels[i] === NOISE) continue;
    const list = members.get(labels[i]);
    if (list) list.push(i);
    else members.set(labels[i], [i]);
  }
  const tfidf = buildTfidf(texts.map((text, i) => tokenize(text, input.languages?.[i])));

  const result = new Map<number, ClusterFeatures>();
  for (const id of [...members.keys()].sort((a, b) => a - b)) {
    const indices = members.get(id) ?? [];
    const features: ClusterFeatures = {
      size: indices.length,
      share: round6(indices.length / n),
      centroid: positionCentroid(positions, indices),
      spread: round6(meanDistanceToMean(vectors, indices)),
      density: round6(meanPairwiseCosine(vectors, indices)),
      ...meanTfidfWords(tfidf, indices),
      representative_indices: nearestToCentroid(vectors, indices, REPRESENTATIVES),
    };
    const voteFeatures = votes ? clusterVotes(votes, indices) : undefined;
    if (voteFeatures) features.votes = voteFeatures;
    result.set(id, features);
  }
  return result;
}

function positionCentroid(
  positions: ArrayLike<ArrayLike<number>>,
  indices: number[],
): { x: number; y: number } {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    x += positions[i][0];
    y += positions[i][1];
  }
  return { x: round6(x / indices.length), y: round6(y / indices.length) };
}

function meanDistanceToMean(vectors: Float32Array[], indices: number[]): number {
  const dimensions = vectors[indices[0]].length;
  const mean = new Float64Array(dimensions);
  for (const i of indices) for (let d = 0; d < dimensions; d++) mean[d] += vectors[i][d];
  for (let d = 0; d < dimensions; d++) mean[d] /= indices.length;
  let total = 0;
  for (const i of indices) {
    let sum = 0;
    for (let d = 0; d < dimensions; d++) sum += (vectors[i][d] - mean[d]) ** 2;
    total += Math.sqrt(sum);
  }
  return total / indices.length;
}

/** Mean of cos(u, v) over unordered member pairs, via ‖Σ û‖² = m + 2·Σ_{pairs} cos (û unit). */
function meanPairwiseCosine(vectors: Float32Array[], indices: number[]): number {
  const m = indices.length;
  if (m < 2) return 1;
  const dimensions = vectors[indices[0]].length;
  const sum = new Float64Array(dimensions);
  let units = 0;
  for (const i of indices) {
    let norm = 0;
    for (let d = 0; d < dimensions; d++) norm += vectors[i][d] ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    units++;
    for (let d = 0; d < dimensions; d++) sum[d] += vectors[i][d] / norm;
  }
  let squared = 0;
  for (let d = 0; d < dimensions; d++) squared += sum[d] * sum[d];
  // Zero vectors have no direction: they count in the pairs with cosine 0.
  return (squared - units) / (m * (m - 1));
}

function meanTfidfWords(
  tfidf: ReturnType<typeof buildTfidf>,
  indices: number[],
): { top_words: string[]; top_tfidf_scores: number[] } {
  const sums = new Map<number, number>();
  for (const i of indices) {
    for (let p = tfidf.indptr[i]; p < tfidf.indptr[i + 1]; p++) {
      const j = tfidf.indices[p];
      sums.set(j, (sums.get(j) ?? 0) + tfidf.values[p]);
    }
  }
  const ranked = [...sums]
    .map(([j, sum]) => ({ term: tfidf.vocabulary[j], score: sum / indices.length }))
    .sort((a, b) => b.score - a.score || compareCodeUnits(a.term, b.term))
    .slice(0, TOP_WORDS);
  return {
    top_words: ranked.map((r) => r.term),
    top_tfidf_scores: ranked.map((r) => round6(r.score)),
  };
}

function clusterVotes(
  votes: Array<CommentVotes | undefined>,
  indices: number[],
): ClusterVoteFeatures | undefined {
  let agree = 0;
  let disagree = 0;
  let pass = 0;
  let weight = 0;
  let consensus = 0;
  let divisiveness = 0;
  for (const i of indices) {
    const v = votes[i];
    if (!v) continue;
    agree += v.agree;
    disagree += v.disagree;
    pass += v.pass;
    const decided = v.agree + v.disagree;
    if (decided === 0) continue;
    const a = v.agree / decided;
    weight += decided;
    consensus += decided * Math.abs(2 * a - 1);
    divisiveness += decided * 4 * a * (1 - a);
  }
  const total = agree + disagree + pass;
  if (total === 0) return undefined;
  return {
    agree_rate: round6(agree / total),
    disagree_rate: round6(disagree / total),
    pass_rate: round6(pass / total),
    total_votes: total,
    consensus: round6(weight > 0 ? consensus / weight : 0),
    divisiveness: round6(weight > 0 ? divisiveness / weight : 0),
  };
}
