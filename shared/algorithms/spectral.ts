/**
 * Spectral embedding of a weighted graph (Ng, Jordan & Weiss 2001): the leading non-trivial
 * eigenvectors of the normalised adjacency N = D^-1/2 · W · D^-1/2, optionally weighted by their
 * eigenvalue to the power t (a diffusion map at time t, Coifman & Lafon 2006), each point's row
 * scaled to unit length. Two comments land close when the neighbour graph connects them through many paths, which
 * is what a topic is; unlike a UMAP layout, nothing here is random, so the result depends only on the
 * graph.
 *
 * The eigenvectors come from subspace iteration on (I + N) / 2 (eigenvalues moved into [0, 1], so
 * the leading ones are the largest in magnitude), with a fixed start and Cholesky QR after every
 * product (OVERSAMPLING more columns than kept), then a Rayleigh–Ritz step. It stops when the
 * Rayleigh quotients settle or after SPECTRAL_ITERATIONS. Cost O(iterations · (nnz + n · m²)) for
 * m = dimensions + 1 + OVERSAMPLING columns, O(n · m) memory.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { addScaled } from './denseKernels';
import type { FuzzyGraph } from './fuzzySimplicialSet';
import { orthonormaliseRows } from './orthonormalise';
import { seededRandom } from './random';

/** Most subspace iterations; it stops earlier once the Rayleigh quotients settle. */
export const SPECTRAL_ITERATIONS = 100;
const MIN_ITERATIONS = 20;
/**
 * Columns iterated beyond those kept. Without them the trailing eigenvectors had not converged after
 * 300 iterations, so the layers depended on the order of the comments (ARI 0.44–0.81 between two
 * orders of the same five-theme mix); with 10 extra they converge well within 100 and any order
 * gives the same layers.
 */
const OVERSAMPLING = 10;
const CONVERGENCE_CHECK_EVERY = 5;
const RAYLEIGH_TOLERANCE = 1e-5;
/** The start block is an implementation detail of the eigensolver, not the run's seed. */
const START_SEED = 0x5bec7a1;

export function spectralEmbedding(graph: FuzzyGraph, dimensions: number, options: { diffusionTime?: number; iterations?: number } = {}): Float64Array[] {
  const diffusionTime = options.diffusionTime ?? 0;
  const iterations = options.iterations ?? SPECTRAL_ITERATIONS;
  const { n, rowStart, columns, weights } = graph;
  // Extra columns speed convergence: the error shrinks with (λ_{m+1} / λ_k)^iterations, not (λ_{k+1} / λ_k).
  const wanted = Math.min(dimensions + 1, n);
  const m = Math.min(wanted + OVERSAMPLING, n);
  const inverseRootDegree = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let degree = 0;
    for (let p = rowStart[i]; p < rowStart[i + 1]; p++) degree += weights[p];
    inverseRootDegree[i] = degree > 0 ? 1 / Math.sqrt(degree) : 0;
  }
  // The entries of (I + N) / 2 off the diagonal.
  const normalised = new Float64Array(weights.length);
  for (let i = 0; i < n; i++) {
    for (let p = rowStart[i]; p < rowStart[i + 1]; p++) normalised[p] = 0.5 * weights[p] * inverseRootDegree[i] * inverseRootDegree[columns[p]];
  }
  // Products alternate between two buffers: no n × m allocation per iteration.
  let spare: Float64Array = new Float64Array(n * m);
  const multiply = (x: Float64Array): Float64Array => {
    const y = spare;
    multiplyShifted(rowStart, columns, normalised, x, m, y);
    spare = x;
    return y;
  };

  const random = seededRandom(START_SEED);
  let q: Float64Array = new Float64Array(n * m);
  for (let i = 0; i < q.length; i++) q[i] = random() - 0.5;
  orthonormaliseColumns(q, n, m);
  let previous = new Float64Array(wanted).fill(Infinity);
  for (let iteration = 0; iteration < iterations; iteration++) {
    const product = multiply(q);
    let settled = false;
    if (iteration >= MIN_ITERATIONS && iteration % CONVERGENCE_CHECK_EVERY === 0) {
      // Rayleigh quotients of the leading (kept) columns: stop when none moved.
      const quotients = new Float64Array(wanted);
      for (let i = 0; i < n; i++) for (let c = 0; c < wanted; c++) quotients[c] += q[i * m + c] * product[i * m + c];
      settled = quotients.every((value, c) => Math.abs(value - previous[c]) <= RAYLEIGH_TOLERANCE);
      previous = quotients;
    }
    q = product;
    // One Cholesky QR pass keeps the block well-conditioned; the exact one comes before Rayleigh–Ritz.
    orthonormaliseColumns(q, n, m, 1);
    if (settled) break;
  }
  orthonormaliseColumns(q, n, m);

  // Rayleigh–Ritz: the eigenvectors of Qᵀ·A·Q, largest eigenvalue first; the first is the trivial one.
  const aq = multiply(q);
  const small = new Matrix(m, m);
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += q[i * m + a] * aq[i * m + b] + q[i * m + b] * aq[i * m + a];
      small.set(a, b, s / 2);
      small.set(b, a, s / 2);
    }
  }
  const decomposition = new EigenvalueDecomposition(small, { assumeSymmetric: true });
  const values = decomposition.realEigenvalues;
  const vectors = decomposition.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a] || a - b).slice(1, wanted);

  // Diffusion-map weighting: eigenvalue μ of N (= 2λ − 1 of the shifted operator) to the power t, so
  // the slowest-mixing directions, the coarse structure, count most.
  const weight = order.map((column) => Math.pow(Math.max(0, 2 * values[column] - 1), diffusionTime));
  const rows: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(order.length);
    let norm = 0;
    order.forEach((column, c) => {
      let s = 0;
      for (let a = 0; a < m; a++) s += q[i * m + a] * vectors.get(a, column);
      row[c] = s * weight[c];
      norm += s * s;
    });
    // A fixed sign per column would not matter: only distances between rows are used.
    norm = Math.sqrt(norm);
    if (norm > 0) for (let c = 0; c < row.length; c++) row[c] /= norm;
    rows.push(row);
  }
  return rows;
}

/**
 * y = (I + N) / 2 · x for the n × m block x (row-major): y[i][c] = 0.5 · x[i][c] + Σ_p w_p · x[column_p][c],
 * the sum over row i's entries in their order. Four columns c at a time in locals, the entries in
 * the inner loop: the same additions in the same order as adding the entries' rows one by one into
 * y, without reading and writing y's row once per entry.
 */
export function multiplyShifted(rowStart: Int32Array, columns: Int32Array, normalised: Float64Array, x: Float64Array, m: number, y: Float64Array): void {
  const n = rowStart.length - 1;
  for (let i = 0; i < n; i++) {
    const base = i * m;
    const first = rowStart[i];
    const last = rowStart[i + 1];
    let c = 0;
    for (; c + 3 < m; c += 4) {
      let s0 = 0.5 * x[base + c];
      let s1 = 0.5 * x[base + c + 1];
      let s2 = 0.5 * x[base + c + 2];
      let s3 = 0.5 * x[base + c + 3];
      for (let p = first; p < last; p++) {
        const w = normalised[p];
        const o = columns[p] * m + c;
        s0 += w * x[o];
        s1 += w * x[o + 1];
        s2 += w * x[o + 2];
        s3 += w * x[o + 3];
      }
      y[base + c] = s0;
      y[base + c + 1] = s1;
      y[base + c + 2] = s2;
      y[base + c + 3] = s3;
    }
    for (; c < m; c++) {
      let s = 0.5 * x[base + c];
      for (let p = first; p < last; p++) s += normalised[p] * x[columns[p] * m + c];
      y[base + c] = s;
    }
  }
}

/**
 * Orthonormalises the m columns of a row-major n × m block (m < n): Cholesky QR (Gram matrix in one
 * pass over the rows, Q ← Q·R⁻¹ in another), repeated once for accuracy (CholeskyQR2). When the
 * block is (numerically) rank-deficient, modified Gram–Schmidt, which replaces a vanished column by
 * a unit vector.
 */
function orthonormaliseColumns(x: Float64Array, n: number, m: number, passes = 2): void {
  for (let pass = 0; pass < passes; pass++) {
    if (!choleskyQr(x, n, m)) {
      gramSchmidt(x, n, m);
      return;
    }
  }
}

function choleskyQr(x: Float64Array, n: number, m: number): boolean {
  const gram = gramUpper(x, n, m);
  // Upper-triangular R with RᵀR = gram.
  const r = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    let diagonal = gram[a * m + a];
    for (let k = 0; k < a; k++) diagonal -= r[k * m + a] * r[k * m + a];
    if (!(diagonal > 1e-20 * Math.max(1, gram[a * m + a]))) return false;
    const root = Math.sqrt(diagonal);
    r[a * m + a] = root;
    for (let b = a + 1; b < m; b++) {
      let value = gram[a * m + b];
      for (let k = 0; k < a; k++) value -= r[k * m + a] * r[k * m + b];
      r[a * m + b] = value / root;
    }
  }
  solveRowsAgainstUpper(x, n, m, r);
  return true;
}

/**
 * The upper triangle of the Gram matrix xᵀx of a row-major n × m block: each entry one sum over the
 * rows in row order, two rows per pass over the triangle (the same additions as one row at a time,
 * with half the loads and stores of the triangle).
 */
export function gramUpper(x: Float64Array, n: number, m: number): Float64Array {
  const gram = new Float64Array(m * m);
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const first = i * m;
    const second = first + m;
    for (let a = 0; a < m; a++) {
      const u = x[first + a];
      const v = x[second + a];
      const row = a * m;
      for (let b = a; b < m; b++) gram[row + b] = gram[row + b] + u * x[first + b] + v * x[second + b];
    }
  }
  for (; i < n; i++) {
    const base = i * m;
    for (let a = 0; a < m; a++) addScaled(gram, a * m + a, x, base + a, x[base + a], m - a);
  }
  return gram;
}

/**
 * Each row of x ← row · R⁻¹ for upper-triangular R (forward substitution, in place). Two rows at a
 * time: their substitutions are independent chains of the same operations, which the processor
 * overlaps, where one row alone waits on every subtraction.
 */
export function solveRowsAgainstUpper(x: Float64Array, n: number, m: number, r: Float64Array): void {
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const first = i * m;
    const second = first + m;
    for (let b = 0; b < m; b++) {
      let u = x[first + b];
      let v = x[second + b];
      for (let k = 0; k < b; k++) {
        const factor = r[k * m + b];
        u -= x[first + k] * factor;
        v -= x[second + k] * factor;
      }
      const diagonal = r[b * m + b];
      x[first + b] = u / diagonal;
      x[second + b] = v / diagonal;
    }
  }
  for (; i < n; i++) {
    const base = i * m;
    for (let b = 0; b < m; b++) {
      let value = x[base + b];
      for (let k = 0; k < b; k++) value -= x[base + k] * r[k * m + b];
      x[base + b] = value / r[b * m + b];
    }
  }
}

/** Gram–Schmidt on the columns, through the row version on the transposed block (a rare path). */
function gramSchmidt(x: Float64Array, n: number, m: number): void {
  const rows = new Float64Array(m * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) rows[c * n + i] = x[i * m + c];
  orthonormaliseRows(rows, m, n);
  for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) x[i * m + c] = rows[c * n + i];
}
