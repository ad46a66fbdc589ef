/**
 * Quality metrics for a run: cluster separation (silhouette), keyword quality (topic diversity, NPMI
 * coherence) and agreement between two labelings (ARI, NMI, purity). Pure functions; the formulas
 * follow scikit-learn where it has one, so values can be checked against it.
 */
import { mostCommon } from './language';
import { documentTerms, tokenize } from './text';

const NOISE = -1;
/** Silhouette is O(n²·d): above this many points a deterministic, evenly spaced sample is used. */
export const SILHOUETTE_MAX_SAMPLES = 3000;
const TOP_WORDS = 10;

export interface SilhouetteOptions {
  /** 'euclidean' (default, scikit-learn's) or 'cosine' (1 − cosine similarity). */
  metric?: 'euclidean' | 'cosine';
  /** Largest number of points scored (default 3000). */
  maxSamples?: number;
}

/**
 * Mean silhouette coefficient (Rousseeuw 1987) over the points not labelled noise (−1):
 * s(i) = (b − a) / max(a, b), a = mean distance to the other members of i's cluster, b = smallest
 * mean distance to another cluster's members; s(i) = 0 for a point alone in its cluster (as
 * scikit-learn). Returns 0 when fewer than 2 clusters (or fewer than 3 non-noise points) remain,
 * where scikit-learn would raise.
 *
 * Above `maxSamples` non-noise points, every ⌊k·n/maxSamples⌋-th of them (k = 0, 1, …) is used, both
 * as the points scored and as the points they are compared with — deterministic, and proportional
 * to the clusters' sizes.
 */
export function silhouette(
  vectors: ArrayLike<ArrayLike<number>>,
  labels: ArrayLike<number>,
  options: SilhouetteOptions = {},
): number {
  const metric = options.metric ?? 'euclidean';
  const maxSamples = Math.max(2, Math.floor(options.maxSamples ?? SILHOUETTE_MAX_SAMPLES));
  let points: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] !== NOISE) points.push(i);
  if (points.length > maxSamples) {
    const all = points;
    points = Array.from({ length: maxSamples }, (_, k) => all[Math.floor((k * all.length) / maxSamples)]);
  }
  const clusterIds = [...new Set(points.map((i) => labels[i]))].sort((a, b) => a - b);
  if (clusterIds.length < 2 || points.length < 3) return 0;
  const clusterIndex = new Map(clusterIds.map((id, k) => [id, k]));
  const sizes = new Array<number>(clusterIds.length).fill(0);
  for (const i of points) sizes[clusterIndex.get(labels[i]) ?? 0]++;

  const dimensions = vectors[points[0]].length;
  const data = points.map((i) => {
    const v = Float64Array.from({ length: dimensions }, (_, d) => vectors[i][d]);
    if (metric === 'cosine') {
      let norm = 0;
      for (let d = 0; d < dimensions; d++) norm += v[d] * v[d];
      norm = Math.sqrt(norm);
      if (norm > 0) for (let d = 0; d < dimensions; d++) v[d] /= norm;
    }
    return v;
  });
  const cluster = points.map((i) => clusterIndex.get(labels[i]) ?? 0);

  // sums[p][c] = Σ distance from point p to the members of cluster c.
  const sums = points.map(() => new Float64Array(clusterIds.length));
  for (let p = 0; p < data.length; p++) {
    const u = data[p];
    for (let q = p + 1; q < data.length; q++) {
      const v = data[q];
      let distance: number;
      if (metric === 'cosine') {
        let dot = 0;
        for (let d = 0; d < dimensions; d++) dot += u[d] * v[d];
        distance = Math.max(0, 1 - dot);
      } else {
        let sum = 0;
        for (let d = 0; d < dimensions; d++) sum += (u[d] - v[d]) ** 2;
        distance = Math.sqrt(sum);
      }
      sums[p][cluster[q]] += distance;
      sums[q][cluster[p]] += distance;
    }
  }
  let total = 0;
  for (let p = 0; p < data.length; p++) {
    const own = cluster[p];
    if (sizes[own] < 2) continue;
    const a = sums[p][own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < clusterIds.length; c++) {
      if (c !== own && sizes[c] > 0) b = Math.min(b, sums[p][c] / sizes[c]);
    }
    const denominator = Math.max(a, b);
    total += denominator > 0 ? (b - a) / denominator : 0;
  }
  return total / data.length;
}

/**
 * Topic diversity (Dieng et al. 2020): distinct words among every topic's top 10 divided by the
 * number of those words (phrases count as one word each). 1 when no two topics share a top word;
 * 0 for no topics.
 */
export function topicDiversity(topWordsPerCluster: string[][]): number {
  const all = topWordsPerCluster.flatMap((words) => words.slice(0, TOP_WORDS));
  return all.length === 0 ? 0 : new Set(all).size / all.length;
}

/**
 * NPMI coherence (Bouma 2009; Röder et al. 2015's C_NPMI with whole documents as windows): for each
 * topic, the mean over pairs of its top-10 words of
 *   NPMI(x, y) = ln(p(x, y) / (p(x)·p(y))) / −ln p(x, y),
 * with p the share of the conversation's comments containing the word(s). A pair never seen
 * together scores −1; a pair present in every comment scores 1. A keyword is present in a comment
 * when it is among the comment's terms as the tokenizer makes them (a bigram when those two words
 * stand next to each other); keywords are normalised by the same tokenizer and dropped if nothing is
 * left (a stop word). Returns the mean over topics with at least two words, 0 if none.
 */
export function npmiCoherence(topWordsPerCluster: string[][], texts: string[], languages?: readonly string[]): number {
  const scores = npmiPerTopic(topWordsPerCluster, texts, languages).filter((s): s is number => s !== null);
  return scores.length === 0 ? 0 : scores.reduce((sum, s) => sum + s, 0) / scores.length;
}

/**
 * NPMI of each topic (see {@link npmiCoherence}); null for a topic with fewer than two words.
 * `languages`: each text's (absent: English); keywords are read in the most common one.
 */
export function npmiPerTopic(topWordsPerCluster: string[][], texts: string[], languages?: readonly string[]): Array<number | null> {
  const n = texts.length;
  const language = languages ? mostCommon(languages) : undefined;
  const documents = texts.map((text, i) => new Set(documentTerms(text, 2, undefined, languages?.[i])));
  const postings = new Map<string, number[]>();
  const postingsOf = (word: string): number[] => {
    let list = postings.get(word);
    if (!list) {
      list = [];
      for (let i = 0; i < n; i++) if (documents[i].has(word)) list.push(i);
      postings.set(word, list);
    }
    return list;
  };
  return topWordsPerCluster.map((topWords) => {
    const words = [
      ...new Set(topWords.slice(0, TOP_WORDS).map((word) => tokenize(word, language).join(' ')).filter((w) => w !== '')),
    ];
    if (words.length < 2 || n === 0) return null;
    let total = 0;
    let pairs = 0;
    for (let x = 0; x < words.length; x++) {
      for (let y = x + 1; y < words.length; y++) {
        total += npmi(postingsOf(words[x]), postingsOf(words[y]), n);
        pairs++;
      }
    }
    return total / pairs;
  });
}

function npmi(a: number[], b: number[], n: number): number {
  const inB = new Set(b);
  const joint = a.filter((i) => inB.has(i)).length;
  if (joint === 0) return -1;
  const pxy = joint / n;
  if (pxy === 1) return 1;
  return Math.log(pxy / ((a.length / n) * (b.length / n))) / -Math.log(pxy);
}

/**
 * Contingency counts of two labelings of the same items: cell counts, row sums (a's labels), column
 * sums (b's labels). Noise (−1) is an ordinary label here, as in scikit-learn.
 */
function contingency(a: ArrayLike<number>, b: ArrayLike<number>) {
  if (a.length !== b.length) throw new RangeError(`labelings differ in length: ${a.length} vs ${b.length}`);
  const cells = new Map<string, { count: number; row: number; column: number }>();
  const rows = new Map<number, number>();
  const columns = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const key = `${a[i]}\u0000${b[i]}`;
    const cell = cells.get(key);
    if (cell) cell.count++;
    else cells.set(key, { count: 1, row: a[i], column: b[i] });
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    columns.set(b[i], (columns.get(b[i]) ?? 0) + 1);
  }
  return {
    n: a.length,
    cells: [...cells.values()].map((cell) => ({
      count: cell.count,
      rowTotal: rows.get(cell.row) ?? 0,
      columnTotal: columns.get(cell.column) ?? 0,
    })),
    rows: [...rows.values()],
    columns: [...columns.values()],
  };
}

const pairsOf = (count: number) => (count * (count - 1)) / 2;

/**
 * Adjusted Rand index (Hubert & Arabie 1985), as scikit-learn's `adjusted_rand_score`: 1 for
 * identical partitions (whatever the label names), about 0 for independent ones, possibly negative.
 * Like scikit-learn it returns 1 when there are no pairs to disagree on (both labelings put
 * everything in one cluster, or everything in its own).
 */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const { n, cells, rows, columns } = contingency(a, b);
  const index = cells.reduce((sum, cell) => sum + pairsOf(cell.count), 0);
  const rowPairs = rows.reduce((sum, c) => sum + pairsOf(c), 0);
  const columnPairs = columns.reduce((sum, c) => sum + pairsOf(c), 0);
  const totalPairs = pairsOf(n);
  if (totalPairs === 0) return 1;
  const expected = (rowPairs * columnPairs) / totalPairs;
  const maximum = (rowPairs + columnPairs) / 2;
  if (maximum === expected) return 1;
  return (index - expected) / (maximum - expected);
}

function entropy(counts: number[], n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

/**
 * Normalized mutual information with arithmetic-mean normalisation, scikit-learn's default:
 * NMI = I(a; b) / ((H(a) + H(b)) / 2), natural logarithms (the ratio does not depend on the base).
 * As scikit-learn: 1 when both labelings have a single cluster (or are empty), 0 when I = 0.
 */
export function normalizedMutualInformation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const { n, cells, rows, columns } = contingency(a, b);
  if (rows.length === columns.length && rows.length <= 1) return 1;
  const ha = entropy(rows, n);
  const hb = entropy(columns, n);
  // I(a; b) = Σ p(i,j)·ln(p(i,j) / (p(i)·p(j))): exactly 0 for independent labelings.
  let mutual = 0;
  for (const cell of cells) {
    mutual += (cell.count / n) * Math.log((cell.count * n) / (cell.rowTotal * cell.columnTotal));
  }
  if (mutual <= 0) return 0;
  return Math.min(1, mutual / ((ha + hb) / 2));
}

/**
 * Purity: each cluster of `labels` is credited with its most frequent `truth` class; the sum of
 * those counts over all items. 1 when no cluster mixes classes. Noise (−1) counts as one cluster —
 * filter it out first to score only the clustered items. 0 for no items.
 */
export function purity(labels: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (labels.length !== truth.length) {
    throw new RangeError(`labelings differ in length: ${labels.length} vs ${truth.length}`);
  }
  if (labels.length === 0) return 0;
  const counts = new Map<number, Map<number, number>>();
  for (let i = 0; i < labels.length; i++) {
    let inCluster = counts.get(labels[i]);
    if (!inCluster) {
      inCluster = new Map();
      counts.set(labels[i], inCluster);
    }
    inCluster.set(truth[i], (inCluster.get(truth[i]) ?? 0) + 1);
  }
  let correct = 0;
  for (const inCluster of counts.values()) correct += Math.max(...inCluster.values());
  return correct / labels.length;
}
