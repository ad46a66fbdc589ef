/**
 * Cluster keywords by class-based TF-IDF (c-TF-IDF, Grootendorst 2022, as BERTopic computes it) and
 * the comments nearest a cluster's centroid.
 */
import { round6 } from './rounding';
import { compareCodeUnits, documentTerms } from './text';

export interface ClusterKeywords {
  /** Best first; unigrams and bigrams (two words joined by one space). */
  keywords: string[];
  /** c-TF-IDF score of each keyword, rounded to 6 decimals. */
  scores: number[];
}

export interface KeywordOptions {
  /** Keywords per cluster (default 10). */
  topN?: number;
  /** Each text's language (aligned with the texts; see `documentTerms`). Absent: English for all. */
  languages?: readonly string[];
}

const NOISE = -1;
const DEFAULT_TOP_N = 10;
/**
 * A unigram is dropped next to a kept bigram containing it when at least this share of its
 * occurrences in the cluster are inside that bigram: "climate" beside "climate change" says nothing
 * new, but "species" used twice as often as "native species" does.
 */
const COVERED_SHARE = 0.5;

/**
 * c-TF-IDF keywords of every cluster:
 * - each cluster (class) is one document made of its comments' terms (unigrams and bigrams of
 *   adjacent words, the stop words of each comment's language removed — see `documentTerms`);
 * - score(t, c) = tf(t, c) / Σₜ tf(t, c)  ×  ln(1 + A / f(t)), where A is the average number of
 *   terms per class (truncated to an integer, as BERTopic does) and f(t) the frequency of t over all
 *   classes. A word every cluster uses gets a small weight, a word one cluster owns a large one.
 *
 * Noise (label −1) is a class of its own in the computation, as in BERTopic: its words count in A and
 * f(t) (so a word spread everywhere, noise included, is not mistaken for a cluster's own), but −1 gets
 * no entry in the result.
 *
 * Ties are broken by term (code-unit order) so the output never depends on input order. After
 * ranking, a unigram covered by a kept bigram (see {@link COVERED_SHARE}) is dropped and the list is
 * filled up from further down the ranking.
 */
export function clusterKeywords(
  texts: string[],
  labels: ArrayLike<number>,
  options: KeywordOptions = {},
): Map<number, ClusterKeywords> {
  if (labels.length !== texts.length) {
    throw new RangeError(`clusterKeywords: ${texts.length} texts but ${labels.length} labels`);
  }
  const topN = Math.max(0, Math.floor(options.topN ?? DEFAULT_TOP_N));
  const classTerms = new Map<number, Map<string, number>>();
  for (let i = 0; i < texts.length; i++) {
    const label = labels[i];
    let counts = classTerms.get(label);
    if (!counts) {
      counts = new Map();
      classTerms.set(label, counts);
    }
    for (const term of documentTerms(texts[i], 2, undefined, options.languages?.[i])) counts.set(term, (counts.get(term) ?? 0) + 1);
  }

  const frequency = new Map<string, number>();
  let allTerms = 0;
  for (const counts of classTerms.values()) {
    for (const [term, count] of counts) {
      frequency.set(term, (frequency.get(term) ?? 0) + count);
      allTerms += count;
    }
  }
  const averageTermsPerClass = classTerms.size > 0 ? Math.trunc(allTerms / classTerms.size) : 0;

  const result = new Map<number, ClusterKeywords>();
  const clusterIds = [...classTerms.keys()].filter((id) => id !== NOISE).sort((a, b) => a - b);
  for (const id of clusterIds) {
    const counts = classTerms.get(id) ?? new Map<string, number>();
    let classTotal = 0;
    for (const count of counts.values()) classTotal += count;
    const ranked = [...counts].map(([term, count]) => ({
      term,
      count,
      score: (count / classTotal) * Math.log(1 + averageTermsPerClass / (frequency.get(term) ?? count)),
    }));
    ranked.sort((a, b) => b.score - a.score || compareCodeUnits(a.term, b.term));
    const chosen = selectReadable(ranked, counts, topN);
    result.set(id, { keywords: chosen.map((c) => c.term), scores: chosen.map((c) => round6(c.score)) });
  }
  return result;
}

interface RankedTerm {
  term: string;
  count: number;
  score: number;
}

/** Top terms in rank order, without unigrams that a chosen bigram already says. */
function selectReadable(
  ranked: RankedTerm[],
  counts: Map<string, number>,
  topN: number,
): RankedTerm[] {
  const chosen: RankedTerm[] = [];
  const covered = new Set<string>();
  for (const candidate of ranked) {
    if (chosen.length >= topN) break;
    if (covered.has(candidate.term)) continue;
    const words = candidate.term.split(' ');
    if (words.length > 1) {
      for (const word of words) {
        if (candidate.count >= COVERED_SHARE * (counts.get(word) ?? 0)) covered.add(word);
      }
      for (let i = chosen.length - 1; i >= 0; i--) {
        if (covered.has(chosen[i].term)) chosen.splice(i, 1);
      }
    }
    chosen.push(candidate);
  }
  return chosen;
}

/**
 * Indices of the `count` members nearest (Euclidean) to the members' mean vector, nearest first,
 * ties by index. Used for sample comments and representative comments.
 */
export function nearestToCentroid(
  vectors: ArrayLike<ArrayLike<number>>,
  memberIndices: number[],
  count: number,
): number[] {
  if (memberIndices.length === 0 || count <= 0) return [];
  const dimensions = vectors[memberIndices[0]].length;
  const centroid = new Float64Array(dimensions);
  for (const index of memberIndices) {
    const vector = vectors[index];
    for (let d = 0; d < dimensions; d++) centroid[d] += vector[d];
  }
  for (let d = 0; d < dimensions; d++) centroid[d] /= memberIndices.length;
  const distances = memberIndices.map((index) => {
    const vector = vectors[index];
    let sum = 0;
    for (let d = 0; d < dimensions; d++) {
      const diff = vector[d] - centroid[d];
      sum += diff * diff;
    }
    return { index, sum };
  });
  distances.sort((a, b) => a.sum - b.sum || a.index - b.index);
  return distances.slice(0, count).map((d) => d.index);
}
