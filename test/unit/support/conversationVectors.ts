/**
 * Test support for the UMAP and clustering tests: real Polis comments turned into LSA-like vectors
 * (TF-IDF, unigrams + bigrams, sublinear tf → randomized truncated SVD → L2-normalised rows), and
 * synthetic Gaussian blobs. A quick stand-in for the real embedding module, good enough to give the
 * algorithms realistic geometry; not the production LSA.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { EigenvalueDecomposition, Matrix, QrDecomposition } from 'ml-matrix';
import { gaussian, seededRandom } from '../../../shared/algorithms/random';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures');
export const BIODIVERSITY = 'scoop-hivemind.biodiversity';
export const MARCH_ON = 'march-on.operation-marchin-orders';

/** Comment texts of a fixture conversation, moderated-out (-1) and empty ones dropped, by comment id. */
export function loadComments(conversation: string): string[] {
  const rows = parse(readFileSync(join(FIXTURES, conversation, 'comments.csv'), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as Record<string, string>[];
  return rows
    .filter((row) => row.moderated !== '-1' && row['comment-body'].trim() !== '')
    .sort((a, b) => Number(a['comment-id']) - Number(b['comment-id']))
    .map((row) => row['comment-body']);
}

const STOP = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers herself him himself ' +
    'his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ' +
    'ourselves out over own same she should so some such than that the their theirs them themselves then there these they this ' +
    'those through to too under until up very was we were what when where which while who whom why will with would you your ' +
    'yours yourself yourselves also us get make need needs like one dont don t s can t will'
  ).split(' '),
);

function tokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z][a-z']+/g) ?? [])
    .map((t) => t.replace(/'s$|'/g, ''))
    .filter((t) => t.length > 1 && !STOP.has(t));
}

/** TF-IDF → randomized SVD (2 power iterations) → rows U·S, L2-normalised. Deterministic. */
export function lsaVectors(texts: string[], dimensions = 100, seed = 7): Float32Array[] {
  const docs = texts.map((text) => {
    const unigrams = tokens(text);
    const terms = [...unigrams];
    for (let i = 0; i + 1 < unigrams.length; i++) terms.push(`${unigrams[i]} ${unigrams[i + 1]}`);
    return terms;
  });
  const df = new Map<string, number>();
  for (const terms of docs) for (const t of new Set(terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const vocab = [...df.keys()].filter((t) => (df.get(t) ?? 0) >= 2).sort();
  const column = new Map(vocab.map((t, i) => [t, i]));
  const n = docs.length;
  const v = vocab.length;
  // Sparse rows (column ids, values), L2-normalised like sklearn's TfidfVectorizer.
  const rows = docs.map((terms) => {
    const tf = new Map<number, number>();
    for (const t of terms) {
      const c = column.get(t);
      if (c !== undefined) tf.set(c, (tf.get(c) ?? 0) + 1);
    }
    const cols = [...tf.keys()].sort((a, b) => a - b);
    const vals = cols.map((c) => (1 + Math.log(tf.get(c) ?? 1)) * (Math.log((1 + n) / (1 + (df.get(vocab[c]) ?? 0))) + 1));
    const norm = Math.sqrt(vals.reduce((s, x) => s + x * x, 0)) || 1;
    return { cols, vals: vals.map((x) => x / norm) };
  });
  const l = Math.min(dimensions + 10, n, v);
  const k = Math.min(dimensions, l);
  const random = seededRandom(seed);
  const times = (m: Matrix): Matrix => {
    // A (n × v) · m (v × c)
    const out = new Matrix(n, m.columns);
    rows.forEach((row, i) => {
      for (let p = 0; p < row.cols.length; p++) {
        for (let c = 0; c < m.columns; c++) out.set(i, c, out.get(i, c) + row.vals[p] * m.get(row.cols[p], c));
      }
    });
    return out;
  };
  const transposeTimes = (m: Matrix): Matrix => {
    // Aᵀ (v × n) · m (n × c)
    const out = new Matrix(v, m.columns);
    rows.forEach((row, i) => {
      for (let p = 0; p < row.cols.length; p++) {
        for (let c = 0; c < m.columns; c++) out.set(row.cols[p], c, out.get(row.cols[p], c) + row.vals[p] * m.get(i, c));
      }
    });
    return out;
  };
  const omega = new Matrix(v, l);
  for (let i = 0; i < v; i++) for (let c = 0; c < l; c++) omega.set(i, c, gaussian(random));
  let q = new QrDecomposition(times(omega)).orthogonalMatrix;
  for (let it = 0; it < 2; it++) {
    q = new QrDecomposition(transposeTimes(q)).orthogonalMatrix;
    q = new QrDecomposition(times(q)).orthogonalMatrix;
  }
  // B = Qᵀ A (l × v); B Bᵀ = U_B S² U_Bᵀ; A·V ≈ Q U_B S.
  const bt = transposeTimes(q); // v × l = Bᵀ
  const bbt = bt.transpose().mmul(bt);
  const evd = new EigenvalueDecomposition(bbt, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((value, index) => ({ value, index })).sort((a, b) => b.value - a.value);
  const ub = new Matrix(l, k);
  order.slice(0, k).forEach(({ value, index }, c) => {
    const s = Math.sqrt(Math.max(value, 0));
    for (let r = 0; r < l; r++) ub.set(r, c, evd.eigenvectorMatrix.get(r, index) * s);
  });
  const us = q.mmul(ub);
  return Array.from({ length: n }, (_, i) => {
    const row = Float32Array.from(us.getRow(i));
    let norm = 0;
    for (const x of row) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let c = 0; c < row.length; c++) row[c] /= norm;
    return row;
  });
}

/**
 * `blobs` Gaussian blobs of `size` points in `dim` dimensions: centres drawn N(0, separation²),
 * points N(centre, 1). Returns vectors and the true blob of each point.
 */
export function gaussianBlobs(options: { blobs: number; size: number | number[]; dim: number; separation?: number; seed?: number }): {
  vectors: Float32Array[];
  labels: number[];
} {
  const { blobs, dim, separation = 10, seed = 1 } = options;
  const random = seededRandom(seed);
  const centres = Array.from({ length: blobs }, () => Array.from({ length: dim }, () => gaussian(random) * separation));
  const vectors: Float32Array[] = [];
  const labels: number[] = [];
  centres.forEach((centre, b) => {
    const size = Array.isArray(options.size) ? options.size[b] : options.size;
    for (let i = 0; i < size; i++) {
      vectors.push(Float32Array.from(centre, (c) => c + gaussian(random)));
      labels.push(b);
    }
  });
  return { vectors, labels };
}

/** Adjusted Rand index (Hubert & Arabie). Every distinct label, -1 included, is a class. */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError('label arrays differ in length');
  const n = a.length;
  const table = new Map<string, number>();
  const rowsCount = new Map<number, number>();
  const colsCount = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}|${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rowsCount.set(a[i], (rowsCount.get(a[i]) ?? 0) + 1);
    colsCount.set(b[i], (colsCount.get(b[i]) ?? 0) + 1);
  }
  const pairs = (x: number) => (x * (x - 1)) / 2;
  let index = 0;
  for (const c of table.values()) index += pairs(c);
  let sumA = 0;
  for (const c of rowsCount.values()) sumA += pairs(c);
  let sumB = 0;
  for (const c of colsCount.values()) sumB += pairs(c);
  const expected = (sumA * sumB) / pairs(n);
  const max = (sumA + sumB) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
