/**
 * Nested layers of comment clusters: Ward's tree over the spectral embedding of the comments'
 * neighbour graph, cut at a few sizes, every comment in a cluster of every layer. Free of randomness,
 * so the same vectors give the same layers whatever the run's seed or the comments' order. Why this
 * shape and what it replaced: docs/clustering.md.
 */
import { CLUSTERING_DEFAULTS } from './clusteringDefaults';
import { approximateKnn, cosineNeighbors, type NeighborSearch } from './commentNeighbors';
import { adjustedRandIndex } from './evaluation';
import { fuzzySimplicialSet } from './fuzzySimplicialSet';
import { DEFAULT_SEED } from './random';
import { spectralEmbedding } from './spectral';
import { connectedWard, cutFor, partsAfter, type WardTree } from './ward';

export interface ClusteringOptions {
  /** Smallest cluster (default 5). */
  minClusterSize?: number;
  /** Most layers returned (default 4). */
  maxLayers?: number;
  /** Size of each comment's neighbourhood, itself included (default 15, as UMAP's n_neighbors). */
  nNeighbors?: number;
  /**
   * An earlier job's layers (finest first), one label per comment in the order of the vectors, −1
   * for a comment the earlier job did not have. Each layer's cluster count then moves within
   * CONTINUITY_BAND of its size rule to the cut that agrees best with the earlier layer, so a
   * re-run of a grown conversation keeps its topics where the tree allows.
   */
  continuity?: ArrayLike<number>[];
  /** The search for the comments' kNN (default `cosineNeighbors`; a step may pass a cached one). */
  neighbors?: NeighborSearch;
}

export interface ClusteringResult {
  /** layers[0] = finest; one label per comment. */
  layers: number[][];
  /** Per layer per comment, in [0, 1]. */
  confidence: number[][];
  /** Comments that had no cluster of the minimum size of their own and joined the nearest one. */
  outliers: boolean[];
  parameters: Record<string, number | string>;
  adjustments: string[];
}

const SPECTRAL_DIMENSIONS = 10;
const DIFFUSION_TIME = 8;
/** Eigensolver iterations once the kNN graph is approximate (the layers depend on it anyway). */
const LARGE_SPECTRAL_ITERATIONS = 40;
const KNN_SEED = DEFAULT_SEED;
const FINEST_DIVISOR = 25;
/**
 * The fewest finest clusters a small conversation gets when it has comments for them (twice the
 * minimum cluster size each): n / FINEST_DIVISOR alone would give a 50-comment conversation two
 * topics, one of them most of it, where a reader expects a handful.
 */
const SMALL_CONVERSATION_TOPICS = 5;
const COARSER_DIVISORS = [50, 120, 300, 750];
const MIN_COARSE_CLUSTERS = 3;
/** How far a layer's cluster count may move from n / divisor to follow an earlier job's layer. */
const CONTINUITY_BAND = 0.25;

const comments = (n: number) => `${n} comment${n === 1 ? '' : 's'}`;

/** Labels renumbered by decreasing cluster size, ties by first member; -1 kept. */
function renumber(labels: ArrayLike<number>): number[] {
  const size = new Map<number, number>();
  const first = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l < 0) continue;
    size.set(l, (size.get(l) ?? 0) + 1);
    if (!first.has(l)) first.set(l, i);
  }
  const order = [...size.keys()].sort((a, b) => (size.get(b) as number) - (size.get(a) as number) || (first.get(a) as number) - (first.get(b) as number));
  const id = new Map(order.map((l, i) => [l, i]));
  return Array.from(labels, (l) => (l < 0 ? -1 : (id.get(l) as number)));
}

function centroidsOf(space: Float64Array[], labels: number[]): Map<number, Float64Array> {
  const dim = space[0].length;
  const sums = new Map<number, { sum: Float64Array; count: number }>();
  labels.forEach((label, i) => {
    let entry = sums.get(label);
    if (!entry) sums.set(label, (entry = { sum: new Float64Array(dim), count: 0 }));
    entry.count++;
    for (let d = 0; d < dim; d++) entry.sum[d] += space[i][d];
  });
  return new Map([...sums].map(([label, { sum, count }]) => [label, sum.map((x) => x / count)]));
}

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += (a[d] - b[d]) ** 2;
  return s;
}

function margins(space: Float64Array[], labels: number[]): number[] {
  const centroids = centroidsOf(space, labels);
  if (centroids.size < 2) return labels.map(() => 1);
  // Centroids in one flat array: this loop is comments × clusters × dimensions.
  const ids = [...centroids.keys()];
  const dim = space[0].length;
  const flat = new Float64Array(ids.length * dim);
  ids.forEach((id, k) => flat.set(centroids.get(id) as Float64Array, k * dim));
  const slot = new Map(ids.map((id, k) => [id, k]));
  return labels.map((label, i) => {
    const point = space[i];
    const ownSlot = slot.get(label) as number;
    let own = 0;
    let other = Infinity;
    for (let k = 0; k < ids.length; k++) {
      let s = 0;
      for (let d = 0, o = k * dim; d < dim; d++, o++) {
        const diff = point[d] - flat[o];
        s += diff * diff;
      }
      if (k === ownSlot) own = s;
      else if (s < other) other = s;
    }
    own = Math.sqrt(own);
    other = Math.sqrt(other);
    const total = own + other;
    return total > 0 ? Math.max(0, Math.min(1, (other - own) / total)) : 1;
  });
}

interface FinestLayer {
  target: number;
  /** Part (tree node id) per comment, outliers moved to their nearest kept part. */
  labels: number[];
  outliers: boolean[];
  /** Centroid of each kept part in the clustering space. */
  centroids: Map<number, Float64Array>;
}

/**
 * The cut of the comment tree with ~target parts of at least minClusterSize; comments of smaller
 * parts join the kept part whose centroid is nearest and are flagged as outliers.
 */
function finestLayer(space: Float64Array[], tree: WardTree, target: number, minClusterSize: number, earlier?: ArrayLike<number>): FinestLayer {
  const cut = (count: number) => partsAfter(tree, cutFor(tree, count, minClusterSize));
  const counts = candidateCounts(target, 2, Number.MAX_SAFE_INTEGER, earlier);
  const parts = cut(closestToEarlier(counts, cut, earlier));
  const partSize = new Map<number, number>();
  for (const part of parts) partSize.set(part, (partSize.get(part) ?? 0) + 1);
  const outliers = Array.from(parts, (part) => (partSize.get(part) as number) < minClusterSize);
  const labels = Array.from(parts);
  const centroids = centroidsOf(
    space.filter((_, i) => !outliers[i]),
    labels.filter((_, i) => !outliers[i]),
  );
  for (let i = 0; i < labels.length; i++) {
    if (!outliers[i]) continue;
    let best = Infinity;
    for (const [part, c] of centroids) {
      const d = squaredDistance(space[i], c);
      if (d < best || (d === best && part < labels[i])) {
        best = d;
        labels[i] = part;
      }
    }
  }
  return { target, labels, outliers, centroids };
}

/**
 * Coarser layers: Ward over the finest clusters (their centroids and sizes) along the neighbour
 * graph, one merge sequence cut at n / divisor clusters, so the layers are nested.
 */
function coarserLayers(
  finest: FinestLayer,
  neighborRows: ArrayLike<number>[],
  n: number,
  maxLayers: number,
  earlier: ArrayLike<number>[] = [],
): { layers: number[][]; divisors: number[] } {
  const clusterIds = [...finest.centroids.keys()].sort((a, b) => a - b);
  const index = new Map(clusterIds.map((id, k) => [id, k]));
  const clusterOf = finest.labels.map((part) => index.get(part) as number);
  const clusterSizes = new Array<number>(clusterIds.length).fill(0);
  for (const k of clusterOf) clusterSizes[k]++;
  const clusterNeighbors = clusterIds.map(() => new Set<number>());
  for (let i = 0; i < n; i++) {
    for (const j of Array.from(neighborRows[i])) if (clusterOf[j] !== clusterOf[i]) clusterNeighbors[clusterOf[i]].add(clusterOf[j]);
  }
  const coarseTree = connectedWard(
    clusterIds.map((id) => finest.centroids.get(id) as Float64Array),
    clusterNeighbors.map((set) => [...set]),
    { sizes: clusterSizes },
  );
  const layers: number[][] = [];
  const divisors: number[] = [];
  let previous = clusterIds.length;
  for (const divisor of COARSER_DIVISORS) {
    if (layers.length >= maxLayers || n / divisor < MIN_COARSE_CLUSTERS) break;
    const target = Math.round(n / divisor);
    if (target >= previous) continue;
    const cut = (count: number) => {
      const groupOf = partsAfter(coarseTree, clusterIds.length - count);
      return clusterOf.map((k) => groupOf[k]);
    };
    const layerEarlier = earlier[layers.length + 1];
    const count = closestToEarlier(candidateCounts(target, 2, previous - 1, layerEarlier), cut, layerEarlier);
    layers.push(cut(count));
    divisors.push(divisor);
    previous = count;
  }
  return { layers, divisors };
}

/**
 * Cluster counts to try for a layer: the size rule's alone, or with an earlier layer to follow every
 * count within CONTINUITY_BAND of it (and within [lowest, highest]), nearest first.
 */
function candidateCounts(target: number, lowest: number, highest: number, earlier?: ArrayLike<number>): number[] {
  const clamp = (k: number) => Math.max(lowest, Math.min(highest, k));
  if (!earlier) return [clamp(target)];
  const counts = new Set<number>();
  const reach = Math.max(1, Math.round(target * CONTINUITY_BAND));
  for (let step = 0; step <= reach; step++) {
    counts.add(clamp(target - step));
    counts.add(clamp(target + step));
  }
  return [...counts];
}

/** The count whose cut agrees best (ARI on the comments both jobs have) with the earlier layer; ties go to the first. */
function closestToEarlier(counts: number[], cut: (count: number) => ArrayLike<number>, earlier?: ArrayLike<number>): number {
  if (!earlier || counts.length === 1) return counts[0];
  const shared: number[] = [];
  for (let i = 0; i < earlier.length; i++) if (earlier[i] >= 0) shared.push(i);
  if (shared.length === 0) return counts[0];
  const before = shared.map((i) => earlier[i]);
  let best = counts[0];
  let bestScore = -Infinity;
  for (const count of counts) {
    const labels = cut(count);
    const score = adjustedRandIndex(before, shared.map((i) => labels[i]));
    if (score > bestScore + 1e-9) {
      bestScore = score;
      best = count;
    }
  }
  return best;
}

/** How many clusters the finest layer aims at: n / FINEST_DIVISOR, at least SMALL_CONVERSATION_TOPICS where they fit, at least 2. */
function finestTarget(n: number, minClusterSize: number): number {
  const fitting = Math.floor(n / (2 * minClusterSize));
  return Math.max(2, Math.round(n / FINEST_DIVISOR), Math.min(SMALL_CONVERSATION_TOPICS, fitting));
}

export interface ClusteringInput {
  vectors: Float32Array[];
}

export function clusterLayers(input: ClusteringInput, options: ClusteringOptions = {}): ClusteringResult {
  const { vectors } = input;
  const n = vectors.length;
  const requestedMin = options.minClusterSize ?? CLUSTERING_DEFAULTS.minClusterSize;
  const maxLayers = options.maxLayers ?? CLUSTERING_DEFAULTS.maxLayers;
  const requestedNeighbors = options.nNeighbors ?? CLUSTERING_DEFAULTS.nNeighbors;
  if (!Number.isInteger(requestedMin) || requestedMin < 2) throw new RangeError(`minClusterSize must be an integer ≥ 2, got ${requestedMin}`);
  if (!Number.isInteger(maxLayers) || maxLayers < 1) throw new RangeError(`maxLayers must be a positive integer, got ${maxLayers}`);
  if (!Number.isInteger(requestedNeighbors) || requestedNeighbors < 2) throw new RangeError(`nNeighbors must be an integer ≥ 2, got ${requestedNeighbors}`);

  const adjustments: string[] = [];
  const minClusterSize = Math.max(2, Math.min(requestedMin, n));
  if (n > 0 && minClusterSize !== requestedMin) {
    adjustments.push(`min_cluster_size clamped from ${requestedMin} to ${minClusterSize} because the conversation has ${comments(n)}`);
  }
  const nNeighbors = Math.max(2, Math.min(requestedNeighbors, n - 1));
  const approximate = approximateKnn(n);
  const parameters: Record<string, number | string> = {
    algorithm: 'ward on the spectral embedding of the kNN fuzzy graph, connectivity-constrained',
    clustering_space: `spectral-${SPECTRAL_DIMENSIONS}d-diffusion-t${DIFFUSION_TIME}`,
    n_neighbors: nNeighbors,
    knn: approximate ? 'nn-descent' : 'exact',
    min_cluster_size: minClusterSize,
    max_layers: maxLayers,
  };

  // Too few comments for two clusters of the minimum size, or nothing to tell them apart: one layer
  // with one cluster (confidence 1: there is no other cluster to belong to).
  const identical = n > 1 && vectors.every((v) => v.every((x, d) => x === vectors[0][d]));
  if (n < 2 * minClusterSize || identical || n <= SPECTRAL_DIMENSIONS + 1) {
    if (n > 0) {
      adjustments.push(
        identical
          ? `one layer with a single cluster: all ${comments(n)} have the same embedding`
          : `one layer with a single cluster: ${comments(n)} cannot form two clusters of at least ${minClusterSize}`,
      );
    }
    return {
      layers: [new Array<number>(n).fill(0)],
      confidence: [new Array<number>(n).fill(1)],
      outliers: new Array<boolean>(n).fill(false),
      parameters: { ...parameters, outliers_attached: 0 },
      adjustments,
    };
  }

  const others = nNeighbors - 1;
  const knn = (options.neighbors ?? cosineNeighbors)(vectors, others, KNN_SEED);
  const space = spectralEmbedding(fuzzySimplicialSet(knn, knn.k + 1), SPECTRAL_DIMENSIONS, {
    diffusionTime: DIFFUSION_TIME,
    iterations: approximate ? LARGE_SPECTRAL_ITERATIONS : undefined,
  });
  const neighborRows = Array.from({ length: n }, (_, i) => knn.indices.subarray(i * knn.k, (i + 1) * knn.k));
  const tree = connectedWard(space, neighborRows);

  const continuity = options.continuity;
  if (continuity && continuity.some((labels) => labels.length !== n)) throw new RangeError(`continuity must give one label per comment (${n}) in every layer`);
  const finest = finestLayer(space, tree, finestTarget(n, minClusterSize), minClusterSize, continuity?.[0]);
  parameters.finest_target_clusters = finest.target;
  parameters.outliers_attached = finest.outliers.filter(Boolean).length;
  const coarser = coarserLayers(finest, neighborRows, n, maxLayers - 1, continuity);
  if (continuity) parameters.continuity_layers = continuity.length;
  const layers = [finest.labels, ...coarser.layers];
  const finestClusters = finest.centroids.size;
  const used = coarser.divisors;
  parameters.layer_divisors = [FINEST_DIVISOR, ...used].map((d) => `n/${d}`).join(',');
  if (layers.length < Math.min(2, maxLayers)) {
    adjustments.push(`one layer only: ${finestClusters} cluster${finestClusters === 1 ? '' : 's'} found in ${comments(n)}, too few to merge into a coarser layer`);
  }
  const numbered = layers.map(renumber);
  return {
    layers: numbered,
    confidence: numbered.map((labels) => margins(space, labels)),
    outliers: finest.outliers,
    parameters,
    adjustments,
  };
}
