/**
 * UMAP's fuzzy simplicial set (McInnes, Healy & Melville 2018; umap-learn's `fuzzy_simplicial_set`)
 * from a kNN graph, in flat typed arrays.
 *
 * - `smoothKnnDistances`: per point, ρ = distance to the nearest neighbour at a positive distance
 *   (local_connectivity 1) and σ found by binary search (64 steps, tolerance 1e-5) so that
 *   Σ_j exp(−max(0, d_j − ρ) / σ) = log2(k), k = n_neighbors counting the point itself; σ is floored
 *   at 1e-3 × the mean distance of the row (the mean over all rows when ρ = 0).
 * - Membership of j in i's neighbourhood: exp(−(d − ρ) / σ), 1 when d ≤ ρ.
 * - Symmetrisation by fuzzy union (set_op_mix_ratio 1): w = a + b − a·b.
 *
 * The kNN rows exclude the point itself (our `nearestNeighbors` convention); umap-learn's rows start
 * with the point at distance 0, which only enters the row mean, and that is accounted for here.
 * Everything is float64 and in a fixed order, so the graph is a pure function of the kNN.
 */

/** Sparse symmetric weights in CSR form: row i's entries are `columns[rowStart[i]] … [rowStart[i+1]-1]`, ascending. */
export interface FuzzyGraph {
  n: number;
  rowStart: Int32Array;
  columns: Int32Array;
  weights: Float64Array;
}

/** A kNN graph as flat row-major arrays (self excluded, rows sorted by distance). */
export interface FlatNeighbors {
  n: number;
  /** Neighbours per row. */
  k: number;
  indices: Int32Array;
  distances: Float64Array;
}

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;
const BINARY_SEARCH_STEPS = 64;

/** Copies the first `k` columns of a kNN given as rows into flat arrays (throws on short rows). */
export function flattenNeighbors(
  knn: { indices: ArrayLike<ArrayLike<number>>; distances: ArrayLike<ArrayLike<number>> },
  n: number,
  k: number,
): FlatNeighbors {
  if (knn.indices.length !== n || knn.distances.length !== n) {
    throw new RangeError(`precomputed kNN has ${knn.indices.length} rows, expected ${n}`);
  }
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const ids = knn.indices[i];
    const ds = knn.distances[i];
    if (ids.length < k) throw new RangeError(`precomputed kNN row ${i} has ${ids.length} neighbours, UMAP needs ${k}`);
    for (let j = 0; j < k; j++) {
      indices[i * k + j] = ids[j];
      distances[i * k + j] = ds[j];
    }
  }
  return { n, k, indices, distances };
}

/**
 * σ and ρ of every point. `nNeighbors` counts the point itself (umap-learn's k), so the target is
 * log2(nNeighbors) and each row holds nNeighbors − 1 neighbours.
 */
export function smoothKnnDistances(knn: FlatNeighbors, nNeighbors: number): { sigmas: Float64Array; rhos: Float64Array } {
  const { n, k, distances } = knn;
  const target = Math.log2(nNeighbors);
  const sigmas = new Float64Array(n);
  const rhos = new Float64Array(n);
  // umap-learn's rows include the point itself at distance 0: it counts in the means.
  let total = 0;
  for (let t = 0; t < n * k; t++) total += distances[t];
  const meanAll = n > 0 ? total / (n * (k + 1)) : 0;
  for (let i = 0; i < n; i++) {
    const base = i * k;
    let rho = 0;
    let rowSum = 0;
    for (let j = 0; j < k; j++) {
      const d = distances[base + j];
      rowSum += d;
      if (rho === 0 && d > 0) rho = d;
    }
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let step = 0; step < BINARY_SEARCH_STEPS; step++) {
      let psum = 0;
      for (let j = 0; j < k; j++) {
        const d = distances[base + j] - rho;
        psum += d > 0 ? Math.exp(-(d / mid)) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    const floor = MIN_K_DIST_SCALE * (rho > 0 ? rowSum / (k + 1) : meanAll);
    sigmas[i] = mid < floor ? floor : mid;
    rhos[i] = rho;
  }
  return { sigmas, rhos };
}

/** The symmetric fuzzy graph of a kNN (fuzzy union of the directed memberships), zero weights dropped. */
export function fuzzySimplicialSet(knn: FlatNeighbors, nNeighbors: number): FuzzyGraph {
  const { n, k, indices, distances } = knn;
  const { sigmas, rhos } = smoothKnnDistances(knn, nNeighbors);
  const m = n * k;
  // Directed memberships a(i → j).
  const directed = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const t = i * k + j;
      const target = indices[t];
      if (target < 0 || target === i) continue;
      const excess = distances[t] - rhos[i];
      directed[t] = excess <= 0 || sigmas[i] === 0 ? 1 : Math.exp(-(excess / sigmas[i]));
    }
  }
  // Entries of A and of Aᵀ bucketed by row (counting sort), then merged per row by column.
  const count = new Int32Array(n + 1);
  for (let t = 0; t < m; t++) {
    if (directed[t] === 0) continue;
    count[Math.floor(t / k) + 1]++;
    count[indices[t] + 1]++;
  }
  for (let i = 0; i < n; i++) count[i + 1] += count[i];
  const fill = count.slice(0, n);
  const entryColumn = new Int32Array(count[n]);
  const entryWeight = new Float64Array(count[n]);
  for (let t = 0; t < m; t++) {
    const w = directed[t];
    if (w === 0) continue;
    const i = Math.floor(t / k);
    const j = indices[t];
    let p = fill[i]++;
    entryColumn[p] = j;
    entryWeight[p] = w;
    p = fill[j]++;
    entryColumn[p] = i;
    entryWeight[p] = w;
  }
  const rowStart = new Int32Array(n + 1);
  const columns = new Int32Array(count[n]);
  const weights = new Float64Array(count[n]);
  let out = 0;
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    order.length = 0;
    for (let p = count[i]; p < count[i + 1]; p++) order.push(p);
    order.sort((x, y) => entryColumn[x] - entryColumn[y] || x - y);
    for (let q = 0; q < order.length; q++) {
      const p = order[q];
      const column = entryColumn[p];
      let w = entryWeight[p];
      // At most two entries per (i, j): a(i → j) and a(j → i).
      if (q + 1 < order.length && entryColumn[order[q + 1]] === column) {
        const other = entryWeight[order[q + 1]];
        w = w + other - w * other;
        q++;
      }
      if (w === 0) continue;
      columns[out] = column;
      weights[out] = w;
      out++;
    }
    rowStart[i + 1] = out;
  }
  return { n, rowStart, columns: columns.slice(0, out), weights: weights.slice(0, out) };
}
