/**
 * Nested layers of comment clusters: HDBSCAN for the finest layer, Ward merges of those clusters for
 * the coarser ones. Written here, no native dependency; deterministic for a seed.
 *
 * Space. Clusters are found in a separate 5-D UMAP of the embeddings (n_neighbors 15, min_dist 0,
 * cosine, same seed), as BERTopic does, not in the 2-D map and not in the embeddings. Measured on
 * march-on (1,767 comments, 100-dim LSA, ~72 finest clusters): 5-D gives 9–11 % noise and an
 * adjusted Rand index of 0.62 between two UMAP seeds on the finest layer; the 2-D map gives 14–16 %
 * noise and ARI 0.31; HDBSCAN on the embeddings themselves leaves 65–80 % of the comments as noise
 * (distances concentrate in 100+ dimensions). The price is a second UMAP layout. In the pipeline
 * ProjectUmap makes it from the map's own kNN graph, in a worker thread beside the map, and passes it
 * in as `clusteringSpace`; clusterLayers then takes ~0.2 s of CPU on march-on and ~5 s on 20,000
 * synthetic comments (Prim 3 s, noise attachment 1 s, Ward on ~775 clusters 1.3 s). Without it,
 * clusterLayers projects the vectors itself. `space: 'positions'` clusters the given 2-D map
 * instead (no extra UMAP; noisier and less stable across seeds).
 *
 * Finest layer = HDBSCAN with excess-of-mass selection:
 *   core distance = distance to the (min_samples − 1)-th neighbour (min_samples = min_cluster_size);
 *   minimum spanning tree of the mutual-reachability graph by Prim on the complete graph, distances
 *   computed on the fly: O(n² · dim) time, O(n) memory — 0.2 s at 5,000 points, 4 s at 20,000 in 5-D,
 *   so no kNN-graph MST or Borůvka is needed in the range we serve; single linkage; condensed tree;
 *   stabilities; EOM (root excluded unless it never splits).
 *   The condensed tree is rebuilt from the same single-linkage tree for minimum cluster sizes
 *   m ≥ min_cluster_size, and the m whose EOM selection has the cluster count closest to n / 25 is
 *   used (the original found 37 / 17 / 7 clusters on 896 comments). So no cluster is smaller than
 *   min_cluster_size, and the granularity is comparable across conversations.
 *   No finest cluster may hold more than 20 % of the comments at its birth (max(2 · min_cluster_size,
 *   0.2 · n)): EOM then looks at its children instead (hdbscan's `max_cluster_size`). Without it,
 *   when one dense mass is more stable than all of its parts together, EOM returns that mass and a
 *   few crumbs at every minimum size, e.g. 293 of 308 comments in one cluster of a biodiversity +
 *   march-on mix; every coarser layer is then that cluster too. Measured on such mixes (5 march-on
 *   samples × 3 seeds): coarse-layer purity against the source conversation 0.782 → 0.803 on
 *   average, the worst run 0.52 → 0.74; march-on alone is unchanged (no finest cluster is that big).
 *
 * Coarser layers = Ward agglomeration of the finest clusters (centroids and sizes in the clustering
 * space), cut at round(n / 50), round(n / 120), round(n / 300), round(n / 750) clusters, keeping the
 * targets ≥ 3 that are smaller than the layer below, up to maxLayers. Nested by construction: a
 * coarse cluster is a union of fine clusters. Why not coarser cuts of the condensed tree, as HDBSCAN
 * hierarchies usually are: on these maps the tree is a chain (one dense mass shedding small clusters),
 * so every 15-cluster cut of march-on had one cluster of ~1,450 comments plus 14 small ones, and an
 * EOM with a large minimum size left 64 % noise. Ward on the embeddings instead of the clustering
 * space had the same giant-cluster problem (1,354 of 1,767 in the coarsest layer). Known limit: UMAP
 * places groups that are disconnected in the 15-NN graph arbitrarily relative to each other, so when
 * sub-topics do not touch at all the coarse merges can pair the wrong ones (synthetic 3 × 3 nested
 * blobs with isolated sub-blobs: coarsest layer right in 9 of 13 runs; with touching sub-blobs, as in
 * real conversations, 5 of 5).
 *
 * Noise (-1) is the same set of comments in every layer, so a comment that is noise in a coarse
 * layer is noise in all finer ones. A noise comment is attached to the cluster of its nearest
 * clustered comment (mutual reachability in the clustering space) when that distance is within the
 * cluster's reach (the largest core distance among its members): it is then as close to the cluster
 * as the cluster's loosest member. If noise still exceeds 25 % of the comments, the remaining noise
 * comments closest to a cluster (relative to its reach) are attached too until 25 % remain.
 *
 * Confidence: HDBSCAN's membership probability in the finest cluster, min(λ_p, λ_max) / λ_max
 * (λ = 1 / distance at which the comment leaves the tree, λ_max the cluster's largest); attached
 * noise comments get the same formula, which is low for them; coarser layers inherit the finest
 * layer's value; noise has 0.
 *
 * Small inputs: min_cluster_size is clamped to [2, n]; fewer than 2 · min_cluster_size comments
 * cannot split, so they form one layer with a single cluster (confidence 1), as do comments that all
 * have the same embedding; identical comments are never split apart (a zero-distance merge in the
 * tree is not a split). Every such change is a sentence in `adjustments`.
 *
 * Cluster ids in each layer are numbered by decreasing size (ties: smallest comment index first).
 */
import { nearestNeighbors2d } from './neighbors';
import { projectUmap } from './umap';

export interface ClusteringOptions {
  seed?: number;
  /** Smallest allowed cluster (default 5), also HDBSCAN's min_samples. */
  minClusterSize?: number;
  /** Most layers returned (default 5). */
  maxLayers?: number;
  /** 'umap' (default): a 5-D clustering UMAP of the vectors; 'positions': the given 2-D map. */
  space?: 'umap' | 'positions';
}

export interface ClusteringResult {
  /** layers[0] = finest; one label per comment; -1 = noise. */
  layers: number[][];
  /** Per layer per comment, in [0, 1]. */
  confidence: number[][];
  parameters: Record<string, number | string>;
  adjustments: string[];
}

export const CLUSTERING_DEFAULTS = { seed: 42, minClusterSize: 5, maxLayers: 5, space: 'umap' } as const;
// 200 epochs (umap-learn's count above 10,000 points) are enough for a space that is only clustered, never shown.
const CLUSTERING_UMAP = { nComponents: 5, nNeighbors: 15, minDist: 0, nEpochs: 200 } as const;
const FINEST_DIVISOR = 25;
const COARSER_DIVISORS = [50, 120, 300, 750];
const MIN_COARSE_CLUSTERS = 3;
const MAX_NOISE_SHARE = 0.25;
/** No finest cluster may start with more than this share of the comments (see the file comment). */
const FINEST_MAX_CLUSTER_SHARE = 0.2;

// ---------------------------------------------------------------------------------------------
// HDBSCAN building blocks (euclidean, low-dimensional points)

interface Points {
  coords: Float64Array;
  n: number;
  dim: number;
}

function toPoints(rows: ArrayLike<number>[]): Points {
  const n = rows.length;
  const dim = n > 0 ? rows[0].length : 0;
  const coords = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    if (rows[i].length !== dim) throw new RangeError(`point ${i} has ${rows[i].length} coordinates, expected ${dim}`);
    for (let d = 0; d < dim; d++) coords[i * dim + d] = rows[i][d];
  }
  return { coords, n, dim };
}

function distance(points: Points, a: number, b: number): number {
  const { coords, dim } = points;
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const diff = coords[a * dim + d] - coords[b * dim + d];
    s += diff * diff;
  }
  return Math.sqrt(s);
}

/** Distance to the (minSamples − 1)-th other point: hdbscan's core distance (the point counts as one). */
export function coreDistances(rows: ArrayLike<number>[], minSamples: number): Float64Array {
  const n = rows.length;
  const k = Math.min(Math.max(minSamples - 1, 1), n - 1);
  const core = new Float64Array(n);
  if (k < 1) return core;
  const knn = nearestNeighbors2d(rows, k);
  for (let i = 0; i < n; i++) core[i] = knn.distances[i][k - 1];
  return core;
}

/** Single-linkage merges (scipy layout): merge i creates node n + i from left[i] and right[i]. */
export interface Linkage {
  left: Int32Array;
  right: Int32Array;
  distance: Float64Array;
  size: Int32Array;
}

/**
 * Single-linkage tree of the mutual-reachability distance max(core_a, core_b, d(a, b)): Prim's
 * minimum spanning tree on the complete graph (distances computed on the fly, O(n² · dim), O(n)
 * memory; ties to the lowest index), then union–find over the edges sorted by weight.
 */
export function mutualReachabilityLinkage(rows: ArrayLike<number>[], core: Float64Array): Linkage {
  const points = toPoints(rows);
  const { n } = points;
  const m = Math.max(n - 1, 0);
  const ea = new Int32Array(m);
  const eb = new Int32Array(m);
  const ew = new Float64Array(m);
  if (n >= 2) {
    const best = new Float64Array(n).fill(Infinity);
    const from = new Int32Array(n);
    const remaining = new Int32Array(n - 1);
    for (let i = 1; i < n; i++) remaining[i - 1] = i;
    let count = n - 1;
    let current = 0;
    for (let e = 0; e < m; e++) {
      const cc = core[current];
      let bestPos = -1;
      let bestValue = Infinity;
      let bestIndex = n;
      for (let p = 0; p < count; p++) {
        const j = remaining[p];
        let d = distance(points, current, j);
        if (cc > d) d = cc;
        if (core[j] > d) d = core[j];
        if (d < best[j]) {
          best[j] = d;
          from[j] = current;
        }
        const value = best[j];
        if (value < bestValue || (value === bestValue && j < bestIndex)) {
          bestValue = value;
          bestIndex = j;
          bestPos = p;
        }
      }
      ea[e] = from[bestIndex];
      eb[e] = bestIndex;
      ew[e] = bestValue;
      remaining[bestPos] = remaining[count - 1];
      count--;
      current = bestIndex;
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => ew[x] - ew[y] || x - y);
  const parent = new Int32Array(2 * n);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const nodeSize = new Int32Array(2 * n).fill(1);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const linkage: Linkage = { left: new Int32Array(m), right: new Int32Array(m), distance: new Float64Array(m), size: new Int32Array(m) };
  order.forEach((e, i) => {
    const ra = find(ea[e]);
    const rb = find(eb[e]);
    const node = n + i;
    linkage.left[i] = Math.min(ra, rb);
    linkage.right[i] = Math.max(ra, rb);
    linkage.distance[i] = ew[e];
    linkage.size[i] = nodeSize[ra] + nodeSize[rb];
    nodeSize[node] = linkage.size[i];
    parent[ra] = node;
    parent[rb] = node;
  });
  return linkage;
}

/**
 * Condensed cluster tree (Campello et al. 2013 / McInnes' hdbscan). Cluster 0 is the root (all
 * points); ids grow with depth, so a child always has a larger id than its parent.
 */
export interface CondensedTree {
  n: number;
  clusterCount: number;
  parent: Int32Array; // -1 for the root
  birth: Float64Array; // λ at which the cluster appears
  size: Int32Array; // points at birth
  children: number[][];
  /** The cluster each point finally leaves, and the λ at which it does. */
  pointCluster: Int32Array;
  pointLambda: Float64Array;
  stability: Float64Array;
}

export function condenseTree(linkage: Linkage, n: number, minClusterSize: number): CondensedTree {
  const m = linkage.distance.length;
  // λ = 1 / distance. Exact duplicates (distance 0) would give λ = ∞ and break the stabilities:
  // distances are floored at a thousandth of the smallest positive one.
  let minPositive = Infinity;
  for (let i = 0; i < m; i++) if (linkage.distance[i] > 0 && linkage.distance[i] < minPositive) minPositive = linkage.distance[i];
  const floor = Number.isFinite(minPositive) ? minPositive * 1e-3 : 1;
  const lambdaOf = (node: number) => 1 / Math.max(linkage.distance[node - n], floor);
  const sizeOf = (node: number) => (node < n ? 1 : linkage.size[node - n]);

  const parent: number[] = [-1];
  const birth: number[] = [0];
  const size: number[] = [n];
  const children: number[][] = [[]];
  const pointCluster = new Int32Array(n);
  const pointLambda = new Float64Array(n);

  const leave = (node: number, cluster: number, lambda: number) => {
    const stack = [node];
    while (stack.length > 0) {
      const x = stack.pop() as number;
      if (x < n) {
        pointCluster[x] = cluster;
        pointLambda[x] = lambda;
      } else {
        stack.push(linkage.left[x - n], linkage.right[x - n]);
      }
    }
  };

  if (n === 1) pointLambda[0] = 1;
  const work: Array<[number, number]> = n > 1 ? [[2 * n - 2, 0]] : [];
  while (work.length > 0) {
    const [node, cluster] = work.pop() as [number, number];
    const lambda = lambdaOf(node);
    if (linkage.distance[node - n] <= 0) {
      // Identical points are never split apart: they leave their cluster together.
      leave(node, cluster, lambda);
      continue;
    }
    const left = linkage.left[node - n];
    const right = linkage.right[node - n];
    const bigLeft = sizeOf(left) >= minClusterSize;
    const bigRight = sizeOf(right) >= minClusterSize;
    if (bigLeft && bigRight) {
      for (const child of [left, right]) {
        const id = parent.length;
        parent.push(cluster);
        birth.push(lambda);
        size.push(sizeOf(child));
        children.push([]);
        children[cluster].push(id);
        work.push([child, id]);
      }
    } else if (bigLeft) {
      leave(right, cluster, lambda);
      work.push([left, cluster]);
    } else if (bigRight) {
      leave(left, cluster, lambda);
      work.push([right, cluster]);
    } else {
      leave(left, cluster, lambda);
      leave(right, cluster, lambda);
    }
  }

  // Renumber breadth-first (larger child first) so ids grow with depth.
  const clusterCount = parent.length;
  const order: number[] = [0];
  for (let q = 0; q < order.length; q++) {
    order.push(...[...children[order[q]]].sort((a, b) => size[b] - size[a] || a - b));
  }
  const newId = new Int32Array(clusterCount);
  order.forEach((old, i) => (newId[old] = i));
  const tree: CondensedTree = {
    n,
    clusterCount,
    parent: new Int32Array(clusterCount),
    birth: new Float64Array(clusterCount),
    size: new Int32Array(clusterCount),
    children: [],
    pointCluster: new Int32Array(n),
    pointLambda,
    stability: new Float64Array(clusterCount),
  };
  order.forEach((old, i) => {
    tree.parent[i] = parent[old] < 0 ? -1 : newId[parent[old]];
    tree.birth[i] = birth[old];
    tree.size[i] = size[old];
    tree.children[i] = children[old].map((c) => newId[c]).sort((a, b) => a - b);
  });
  for (let p = 0; p < n; p++) tree.pointCluster[p] = newId[pointCluster[p]];
  // Stability = Σ over the points of (λ at which they leave the cluster − λ at its birth); points
  // inside a child cluster leave at the child's birth.
  for (let p = 0; p < n; p++) {
    const c = tree.pointCluster[p];
    tree.stability[c] += pointLambda[p] - tree.birth[c];
  }
  for (let c = 1; c < clusterCount; c++) {
    const p = tree.parent[c];
    tree.stability[p] += (tree.birth[c] - tree.birth[p]) * tree.size[c];
  }
  return tree;
}

/**
 * Excess-of-mass selection (hdbscan's default). The root is selected only when it never splits.
 * A cluster of more than `maxClusterSize` points (at birth) is not selected when it has children:
 * they are considered instead (hdbscan's `max_cluster_size`).
 */
export function excessOfMass(tree: CondensedTree, maxClusterSize = Infinity): number[] {
  const { clusterCount } = tree;
  if (clusterCount === 1) return [0];
  const best = Float64Array.from(tree.stability);
  const selected = new Uint8Array(clusterCount);
  for (let c = clusterCount - 1; c >= 1; c--) {
    const kids = tree.children[c];
    let sum = 0;
    for (const k of kids) sum += best[k];
    if (kids.length > 0 && (sum > tree.stability[c] || tree.size[c] > maxClusterSize)) {
      best[c] = sum;
    } else {
      selected[c] = 1;
      const stack = [...kids];
      while (stack.length > 0) {
        const x = stack.pop() as number;
        selected[x] = 0;
        stack.push(...tree.children[x]);
      }
    }
  }
  const out: number[] = [];
  for (let c = 1; c < clusterCount; c++) if (selected[c]) out.push(c);
  return out;
}

/**
 * Labels (index into `selection`, -1 noise) and HDBSCAN membership probabilities
 * min(λ_p, λ_max) / λ_max, λ_max the largest λ among the cluster's points.
 */
export function labelSelection(tree: CondensedTree, selection: number[]): { labels: Int32Array; confidence: Float64Array; maxLambda: Float64Array } {
  const owner = new Int32Array(tree.clusterCount).fill(-1);
  const index = new Map(selection.map((c, i) => [c, i]));
  for (let c = 0; c < tree.clusterCount; c++) {
    const own = index.get(c);
    owner[c] = own !== undefined ? own : c > 0 ? owner[tree.parent[c]] : -1;
  }
  const labels = new Int32Array(tree.n);
  const confidence = new Float64Array(tree.n);
  const maxLambda = new Float64Array(selection.length);
  for (let p = 0; p < tree.n; p++) {
    const label = owner[tree.pointCluster[p]];
    labels[p] = label;
    if (label >= 0 && tree.pointLambda[p] > maxLambda[label]) maxLambda[label] = tree.pointLambda[p];
  }
  for (let p = 0; p < tree.n; p++) {
    const label = labels[p];
    if (label >= 0) confidence[p] = membership(tree.pointLambda[p], maxLambda[label]);
  }
  return { labels, confidence, maxLambda };
}

function membership(lambda: number, maxLambda: number): number {
  return maxLambda > 0 ? Math.min(lambda, maxLambda) / maxLambda : 1;
}

/** Plain HDBSCAN (EOM) on low-dimensional points. */
export function hdbscan(rows: ArrayLike<number>[], options: { minClusterSize: number; minSamples?: number }): {
  labels: number[];
  confidence: number[];
  tree: CondensedTree;
} {
  const core = coreDistances(rows, options.minSamples ?? options.minClusterSize);
  const tree = condenseTree(mutualReachabilityLinkage(rows, core), rows.length, options.minClusterSize);
  const { labels, confidence } = labelSelection(tree, excessOfMass(tree));
  return { labels: Array.from(labels), confidence: Array.from(confidence), tree };
}

/**
 * Ward agglomeration of clusters given by centroids and sizes: the merge cost of A and B is
 * |A||B| / (|A| + |B|) · ‖c_A − c_B‖², centroids recomputed after each merge (exact Ward). The
 * merged cluster keeps the smaller id; ties go to the lowest (a, b) pair. O(K³ / 6), ~1 s at K = 800.
 */
export function wardMerges(centroids: ArrayLike<number>[], sizes: number[]): Array<{ a: number; b: number; cost: number }> {
  const k = centroids.length;
  const dim = k > 0 ? centroids[0].length : 0;
  const c = new Float64Array(k * dim);
  centroids.forEach((row, i) => {
    for (let d = 0; d < dim; d++) c[i * dim + d] = row[d];
  });
  const size = [...sizes];
  const alive = new Uint8Array(k).fill(1);
  const merges: Array<{ a: number; b: number; cost: number }> = [];
  for (let step = 0; step < k - 1; step++) {
    let best = Infinity;
    let ba = -1;
    let bb = -1;
    for (let a = 0; a < k; a++) {
      if (!alive[a]) continue;
      for (let b = a + 1; b < k; b++) {
        if (!alive[b]) continue;
        let s = 0;
        for (let d = 0; d < dim; d++) {
          const diff = c[a * dim + d] - c[b * dim + d];
          s += diff * diff;
        }
        const cost = ((size[a] * size[b]) / (size[a] + size[b])) * s;
        if (cost < best) {
          best = cost;
          ba = a;
          bb = b;
        }
      }
    }
    merges.push({ a: ba, b: bb, cost: best });
    const total = size[ba] + size[bb];
    for (let d = 0; d < dim; d++) c[ba * dim + d] = (c[ba * dim + d] * size[ba] + c[bb * dim + d] * size[bb]) / total;
    size[ba] = total;
    alive[bb] = 0;
  }
  return merges;
}

// ---------------------------------------------------------------------------------------------
// Layers

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

export interface ClusteringInput {
  vectors: Float32Array[];
  /** The 2-D map (clustered when `space` is 'positions'). */
  positions: number[][];
  /**
   * The 5-D clustering space when the caller already has it (ProjectUmap makes it from the map's kNN
   * graph, `clusteringSpaceLayout`), with the n_neighbors of that graph; otherwise clusterLayers
   * projects the vectors itself.
   */
  clusteringSpace?: { positions: number[][]; nNeighbors: number };
}

/** The layout options of the clustering space, for callers that project it themselves. */
export function clusteringSpaceLayout(): { nComponents: number; minDist: number; nEpochs: number } {
  const { nComponents, minDist, nEpochs } = CLUSTERING_UMAP;
  return { nComponents, minDist, nEpochs };
}

export function clusterLayers(
  input: ClusteringInput,
  options: ClusteringOptions = {},
): ClusteringResult {
  const n = input.vectors.length;
  const seed = options.seed ?? CLUSTERING_DEFAULTS.seed;
  const space = options.space ?? CLUSTERING_DEFAULTS.space;
  const requestedMin = options.minClusterSize ?? CLUSTERING_DEFAULTS.minClusterSize;
  const maxLayers = options.maxLayers ?? CLUSTERING_DEFAULTS.maxLayers;
  if (!Number.isInteger(requestedMin) || requestedMin < 2) throw new RangeError(`minClusterSize must be an integer ≥ 2, got ${requestedMin}`);
  if (!Number.isInteger(maxLayers) || maxLayers < 1) throw new RangeError(`maxLayers must be a positive integer, got ${maxLayers}`);
  if (input.positions.length !== n) {
    throw new RangeError(`${input.positions.length} positions for ${comments(n)}`);
  }
  if (input.clusteringSpace && input.clusteringSpace.positions.length !== n) {
    throw new RangeError(`${input.clusteringSpace.positions.length} clustering positions for ${comments(n)}`);
  }

  const adjustments: string[] = [];
  const minClusterSize = Math.max(2, Math.min(requestedMin, n));
  if (n > 0 && minClusterSize !== requestedMin) {
    adjustments.push(`min_cluster_size clamped from ${requestedMin} to ${minClusterSize} because the conversation has ${comments(n)}`);
  }
  const parameters: Record<string, number | string> = {
    algorithm: 'hdbscan-eom finest layer, ward merges for coarser layers',
    clustering_space: space === 'umap' ? 'umap-5d' : 'umap-2d-positions',
    min_cluster_size: minClusterSize,
    min_samples: minClusterSize,
    max_layers: maxLayers,
    seed,
  };
  if (space === 'umap') {
    parameters.clustering_umap_n_components = CLUSTERING_UMAP.nComponents;
    parameters.clustering_umap_n_neighbors = input.clusteringSpace?.nNeighbors ?? CLUSTERING_UMAP.nNeighbors;
    parameters.clustering_umap_min_dist = CLUSTERING_UMAP.minDist;
    parameters.clustering_umap_n_epochs = CLUSTERING_UMAP.nEpochs;
  }

  // Too few comments for two clusters of the minimum size, or nothing to tell them apart: one layer
  // with one cluster (confidence 1: there is no other cluster to belong to).
  const identical = n > 1 && input.vectors.every((v) => v.every((x, d) => x === input.vectors[0][d]));
  if (n < 2 * minClusterSize || identical) {
    if (n > 0) {
      adjustments.push(
        identical
          ? `one layer with a single cluster: all ${comments(n)} have the same embedding`
          : `one layer with a single cluster: ${comments(n)} cannot form two clusters of at least ${minClusterSize}`,
      );
    }
    parameters.finest_min_cluster_size = minClusterSize;
    parameters.noise_attached = 0;
    return { layers: [new Array<number>(n).fill(0)], confidence: [new Array<number>(n).fill(1)], parameters, adjustments };
  }

  const rows = space === 'positions'
    ? input.positions
    : (input.clusteringSpace?.positions ?? projectUmap(input.vectors, { ...CLUSTERING_UMAP, seed }).positions);
  const points = toPoints(rows);
  const core = coreDistances(rows, minClusterSize);
  const linkage = mutualReachabilityLinkage(rows, core);

  // Finest layer: EOM on the condensed tree whose minimum cluster size gives the count nearest n/25.
  const finestTarget = Math.max(2, n / FINEST_DIVISOR);
  const finestMaxClusterSize = Math.max(2 * minClusterSize, Math.floor(FINEST_MAX_CLUSTER_SHARE * n));
  let chosen: { size: number; tree: CondensedTree; selection: number[]; score: number } | null = null;
  for (let size = minClusterSize; size <= Math.max(minClusterSize, Math.floor(n / 2)); size = size < 30 ? size + 1 : Math.ceil(size * 1.1)) {
    const tree = condenseTree(linkage, n, size);
    const selection = excessOfMass(tree, finestMaxClusterSize);
    const score = Math.abs(Math.log(selection.length / finestTarget));
    if (!chosen || score < chosen.score) chosen = { size, tree, selection, score };
    if (selection.length < finestTarget / 4) break;
  }
  const { tree, selection } = chosen as NonNullable<typeof chosen>;
  parameters.finest_min_cluster_size = (chosen as NonNullable<typeof chosen>).size;
  parameters.finest_target_clusters = Math.round(finestTarget);
  parameters.finest_max_cluster_size = finestMaxClusterSize;
  const fine = labelSelection(tree, selection);
  const labels = Array.from(fine.labels);
  const confidence = Array.from(fine.confidence);
  const clusterCount = selection.length;

  parameters.noise_attached = attachNoise(points, core, tree, labels, confidence, fine.maxLambda, clusterCount);
  parameters.max_noise_share = MAX_NOISE_SHARE;

  const layers: number[][] = [labels];
  if (clusterCount > MIN_COARSE_CLUSTERS) {
    const dim = points.dim;
    const centroids = Array.from({ length: clusterCount }, () => new Float64Array(dim));
    const sizes = new Array<number>(clusterCount).fill(0);
    for (let i = 0; i < n; i++) {
      const f = labels[i];
      if (f < 0) continue;
      sizes[f]++;
      for (let d = 0; d < dim; d++) centroids[f][d] += points.coords[i * dim + d];
    }
    centroids.forEach((c, f) => c.forEach((_, d) => (c[d] /= sizes[f])));
    const merges = wardMerges(centroids, sizes);
    let previous = clusterCount;
    const targets: number[] = [];
    for (const divisor of COARSER_DIVISORS) {
      if (layers.length >= maxLayers) break;
      if (n / divisor < MIN_COARSE_CLUSTERS) break;
      const k = Math.round(n / divisor);
      if (k >= previous) continue;
      const owner = Array.from({ length: clusterCount }, (_, f) => f);
      const find = (x: number): number => {
        while (owner[x] !== x) x = owner[x] = owner[owner[x]];
        return x;
      };
      for (let t = 0; t < clusterCount - k; t++) owner[find(merges[t].b)] = find(merges[t].a);
      layers.push(labels.map((f) => (f < 0 ? -1 : find(f))));
      targets.push(k);
      previous = k;
    }
    parameters.coarser_layer_divisors = COARSER_DIVISORS.slice(0, targets.length).map((d) => `n/${d}`).join(',');
  }
  if (layers.length < Math.min(2, maxLayers)) {
    adjustments.push(
      `one layer only: ${clusterCount} cluster${clusterCount === 1 ? '' : 's'} found in ${comments(n)}, too few to merge into a coarser layer`,
    );
  }
  return {
    layers: layers.map(renumber),
    confidence: layers.map(() => [...confidence]),
    parameters,
    adjustments,
  };
}

/**
 * Attaches noise comments to the cluster of their nearest clustered comment (mutual reachability),
 * first those within the cluster's reach, then — while noise exceeds MAX_NOISE_SHARE — the ones
 * closest relative to the reach. Mutates labels and confidence; returns how many were attached.
 */
function attachNoise(
  points: Points,
  core: Float64Array,
  tree: CondensedTree,
  labels: number[],
  confidence: number[],
  maxLambda: Float64Array,
  clusterCount: number,
): number {
  const n = points.n;
  const clustered: number[] = [];
  const noise: number[] = [];
  for (let i = 0; i < n; i++) (labels[i] >= 0 ? clustered : noise).push(i);
  if (noise.length === 0 || clustered.length === 0) return 0;
  const reach = new Float64Array(clusterCount);
  for (const q of clustered) reach[labels[q]] = Math.max(reach[labels[q]], core[q]);
  const candidates: Array<{ p: number; cluster: number; ratio: number }> = [];
  for (const p of noise) {
    let bestDistance = Infinity;
    let bestCluster = -1;
    for (const q of clustered) {
      const d = Math.max(distance(points, p, q), core[p], core[q]);
      if (d < bestDistance) {
        bestDistance = d;
        bestCluster = labels[q];
      }
    }
    const r = reach[bestCluster];
    candidates.push({ p, cluster: bestCluster, ratio: r > 0 ? bestDistance / r : bestDistance > 0 ? Infinity : 0 });
  }
  candidates.sort((a, b) => a.ratio - b.ratio || a.p - b.p);
  const allowedNoise = Math.floor(MAX_NOISE_SHARE * n);
  let attached = 0;
  for (const { p, cluster, ratio } of candidates) {
    const remainingNoise = noise.length - attached;
    if (ratio > 1 && remainingNoise <= allowedNoise) break;
    labels[p] = cluster;
    confidence[p] = membership(tree.pointLambda[p], maxLambda[cluster]);
    attached++;
  }
  return attached;
}
