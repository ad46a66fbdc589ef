import { nearestNeighbors, nearestNeighbors2d } from './neighbors';
import { projectUmap } from './umap';

// ---------------------------------------------------------------------------------------------
// HDBSCAN core

export interface Points {
  coords: Float64Array;
  n: number;
  dim: number;
  /** 'euclidean' on coords, or 'cosine' (1 − dot) on L2-normalised coords. */
  metric: 'euclidean' | 'cosine';
}

export function toPoints(rows: ArrayLike<number>[], metric: 'euclidean' | 'cosine'): Points {
  const n = rows.length;
  const dim = n > 0 ? rows[0].length : 0;
  const coords = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    let norm = 0;
    if (metric === 'cosine') for (let d = 0; d < dim; d++) norm += row[d] * row[d];
    const scale = metric === 'cosine' ? (norm > 0 ? 1 / Math.sqrt(norm) : 0) : 1;
    for (let d = 0; d < dim; d++) coords[i * dim + d] = row[d] * scale;
  }
  return { coords, n, dim, metric };
}

/** Distance to the (minSamples − 1)-th other point: hdbscan's core distance (the point counts as 1). */
export function coreDistances(points: Points, minSamples: number, rows: ArrayLike<number>[]): Float64Array {
  const k = Math.min(Math.max(minSamples - 1, 1), points.n - 1);
  const core = new Float64Array(points.n);
  if (k < 1) return core;
  const knn = points.metric === 'cosine' ? nearestNeighbors(rows, k) : nearestNeighbors2d(rows, k);
  for (let i = 0; i < points.n; i++) core[i] = knn.distances[i][k - 1];
  return core;
}

export interface MstEdges {
  a: Int32Array;
  b: Int32Array;
  weight: Float64Array;
}

/**
 * Minimum spanning tree of the mutual-reachability graph, max(core_a, core_b, d(a, b)), by Prim's
 * algorithm on the complete graph with distances computed on the fly: O(n² · dim) time, O(n) memory.
 * Ties go to the lowest index, so the tree is deterministic.
 */
export function mutualReachabilityMst(points: Points, core: Float64Array): MstEdges {
  const { coords, n, dim, metric } = points;
  const edges: MstEdges = { a: new Int32Array(Math.max(n - 1, 0)), b: new Int32Array(Math.max(n - 1, 0)), weight: new Float64Array(Math.max(n - 1, 0)) };
  if (n < 2) return edges;
  const best = new Float64Array(n).fill(Infinity);
  const from = new Int32Array(n);
  const remaining = new Int32Array(n - 1);
  for (let i = 1; i < n; i++) remaining[i - 1] = i;
  let count = n - 1;
  let current = 0;
  for (let e = 0; e < n - 1; e++) {
    const co = current * dim;
    const cc = core[current];
    let bestPos = -1;
    let bestValue = Infinity;
    let bestIndex = n;
    for (let p = 0; p < count; p++) {
      const j = remaining[p];
      const jo = j * dim;
      let d: number;
      if (metric === 'euclidean') {
        let s = 0;
        for (let k = 0; k < dim; k++) {
          const diff = coords[co + k] - coords[jo + k];
          s += diff * diff;
        }
        d = Math.sqrt(s);
      } else {
        let s = 0;
        for (let k = 0; k < dim; k++) s += coords[co + k] * coords[jo + k];
        d = Math.max(0, 1 - s);
      }
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
    edges.a[e] = from[bestIndex];
    edges.b[e] = bestIndex;
    edges.weight[e] = bestValue;
    remaining[bestPos] = remaining[count - 1];
    count--;
    current = bestIndex;
  }
  return edges;
}

/** Single-linkage merges (scipy layout): merge i creates node n + i from left[i] and right[i]. */
export interface Linkage {
  left: Int32Array;
  right: Int32Array;
  distance: Float64Array;
  size: Int32Array;
}

export function singleLinkage(mst: MstEdges, n: number): Linkage {
  const m = mst.weight.length;
  const order = Array.from({ length: m }, (_, i) => i).sort(
    (x, y) => mst.weight[x] - mst.weight[y] || x - y,
  );
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
    const ra = find(mst.a[e]);
    const rb = find(mst.b[e]);
    const node = n + i;
    linkage.left[i] = Math.min(ra, rb);
    linkage.right[i] = Math.max(ra, rb);
    linkage.distance[i] = mst.weight[e];
    linkage.size[i] = nodeSize[ra] + nodeSize[rb];
    nodeSize[node] = linkage.size[i];
    parent[ra] = node;
    parent[rb] = node;
  });
  return linkage;
}

/**
 * Condensed cluster tree. Cluster 0 is the root (all points). Clusters are numbered top-down, so a
 * child always has a larger id than its parent.
 */
export interface CondensedTree {
  n: number;
  clusterCount: number;
  parent: Int32Array; // parent cluster, -1 for the root
  birth: Float64Array; // λ at which the cluster appears
  death: Float64Array; // λ at which it splits into child clusters (or its last point leaves)
  size: Int32Array; // points at birth
  /** Single-linkage node the cluster is born as (2n − 2 for the root): the same node is the same
   * point set in every condensed tree of one linkage, whatever the minimum cluster size. */
  node: Int32Array;
  children: number[][];
  /** The cluster each point finally falls out of, and the λ at which it does. */
  pointCluster: Int32Array;
  pointLambda: Float64Array;
  stability: Float64Array;
}

export function condenseTree(linkage: Linkage, n: number, minClusterSize: number): CondensedTree {
  const m = linkage.distance.length;
  // λ = 1 / distance; exact duplicates (distance 0) would give λ = ∞, which breaks stabilities, so
  // distances are floored at a thousandth of the smallest positive merge distance.
  let minPositive = Infinity;
  for (let i = 0; i < m; i++) if (linkage.distance[i] > 0 && linkage.distance[i] < minPositive) minPositive = linkage.distance[i];
  const floor = Number.isFinite(minPositive) ? minPositive * 1e-3 : 1;
  const lambdaOf = (node: number) => 1 / Math.max(linkage.distance[node - n], floor);
  const sizeOf = (node: number) => (node < n ? 1 : linkage.size[node - n]);

  const parent: number[] = [-1];
  const node0: number[] = [Math.max(2 * n - 2, 0)];
  const birth: number[] = [0];
  const size: number[] = [n];
  const children: number[][] = [[]];
  const pointCluster = new Int32Array(n).fill(0);
  const pointLambda = new Float64Array(n);
  const splitLambda: number[] = [0];

  const fallOut = (node: number, cluster: number, lambda: number) => {
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

  if (n === 1) {
    pointLambda[0] = 0;
  } else if (n > 1) {
    const work: Array<[number, number]> = [[2 * n - 2, 0]];
    while (work.length > 0) {
      const [node, cluster] = work.pop() as [number, number];
      if (node < n) {
        // A lone point reached while walking down its cluster's main branch.
        pointCluster[node] = cluster;
        pointLambda[node] = splitLambda[cluster] || (cluster === 0 ? 0 : birth[cluster]);
        continue;
      }
      const lambda = lambdaOf(node);
      if (linkage.distance[node - n] <= 0) {
        // Exact duplicates are never split apart: they leave together at the largest λ.
        fallOut(node, cluster, lambda);
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
          node0.push(child);
          birth.push(lambda);
          size.push(sizeOf(child));
          children.push([]);
          splitLambda.push(0);
          children[cluster].push(id);
          work.push([child, id]);
        }
        splitLambda[cluster] = lambda;
      } else if (bigLeft) {
        fallOut(right, cluster, lambda);
        work.push([left, cluster]);
      } else if (bigRight) {
        fallOut(left, cluster, lambda);
        work.push([right, cluster]);
      } else {
        fallOut(left, cluster, lambda);
        fallOut(right, cluster, lambda);
      }
    }
  }
  // Process order above is a stack (depth-first); renumber clusters breadth-first so ids grow with
  // depth and do not depend on traversal details.
  const clusterCount = parent.length;
  const order: number[] = [0];
  for (let q = 0; q < order.length; q++) {
    const kids = [...children[order[q]]].sort((a, b) => size[b] - size[a] || a - b);
    order.push(...kids);
  }
  const newId = new Int32Array(clusterCount);
  order.forEach((old, i) => (newId[old] = i));
  const tree: CondensedTree = {
    n,
    clusterCount,
    parent: new Int32Array(clusterCount),
    birth: new Float64Array(clusterCount),
    death: new Float64Array(clusterCount),
    size: new Int32Array(clusterCount),
    node: new Int32Array(clusterCount),
    children: Array.from({ length: clusterCount }, () => [] as number[]),
    pointCluster: new Int32Array(n),
    pointLambda,
    stability: new Float64Array(clusterCount),
  };
  order.forEach((old, i) => {
    tree.parent[i] = parent[old] < 0 ? -1 : newId[parent[old]];
    tree.birth[i] = birth[old];
    tree.size[i] = size[old];
    tree.node[i] = node0[old];
    tree.children[i] = children[old].map((c) => newId[c]).sort((a, b) => a - b);
    tree.death[i] = splitLambda[old];
  });
  for (let p = 0; p < n; p++) tree.pointCluster[p] = newId[pointCluster[p]];
  // Stability: Σ over points leaving the cluster (directly or inside a child) of (λ_leave − λ_birth).
  for (let p = 0; p < n; p++) {
    const c = tree.pointCluster[p];
    tree.stability[c] += pointLambda[p] - tree.birth[c];
    if (pointLambda[p] > tree.death[c] && tree.children[c].length === 0) tree.death[c] = pointLambda[p];
  }
  for (let c = 1; c < clusterCount; c++) {
    const p = tree.parent[c];
    tree.stability[p] += (tree.birth[c] - tree.birth[p]) * tree.size[c];
  }
  return tree;
}

/** Excess-of-mass selection (hdbscan's default), root excluded unless it has no child clusters. */
export function excessOfMass(tree: CondensedTree): number[] {
  const { clusterCount } = tree;
  if (clusterCount === 1) return [0];
  const best = Float64Array.from(tree.stability);
  const selected = new Uint8Array(clusterCount);
  for (let c = clusterCount - 1; c >= 1; c--) {
    const kids = tree.children[c];
    if (kids.length === 0) {
      selected[c] = 1;
      continue;
    }
    let sum = 0;
    for (const k of kids) sum += best[k];
    if (sum > tree.stability[c]) {
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

/** The selected cluster containing each condensed-tree cluster (itself or an ancestor), else -1. */
function selectedAncestors(tree: CondensedTree, selection: number[]): Int32Array {
  const owner = new Int32Array(tree.clusterCount).fill(-1);
  const index = new Map(selection.map((c, i) => [c, i]));
  for (let c = 0; c < tree.clusterCount; c++) {
    const own = index.get(c);
    if (own !== undefined) owner[c] = own;
    else if (c > 0) owner[c] = owner[tree.parent[c]];
  }
  return owner;
}

/**
 * Labels (index into `selection`, -1 noise) and HDBSCAN membership probabilities:
 * min(λ_p, λ_max) / λ_max with λ_max the largest λ among the cluster's points.
 */
export function labelSelection(tree: CondensedTree, selection: number[]): { labels: Int32Array; confidence: Float64Array } {
  const owner = selectedAncestors(tree, selection);
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
    if (label < 0) continue;
    const max = maxLambda[label];
    confidence[p] = max > 0 ? Math.min(tree.pointLambda[p], max) / max : 1;
  }
  return { labels, confidence };
}

export function hdbscanTree(rows: ArrayLike<number>[], metric: 'euclidean' | 'cosine', minClusterSize: number, minSamples: number): CondensedTree {
  const points = toPoints(rows, metric);
  const core = coreDistances(points, minSamples, rows);
  const mst = mutualReachabilityMst(points, core);
  const linkage = singleLinkage(mst, points.n);
  return condenseTree(linkage, points.n, minClusterSize);
}

export function singleLinkageOf(rows: ArrayLike<number>[], metric: 'euclidean' | 'cosine', minSamples: number): Linkage {
  const points = toPoints(rows, metric);
  const core = coreDistances(points, minSamples, rows);
  return singleLinkage(mutualReachabilityMst(points, core), points.n);
}

/**
 * Antichains above `fine` (a selection in `tree`) with exactly k clusters for every feasible k, each
 * maximising the summed stability, and covering every fine cluster (tree knapsack over the tree
 * induced by `fine`). Returns a function k → selection, or null when k is infeasible.
 */
export function coarserSelections(tree: CondensedTree, fine: number[]): { min: number; max: number; select: (k: number) => number[] | null; score: (k: number) => number } {
  const isFine = new Uint8Array(tree.clusterCount);
  for (const c of fine) isFine[c] = 1;
  // induced[c] = 1 when c is a fine cluster or an ancestor of one.
  const induced = new Uint8Array(tree.clusterCount);
  for (const c of fine) {
    let x = c;
    while (x >= 0 && !induced[x]) {
      induced[x] = 1;
      x = tree.parent[x];
    }
  }
  const kids = (c: number) => (isFine[c] ? [] : tree.children[c].filter((k) => induced[k]));
  // table[c][k] = best stability with k clusters inside c (index 0 unused); choice[c][k] = -1 means
  // c itself, otherwise the children split is rebuilt from per-child tables.
  const table: Float64Array[] = new Array(tree.clusterCount);
  const splits: Int32Array[][] = new Array(tree.clusterCount); // per node, per child prefix: k chosen for that child
  for (let c = tree.clusterCount - 1; c >= 0; c--) {
    if (!induced[c]) continue;
    const children = kids(c);
    if (children.length === 0) {
      table[c] = Float64Array.of(-Infinity, tree.stability[c]);
      continue;
    }
    // Max-plus convolution over children, each child taking ≥ 1 cluster.
    let acc = table[children[0]];
    const traces: Int32Array[] = [];
    traces.push(Int32Array.from(acc, (_, k) => k)); // first child takes k
    for (let q = 1; q < children.length; q++) {
      const child = table[children[q]];
      const next = new Float64Array(acc.length + child.length - 1).fill(-Infinity);
      const take = new Int32Array(next.length);
      for (let a = 1; a < acc.length; a++) {
        if (acc[a] === -Infinity) continue;
        for (let b = 1; b < child.length; b++) {
          const v = acc[a] + child[b];
          if (v > next[a + b]) {
            next[a + b] = v;
            take[a + b] = b;
          }
        }
      }
      acc = next;
      traces.push(take);
    }
    const own = Float64Array.from(acc);
    if (c !== 0 && tree.stability[c] >= own[1]) {
      own[1] = tree.stability[c];
      traces.push(Int32Array.of(-1, -1)); // marker: k = 1 means c itself
    }
    table[c] = own;
    splits[c] = traces;
  }
  const rootTable = table[0];
  let min = rootTable.length;
  for (let k = 1; k < rootTable.length; k++) if (rootTable[k] > -Infinity) { min = k; break; }
  const max = rootTable.length - 1;
  const select = (k: number): number[] | null => {
    if (k < 1 || k > max || rootTable[k] === -Infinity) return null;
    const out: number[] = [];
    const walk = (c: number, count: number) => {
      const children = kids(c);
      if (children.length === 0) {
        out.push(c);
        return;
      }
      const traces = splits[c];
      if (count === 1 && traces.length > children.length) {
        out.push(c);
        return;
      }
      let remaining = count;
      for (let q = children.length - 1; q >= 1; q--) {
        const b = traces[q][remaining];
        walk(children[q], b);
        remaining -= b;
      }
      walk(children[0], remaining);
    };
    walk(0, k);
    return out.sort((a, b) => a - b);
  };
  return { min, max, select, score: (k: number) => (k >= 1 && k <= max ? rootTable[k] : -Infinity) };
}


/**
 * Ward agglomeration of clusters given by their centroids and sizes (exact Ward: the merge cost of
 * A and B is |A||B| / (|A| + |B|) · ‖c_A − c_B‖², centroids recomputed after each merge). Returns
 * the merges in order; ties go to the lowest (a, b) pair, so it is deterministic. O(K³ / 6).
 */
export function wardMerges(centroids: Float64Array[], sizes: number[]): Array<{ a: number; b: number; cost: number }> {
  const k = centroids.length;
  const alive = new Uint8Array(k).fill(1);
  const c = centroids.map((x) => Float64Array.from(x));
  const size = [...sizes];
  const dim = k > 0 ? c[0].length : 0;
  const cost = (a: number, b: number) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += (c[a][d] - c[b][d]) ** 2;
    return ((size[a] * size[b]) / (size[a] + size[b])) * s;
  };
  const merges: Array<{ a: number; b: number; cost: number }> = [];
  for (let step = 0; step < k - 1; step++) {
    let best = Infinity;
    let ba = -1;
    let bb = -1;
    for (let a = 0; a < k; a++) {
      if (!alive[a]) continue;
      for (let b = a + 1; b < k; b++) {
        if (!alive[b]) continue;
        const v = cost(a, b);
        if (v < best) { best = v; ba = a; bb = b; }
      }
    }
    merges.push({ a: ba, b: bb, cost: best });
    const total = size[ba] + size[bb];
    for (let d = 0; d < dim; d++) c[ba][d] = (c[ba][d] * size[ba] + c[bb][d] * size[bb]) / total;
    size[ba] = total;
    alive[bb] = 0;
  }
  return merges;
}

export interface ClusteringOptions {
  seed?: number;
  minClusterSize?: number;
  maxLayers?: number;
  space?: 'positions' | 'umap';
  reassign?: number;
  mergeSpace?: 'clustering' | 'embedding';
}

export interface ClusteringResult {
  layers: number[][];
  confidence: number[][];
  parameters: Record<string, number | string>;
  adjustments: string[];
}

const FINEST_DIVISOR = 25;
const COARSER_DIVISORS = [50, 120, 300, 750];

export function clusterLayers(input: { vectors: Float32Array[]; positions: number[][] }, options: ClusteringOptions = {}): ClusteringResult {
  const n = input.vectors.length;
  const seed = options.seed ?? 42;
  const space = options.space ?? 'umap';
  const tau = options.reassign ?? 0.5;
  const requestedMin = options.minClusterSize ?? 5;
  const maxLayers = options.maxLayers ?? 5;
  const adjustments: string[] = [];
  const m = Math.max(2, Math.min(requestedMin, n));
  const rows = space === 'umap' && n > 3 ? projectUmap(input.vectors, { nComponents: 5, minDist: 0, seed }).positions : input.positions;
  const points = toPoints(rows, 'euclidean');
  const core = coreDistances(points, m, rows);
  const linkage = singleLinkage(mutualReachabilityMst(points, core), n);
  const trees = new Map<number, CondensedTree>();
  const treeOf = (size: number) => {
    let t = trees.get(size);
    if (!t) { t = condenseTree(linkage, n, size); trees.set(size, t); }
    return t;
  };
  const finestTarget = Math.max(2, n / FINEST_DIVISOR);
  let best: { size: number; selection: number[]; score: number } | null = null;
  for (let size = m; size <= Math.max(m, Math.floor(n / 2)); size = size < 30 ? size + 1 : Math.ceil(size * 1.1)) {
    const selection = excessOfMass(treeOf(size));
    const score = Math.abs(Math.log(selection.length / finestTarget));
    if (!best || score < best.score) best = { size, selection, score };
    if (selection.length < finestTarget / 4) break;
  }
  const finestSize = best!.size;
  const tree = treeOf(finestSize);
  const fine = labelSelection(tree, best!.selection);
  const fineLabels = Array.from(fine.labels);
  const fineConf = Array.from(fine.confidence);
  const F = best!.selection.length;
  // Reassign noise
  let reassigned = 0;
  if (tau > 0) {
    const clustered: number[] = [];
    for (let i = 0; i < n; i++) if (fineLabels[i] >= 0) clustered.push(i);
    const reach = new Float64Array(F);
    for (const q of clustered) reach[fineLabels[q]] = Math.max(reach[fineLabels[q]], core[q]);
    const dim = points.dim;
    const updates: Array<[number, number]> = [];
    for (let p = 0; p < n; p++) {
      if (fine.labels[p] >= 0) continue;
      let bd = Infinity; let bq = -1;
      for (const q of clustered) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += (points.coords[p * dim + d] - points.coords[q * dim + d]) ** 2;
        const mr = Math.max(Math.sqrt(s), core[p], core[q]);
        if (mr < bd) { bd = mr; bq = q; }
      }
      if (bq < 0) continue;
      const f = fine.labels[bq];
      if (bd <= reach[f] * tau) updates.push([p, f]);
    }
    for (const [p, f] of updates) { fineLabels[p] = f; fineConf[p] = 0; reassigned++; }
  }
  const layers: number[][] = [fineLabels];
  const confidence: number[][] = [fineConf];
  if (F > 2) {
    const mergeRows = options.mergeSpace === 'embedding' ? input.vectors : rows;
    const dim = mergeRows[0].length;
    const centroids = Array.from({ length: F }, () => new Float64Array(dim));
    const sizes = new Array<number>(F).fill(0);
    for (let i = 0; i < n; i++) { const f = fineLabels[i]; if (f < 0) continue; sizes[f]++; for (let d = 0; d < dim; d++) centroids[f][d] += mergeRows[i][d]; }
    for (let f = 0; f < F; f++) for (let d = 0; d < dim; d++) centroids[f][d] /= sizes[f];
    const merges = wardMerges(centroids, sizes);
    let previous = F;
    for (const divisor of COARSER_DIVISORS) {
      if (layers.length >= maxLayers) break;
      const target = n / divisor;
      if (target < 3) break;
      const bestK = Math.round(target);
      if (bestK >= previous || bestK < 2) continue;
      // partition after F - bestK merges
      const owner = Array.from({ length: F }, (_, f) => f);
      const find = (x: number): number => { while (owner[x] !== x) x = owner[x] = owner[owner[x]]; return x; };
      for (let t = 0; t < F - bestK; t++) owner[find(merges[t].b)] = find(merges[t].a);
      const roots = [...new Set(Array.from({ length: F }, (_, f) => find(f)))].sort((a, b) => a - b);
      const id = new Map(roots.map((r, i) => [r, i]));
      layers.push(fineLabels.map((f) => (f < 0 ? -1 : id.get(find(f)) as number)));
      confidence.push(fineConf);
      previous = bestK;
    }
  }
  return { layers, confidence, parameters: { space, min_cluster_size: m, finest_min_cluster_size: finestSize, reassigned }, adjustments };
}
