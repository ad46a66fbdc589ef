/**
 * UMAP projection of comment embeddings, made deterministic and bounded in time. Our own
 * implementation of umap-learn's algorithm on flat typed arrays (umap-js is no longer used):
 *
 * - Neighbours: cosine kNN from `commentNeighbors.ts` (the search the clustering makes too) — exact below `APPROXIMATE_KNN_FROM` comments,
 *   NN-descent above (`nnDescent.ts`: recall 0.993 on march-on, 0.981 on the near-copy-laden
 *   synthetic 20,000). As in
 *   umap-learn, `n_neighbors` counts the point itself, so 15 means 14 other comments.
 * - Graph: umap-learn's fuzzy simplicial set (`fuzzySimplicialSet.ts`: smooth kNN distances, fuzzy
 *   union).
 * - Layout: umap-learn's `optimize_layout_euclidean` (`umapLayout.ts`), curve a, b fitted for
 *   min_dist like umap-learn's `find_ab_params`, 5 negative samples per positive one, learning rate
 *   1 → 0, epochs as umap-learn: 500 up to 10,000 points, 200 above.
 * - Initial layout: PCA of the vectors (top principal directions by deterministic subspace
 *   iteration on the covariance), rescaled to [0, 10] per dimension as umap-learn does with every
 *   start, instead of a uniform random start. Local neighbourhoods come out the same, but the global
 *   arrangement is far more reproducible: the correlation of pairwise map distances between two
 *   seeds was 0.89 with PCA vs 0.37 random on 8 Gaussian blobs (0.58 vs 0.52 on biodiversity).
 *   umap-learn's default spectral init needs an eigensolver on the n × n graph Laplacian.
 * - All randomness (PCA start, negative sampling, NN-descent) comes from the seed, so the same input
 *   and seed give bit-identical positions on the same JS engine.
 * - `projectUmapLayouts` makes several layouts (e.g. a 2-D and a 3-D map) from one kNN and one
 *   graph; each is identical to what `projectUmap` gives for it alone.
 * - Small inputs: `n_neighbors` is clamped to n − 1; with 3 or fewer points UMAP learns nothing, so
 *   positions are the exact layout of the distances between the normalised vectors (chord length,
 *   what classical MDS gives for ≤ 3 points), scaled like a UMAP layout. Every such change is a
 *   sentence in `adjustments`.
 *
 * Measured here (Node 20, one core, 100-dim LSA vectors; README "Performance"): march-on (1,767
 * comments) 1.1 s, of which exact kNN 0.1 s and the 500-epoch layout ~0.75 s (umap-js: 4.6 s);
 * synthetic 20,000 7.3 s, of which NN-descent 2.8 s and the 200-epoch layout ~3.5 s (umap-js with
 * exact kNN: ~49 s).
 */
import { approximateKnn, cosineNeighbors, type NeighborSearch } from './commentNeighbors';
import { flattenNeighbors, fuzzySimplicialSet, type FlatNeighbors, type FuzzyGraph } from './fuzzySimplicialSet';
import { nearestNeighbors2d, normalizedMatrix } from './neighbors';
import { orthonormaliseRows } from './orthonormalise';
import { DEFAULT_SEED, gaussian, seededRandom, type Random } from './random';
import { curveParameters, optimizeLayout, rescaleLayout, type LayoutOptions } from './umapLayout';

export interface UmapParameters {
  n_neighbors: number;
  min_dist: number;
  n_components: number;
  n_epochs: number;
  metric: string;
  /** 'exact' or 'nn-descent' (approximate, for large conversations). */
  knn: string;
  seed: number;
}

export interface UmapProjection {
  positions: number[][];
  parameters: UmapParameters;
  adjustments: string[];
}

/** kNN excluding self, as returned by `nearestNeighbors` (rows sorted by distance). */
export interface PrecomputedNeighbors {
  indices: ArrayLike<number>[];
  distances: ArrayLike<number>[];
}

export interface UmapLayoutOptions {
  nComponents?: number;
  minDist?: number;
  /** Epochs of layout optimisation; default 500 for n ≤ 10,000, else 200 (umap-learn's rule). */
  nEpochs?: number;
}

export interface UmapGraphOptions {
  /** Neighbourhood size including the point itself (umap-learn's convention). Default 15. */
  nNeighbors?: number;
  seed?: number;
  /** Precomputed cosine kNN (self excluded) with at least nNeighbors − 1 columns. */
  knn?: PrecomputedNeighbors;
  /** The search for the kNN when none is given (default `cosineNeighbors`; a step may pass a cached one). */
  neighbors?: NeighborSearch;
}

export type UmapOptions = UmapLayoutOptions & UmapGraphOptions;

export const UMAP_DEFAULTS = { nNeighbors: 15, minDist: 0.1, nComponents: 2, seed: DEFAULT_SEED } as const;
export { APPROXIMATE_KNN_FROM } from './commentNeighbors';

const comments = (n: number) => `${n} comment${n === 1 ? '' : 's'}`;

export function defaultEpochs(n: number): number {
  return n <= 10_000 ? 500 : 200;
}

export function projectUmap(vectors: Float32Array[], options: UmapOptions = {}): UmapProjection {
  return projectUmapLayouts(vectors, [options], options)[0];
}

/**
 * Several UMAP layouts of the same vectors from one kNN and one fuzzy graph (e.g. a 2-D map and a
 * 5-D space with min_dist 0). Each result equals `projectUmap` with
 * the same graph options and that layout's options.
 */
export function projectUmapLayouts(
  vectors: Float32Array[],
  layouts: UmapLayoutOptions[],
  options: UmapGraphOptions = {},
): UmapProjection[] {
  const setup = umapSetup(vectors, layouts, options);
  return setup.specs.map((spec) => {
    if (!setup.graph) return setup.smallProjection(spec);
    const start = layoutStart(vectors, spec, setup.seed);
    optimizeLayout(start.embedding, spec.nComponents, setup.graph, start.options);
    return setup.projection(spec, start.embedding);
  });
}

interface LayoutSpec {
  nComponents: number;
  minDist: number;
  nEpochs: number;
}

/** Checked options, the kNN graph (null for ≤ 3 comments) and how to turn a layout into a projection. */
function umapSetup(vectors: Float32Array[], layouts: UmapLayoutOptions[], options: UmapGraphOptions) {
  const n = vectors.length;
  const requestedNeighbors = options.nNeighbors ?? UMAP_DEFAULTS.nNeighbors;
  const seed = options.seed ?? UMAP_DEFAULTS.seed;
  if (!Number.isInteger(requestedNeighbors) || requestedNeighbors < 2) throw new RangeError(`nNeighbors must be an integer ≥ 2, got ${requestedNeighbors}`);
  const specs: LayoutSpec[] = layouts.map((layout) => {
    const nComponents = layout.nComponents ?? UMAP_DEFAULTS.nComponents;
    const minDist = layout.minDist ?? UMAP_DEFAULTS.minDist;
    if (!Number.isInteger(nComponents) || nComponents < 1) throw new RangeError(`nComponents must be a positive integer, got ${nComponents}`);
    if (!(minDist >= 0)) throw new RangeError(`minDist must be ≥ 0, got ${minDist}`);
    const nEpochs = layout.nEpochs ?? defaultEpochs(n);
    if (!Number.isInteger(nEpochs) || nEpochs < 0) throw new RangeError(`nEpochs must be a non-negative integer, got ${nEpochs}`);
    return { nComponents, minDist, nEpochs };
  });

  const adjustments: string[] = [];
  const nNeighbors = Math.max(1, Math.min(requestedNeighbors, n - 1));
  if (n > 0 && nNeighbors !== requestedNeighbors) {
    adjustments.push(`n_neighbors clamped from ${requestedNeighbors} to ${nNeighbors} because the conversation has ${comments(n)}`);
  }
  const approximate = !options.knn && approximateKnn(n);
  const parametersOf = (spec: LayoutSpec): UmapParameters => ({
    n_neighbors: nNeighbors,
    min_dist: spec.minDist,
    n_components: spec.nComponents,
    n_epochs: spec.nEpochs,
    metric: 'cosine',
    knn: approximate ? 'nn-descent' : 'exact',
    seed,
  });
  if (n > 0 && n <= 3) {
    adjustments.push(`UMAP skipped because the conversation has only ${comments(n)}: positions are the exact 2-D layout of their embedding distances`);
  }

  let graph: FuzzyGraph | null = null;
  if (n > 3) {
    const others = nNeighbors - 1;
    const knn: FlatNeighbors = options.knn
      ? flattenNeighbors(options.knn, n, others)
      : (options.neighbors ?? cosineNeighbors)(vectors, others, seed);
    graph = fuzzySimplicialSet(knn, nNeighbors);
  }
  return {
    specs,
    seed,
    graph,
    smallProjection: (spec: LayoutSpec): UmapProjection => ({
      positions: smallLayout(vectors, spec.nComponents),
      parameters: { ...parametersOf(spec), n_epochs: 0 },
      adjustments: [...adjustments],
    }),
    projection: (spec: LayoutSpec, embedding: Float64Array): UmapProjection => {
      const dim = spec.nComponents;
      const positions: number[][] = [];
      for (let i = 0; i < n; i++) {
        const row = Array.from(embedding.subarray(i * dim, (i + 1) * dim));
        for (const x of row) if (!Number.isFinite(x)) throw new Error('UMAP produced a non-finite coordinate');
        positions.push(row);
      }
      return { positions, parameters: parametersOf(spec), adjustments: [...adjustments] };
    },
  };
}

/** The PCA start of a layout, rescaled as umap-learn does, and its optimisation options. */
function layoutStart(vectors: Float32Array[], spec: LayoutSpec, seed: number): { embedding: Float64Array; options: LayoutOptions } {
  const embedding = pcaLayout(vectors, spec.nComponents, seededRandom(seed ^ 0x5eed));
  rescaleLayout(embedding, vectors.length, spec.nComponents);
  const { a, b } = curveParameters(spec.minDist);
  const stream = Math.floor(seededRandom(seed)() * 4294967296);
  return { embedding, options: { nEpochs: spec.nEpochs, a, b, seed: stream } };
}

/** Rows used to estimate the principal directions: an evenly spaced sample above this. */
const PCA_MAX_ROWS = 5000;

/**
 * Top principal components of the (normalised) vectors as an n × nComponents row-major layout,
 * scaled so the largest absolute coordinate is 10, plus 1e-4 noise as umap-learn's
 * `noisy_scale_coords` (it keeps exact duplicates from sitting on one point, where the attractive
 * gradient is zero). The directions come from subspace iteration on the covariance matrix
 * (dim × dim, from at most PCA_MAX_ROWS evenly spaced rows), so the cost is O(n·dim·c + rows·dim²).
 */
function pcaLayout(vectors: Float32Array[], nComponents: number, random: Random): Float64Array {
  const { data, n, dim } = normalizedMatrix(vectors);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += data[i * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= n;
  const covariance = sampleCovariance(data, n, dim, mean);

  const c = Math.min(nComponents, dim);
  // basis: c orthonormal directions in R^dim, stored row-wise.
  let basis: Float64Array = new Float64Array(c * dim);
  for (let k = 0; k < basis.length; k++) basis[k] = gaussian(random);
  orthonormaliseRows(basis, c, dim);
  for (let iteration = 0; iteration < 500; iteration++) {
    const next = multiplyRows(covariance, dim, basis, c);
    orthonormaliseRows(next, c, dim);
    let change = 0;
    for (let k = 0; k < next.length; k++) change = Math.max(change, Math.abs(next[k] - basis[k]));
    basis = next;
    if (change < 1e-7) break;
  }
  const scores = new Float64Array(n * nComponents);
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (data[i * dim + d] - mean[d]) * basis[k * dim + d];
      scores[i * nComponents + k] = s;
      if (Math.abs(s) > maxAbs) maxAbs = Math.abs(s);
    }
  }
  const scale = maxAbs > 0 ? 10 / maxAbs : 0;
  for (let t = 0; t < scores.length; t++) scores[t] = scores[t] * scale + gaussian(random) * 1e-4;
  return scores;
}

/**
 * The (unnormalised) covariance Σ_r x_r·x_rᵀ of the centred rows, from at most PCA_MAX_ROWS evenly
 * spaced rows, as a full dim × dim matrix. Each entry is one sum over the rows in row order, as a
 * row-by-row accumulation gives it; computed as dot products of the centred columns (stored
 * contiguously) in 2 × 4 blocks of entries, so each loaded value serves two to four sums and the
 * matrix is not read and written once per row.
 */
export function sampleCovariance(data: Float32Array, n: number, dim: number, mean: Float64Array): Float64Array {
  const rows = Math.min(n, PCA_MAX_ROWS);
  const columns = new Float64Array(dim * rows);
  for (let r = 0; r < rows; r++) {
    const i = Math.floor((r * n) / rows);
    for (let d = 0; d < dim; d++) columns[d * rows + r] = data[i * dim + d] - mean[d];
  }
  const covariance = new Float64Array(dim * dim);
  let p = 0;
  // Pairs of rows p, p + 1 against four columns q … q + 3 from the diagonal on; (p + 1, p) is below
  // the diagonal and overwritten by the mirror below.
  for (; p + 1 < dim; p += 2) {
    const oa = p * rows;
    const ob = oa + rows;
    const rowA = p * dim;
    const rowB = rowA + dim;
    let q = p;
    for (; q + 3 < dim; q += 4) {
      const o0 = q * rows;
      const o1 = o0 + rows;
      const o2 = o1 + rows;
      const o3 = o2 + rows;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let r = 0; r < rows; r++) {
        const x = columns[oa + r];
        const y = columns[ob + r];
        const v0 = columns[o0 + r];
        const v1 = columns[o1 + r];
        const v2 = columns[o2 + r];
        const v3 = columns[o3 + r];
        a0 += x * v0;
        a1 += x * v1;
        a2 += x * v2;
        a3 += x * v3;
        b0 += y * v0;
        b1 += y * v1;
        b2 += y * v2;
        b3 += y * v3;
      }
      covariance[rowA + q] = a0;
      covariance[rowA + q + 1] = a1;
      covariance[rowA + q + 2] = a2;
      covariance[rowA + q + 3] = a3;
      covariance[rowB + q] = b0;
      covariance[rowB + q + 1] = b1;
      covariance[rowB + q + 2] = b2;
      covariance[rowB + q + 3] = b3;
    }
    for (; q < dim; q++) {
      const oq = q * rows;
      let a = 0;
      let b = 0;
      for (let r = 0; r < rows; r++) {
        a += columns[oa + r] * columns[oq + r];
        b += columns[ob + r] * columns[oq + r];
      }
      covariance[rowA + q] = a;
      covariance[rowB + q] = b;
    }
  }
  for (; p < dim; p++) {
    for (let q = p; q < dim; q++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += columns[p * rows + r] * columns[q * rows + r];
      covariance[p * dim + q] = s;
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) covariance[a * dim + b] = covariance[b * dim + a];
  return covariance;
}

/**
 * next[k] = matrix · basis[k] for the c rows of `basis` (matrix dim × dim, row-major). Each entry is
 * one sum in column order; two matrix rows and two basis rows at a time, so four independent sums
 * share their loads instead of one sum waiting on the previous addition.
 */
export function multiplyRows(matrix: Float64Array, dim: number, basis: Float64Array, c: number): Float64Array {
  const next = new Float64Array(c * dim);
  let k = 0;
  for (; k + 1 < c; k += 2) {
    const ka = k * dim;
    const kb = ka + dim;
    let p = 0;
    for (; p + 1 < dim; p += 2) {
      const pa = p * dim;
      const pb = pa + dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let q = 0; q < dim; q++) {
        const u = basis[ka + q];
        const v = basis[kb + q];
        const x = matrix[pa + q];
        const y = matrix[pb + q];
        s0 += x * u;
        s1 += y * u;
        s2 += x * v;
        s3 += y * v;
      }
      next[ka + p] = s0;
      next[ka + p + 1] = s1;
      next[kb + p] = s2;
      next[kb + p + 1] = s3;
    }
    for (; p < dim; p++) {
      let s0 = 0, s2 = 0;
      for (let q = 0; q < dim; q++) {
        s0 += matrix[p * dim + q] * basis[ka + q];
        s2 += matrix[p * dim + q] * basis[kb + q];
      }
      next[ka + p] = s0;
      next[kb + p] = s2;
    }
  }
  for (; k < c; k++) {
    for (let p = 0; p < dim; p++) {
      let s = 0;
      for (let q = 0; q < dim; q++) s += matrix[p * dim + q] * basis[k * dim + q];
      next[k * dim + p] = s;
    }
  }
  return next;
}

/**
 * Layout for n ≤ 3: the exact 2-D embedding (what classical MDS gives) of the euclidean distances
 * between the normalised vectors, sqrt(2 − 2·cos), scaled so the farthest pair is 10 apart (the size
 * of a small UMAP map). Identical vectors share a position.
 */
function smallLayout(vectors: Float32Array[], nComponents: number): number[][] {
  const n = vectors.length;
  const zero = () => new Array<number>(nComponents).fill(0);
  if (n === 0) return [];
  if (n === 1) return [zero()];
  // Chord length between the normalised vectors (a metric, unlike 1 − cos), in float64; differences
  // below 1e-6 are rounding, so parallel vectors count as identical.
  const unit = vectors.map((v) => {
    const norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
    return Array.from(v, (x) => (norm > 0 ? x / norm : 0));
  });
  const dist = (a: number, b: number) => {
    const chord = Math.sqrt(unit[a].reduce((sum, x, d) => sum + (x - unit[b][d]) ** 2, 0));
    return chord < 1e-6 ? 0 : chord;
  };
  const d01 = dist(0, 1);
  if (n === 2) {
    const half = d01 > 0 ? 5 : 0;
    const a = zero();
    const b = zero();
    a[0] = -half;
    b[0] = half;
    return [a, b];
  }
  // Three points: place 0 and 1 on the x axis, 2 by the law of cosines (triangle from the distances).
  const d02 = dist(0, 2);
  const d12 = dist(1, 2);
  const longest = Math.max(d01, d02, d12);
  if (longest === 0) return [zero(), zero(), zero()];
  const s = 10 / longest;
  const a = d01 * s;
  const b = d02 * s;
  const c = d12 * s;
  let x2: number;
  let y2: number;
  if (a > 0) {
    x2 = (a * a + b * b - c * c) / (2 * a);
    y2 = Math.sqrt(Math.max(0, b * b - x2 * x2));
  } else {
    x2 = b;
    y2 = 0;
  }
  const points = [
    [0, 0],
    [a, 0],
    [x2, y2],
  ];
  // Centre on the mean so the layout does not depend on which point came first more than necessary.
  const cx = (points[0][0] + points[1][0] + points[2][0]) / 3;
  const cy = (points[0][1] + points[1][1] + points[2][1]) / 3;
  return points.map(([x, y]) => {
    const p = zero();
    p[0] = x - cx;
    if (nComponents > 1) p[1] = y - cy;
    return p;
  });
}

/** umap-learn's curve constants for min_dist 0.1, spread 1: q(d) = 1 / (1 + a · d^(2b)). */
const CURVE_A = 1.5769434603113077;
const CURVE_B = 0.8950608779109733;

export interface UmapEdge {
  source: number;
  target: number;
  distance: number;
  weight: number;
}

/**
 * k-nearest-neighbour edges in the projected space, each unordered pair once (source < target),
 * sorted by (source, target). `distance` is euclidean in UMAP coordinates; `weight` is UMAP's own
 * low-dimensional similarity for the default min_dist 0.1, `1 / (1 + a·d^(2b))` with a ≈ 1.577,
 * b ≈ 0.895: 1 for coincident points, ~0.5 at d ≈ 0.78, → 0 far away; always in [0, 1].
 */
export function umapEdges(positions: number[][], k = 5): UmapEdge[] {
  const { indices, distances } = nearestNeighbors2d(positions, k);
  const seen = new Map<number, UmapEdge>();
  const n = positions.length;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < indices[i].length; j++) {
      const other = indices[i][j];
      const source = Math.min(i, other);
      const target = Math.max(i, other);
      const key = source * n + target;
      if (seen.has(key)) continue;
      const distance = distances[i][j];
      seen.set(key, { source, target, distance, weight: 1 / (1 + CURVE_A * Math.pow(distance, 2 * CURVE_B)) });
    }
  }
  return [...seen.values()].sort((x, y) => x.source - y.source || x.target - y.target);
}
