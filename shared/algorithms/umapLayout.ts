/**
 * UMAP's layout optimisation: umap-learn's `optimize_layout_euclidean` (0.5.x) on flat typed
 * arrays, single-threaded and seeded.
 *
 * Same algorithm, step by step: edges of the fuzzy graph below max(w) / n_epochs are dropped; edge e
 * is sampled every max(w) / w_e epochs; at each sample both ends move along the clipped (±4)
 * attractive gradient −2ab·d^(2(b−1)) / (1 + a·d^(2b)), then `negative_sample_rate` random points
 * per sample push the head away with 2γb / ((0.001 + d²)(1 + a·d^(2b))) (a coincident point gets
 * the constant 4, as umap-learn 0.5.3 does); the learning rate falls linearly from 1 to 0.
 * The start is rescaled to [0, 10] per dimension first, as umap-learn's `simplicial_set_embedding`.
 *
 * Differences that do not change the algorithm: the two gradient coefficients are read from tables
 * of d² (relative error < 1e-6, see below) instead of calling pow ~6 times per positive sample;
 * float64 coordinates instead of float32; the negative samples come from a seeded mulberry32 stream
 * instead of umap-learn's Tausworthe generator. Same input and seed give bit-identical output on the
 * same JS engine.
 *
 * Why ours and not umap-js's `step()`: umap-js keeps the layout as arrays of arrays, calls
 * `Math.pow` twice per sample and a closure for every random number. On march-on (1,767 comments,
 * 500 epochs, 2-D, 5.6 M positive and 28 M negative samples) its loop took ~4.4 s of CPU, this one
 * ~1.8 s with exp/log for the power and ~0.8 s with the tables (see README "Performance").
 */
import type { FuzzyGraph } from './fuzzySimplicialSet';

export interface LayoutOptions {
  nEpochs: number;
  /** Curve parameters of the low-dimensional similarity 1 / (1 + a·d^(2b)); see `curveParameters`. */
  a: number;
  b: number;
  /** Seed of the negative-sampling stream. */
  seed: number;
  negativeSampleRate?: number;
  /** Repulsion strength γ (umap-learn's default 1). */
  repulsionStrength?: number;
  /** Initial learning rate (default 1). */
  learningRate?: number;
}

/** Rescales each coordinate to [0, 10] (a constant coordinate becomes 0), in place. */
export function rescaleLayout(embedding: Float64Array, n: number, dim: number): void {
  for (let d = 0; d < dim; d++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = embedding[i * dim + d];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const scale = hi > lo ? 10 / (hi - lo) : 0;
    for (let i = 0; i < n; i++) embedding[i * dim + d] = (embedding[i * dim + d] - lo) * scale;
  }
}

// The two gradient coefficients are functions of the squared distance alone, and evaluating the
// power in them was ~60 % of the time (V8's Math.pow, or exp + log, ~30 M times on march-on). They
// are tabulated instead, 1,024 points per binary order of magnitude of d² over [2^-24, 2^24), and
// read by linear interpolation using the bits of d² itself: the table index is the exponent and the
// top 10 mantissa bits, the interpolation weight the remaining mantissa bits. Max relative error
// 7e-7 (tested against the formulas; float32, umap-learn's precision, has 6e-8); outside that range,
// the formula. Pure arithmetic on fixed tables: deterministic.
const TABLE_MIN_EXPONENT = -24;
const TABLE_MAX_EXPONENT = 24;
const STEPS_PER_OCTAVE = 1024;
const TABLE_SIZE = (TABLE_MAX_EXPONENT - TABLE_MIN_EXPONENT) * STEPS_PER_OCTAVE + 1;
/** (high word of a float64 >> 10) of the table's first entry. */
const TABLE_BASE = (TABLE_MIN_EXPONENT + 1023) * STEPS_PER_OCTAVE;

export interface GradientCoefficients {
  /** −2ab·d^(2(b−1)) / (1 + a·d^(2b)) of a squared distance d² > 0. */
  attractive(d2: number): number;
  /** 2γb / ((0.001 + d²)(1 + a·d^(2b))) of a squared distance d² > 0. */
  repulsive(d2: number): number;
}

// `lookup` and the exact coefficients are written as source text: the SGD loop is compiled from it
// once per dimension (epochRunner), with the coordinate loops unrolled.
// WORD_HALVES = [low, high] 32-bit halves of WORD: little-endian, as on every platform Node and
// Lambda run on.
const SHARED_SOURCE = `
  const WORD = new Float64Array(1);
  const WORD_HALVES = new Int32Array(WORD.buffer);
  // Interpolated f(d2) from its table, or f itself outside the table's range.
  function lookup(table, d2, f) {
    WORD[0] = d2;
    const high = WORD_HALVES[1];
    const index = (high >> 10) - ${TABLE_BASE};
    if (index < 0 || index >= ${TABLE_SIZE - 1}) return f(d2);
    const weight = ((high & 1023) + (WORD_HALVES[0] >>> 0) / 4294967296) / 1024;
    const lower = table[index];
    return lower + (table[index + 1] - lower) * weight;
  }
  function exactCoefficients(a, b, gamma) {
    return {
      attractive: (d2) => (-2 * a * b * Math.pow(d2, b - 1)) / (a * Math.pow(d2, b) + 1),
      repulsive: (d2) => (2 * gamma * b) / ((0.001 + d2) * (a * Math.pow(d2, b) + 1)),
    };
  }`;

type Lookup = (table: Float64Array, d2: number, f: (d2: number) => number) => number;
const { lookup, exactCoefficients } = new Function(`${SHARED_SOURCE}\nreturn { lookup, exactCoefficients };`)() as {
  lookup: Lookup;
  exactCoefficients: (a: number, b: number, gamma: number) => GradientCoefficients;
};

function tabulate(f: (d2: number) => number): Float64Array {
  const table = new Float64Array(TABLE_SIZE);
  for (let i = 0; i < TABLE_SIZE; i++) {
    const octave = Math.floor(i / STEPS_PER_OCTAVE);
    table[i] = f(Math.pow(2, TABLE_MIN_EXPONENT + octave) * (1 + (i - octave * STEPS_PER_OCTAVE) / STEPS_PER_OCTAVE));
  }
  return table;
}

/** The gradient coefficients of the curve (a, b) and repulsion γ, exact formulas and tabulated. */
export function gradientCoefficients(a: number, b: number, gamma = 1) {
  const exact = exactCoefficients(a, b, gamma);
  const attractiveTable = tabulate(exact.attractive);
  const repulsiveTable = tabulate(exact.repulsive);
  const tabulated: GradientCoefficients = {
    attractive: (d2) => lookup(attractiveTable, d2, exact.attractive),
    repulsive: (d2) => lookup(repulsiveTable, d2, exact.repulsive),
  };
  return { exact, tabulated, attractiveTable, repulsiveTable };
}

/** Everything one layout run needs besides the start. */
interface PreparedLayout {
  n: number;
  edges: SampledEdges;
  nEpochs: number;
  initialAlpha: number;
  a: number;
  b: number;
  gamma: number;
  attractiveTable: Float64Array;
  repulsiveTable: Float64Array;
  seed: number;
}

/** Optimises `embedding` (n × dim, row-major) in place; the start should already be rescaled. */
export function optimizeLayout(embedding: Float64Array, dim: number, graph: FuzzyGraph, options: LayoutOptions): void {
  const prepared = prepareLayout(graph, options);
  if (!prepared) return;
  epochRunner(dim)(embedding, prepared);
}

/** The sampling schedule of the graph's edges and the coefficient tables, or null if there is nothing to do. */
function prepareLayout(graph: FuzzyGraph, options: LayoutOptions): PreparedLayout | null {
  const { n, rowStart, columns, weights } = graph;
  const nEpochs = options.nEpochs;
  if (nEpochs <= 0 || weights.length === 0) return null;
  const gamma = options.repulsionStrength ?? 1;
  const negativeRate = options.negativeSampleRate ?? 5;

  let maxWeight = 0;
  for (let e = 0; e < weights.length; e++) if (weights[e] > maxWeight) maxWeight = weights[e];
  const threshold = maxWeight / nEpochs;
  let count = 0;
  for (let e = 0; e < weights.length; e++) if (weights[e] >= threshold) count++;
  const head = new Int32Array(count);
  const tail = new Int32Array(count);
  const epochsPerSample = new Float64Array(count);
  let out = 0;
  for (let i = 0; i < n; i++) {
    for (let p = rowStart[i]; p < rowStart[i + 1]; p++) {
      const w = weights[p];
      if (w < threshold) continue;
      head[out] = i;
      tail[out] = columns[p];
      epochsPerSample[out] = nEpochs / (nEpochs * (w / maxWeight));
      out++;
    }
  }
  const epochsPerNegativeSample = new Float64Array(count);
  for (let e = 0; e < count; e++) epochsPerNegativeSample[e] = epochsPerSample[e] / negativeRate;
  const { attractiveTable, repulsiveTable } = gradientCoefficients(options.a, options.b, gamma);
  return {
    n,
    edges: {
      head,
      tail,
      epochsPerSample,
      epochsPerNegativeSample,
      nextSample: Float64Array.from(epochsPerSample),
      nextNegativeSample: Float64Array.from(epochsPerNegativeSample),
    },
    nEpochs,
    initialAlpha: options.learningRate ?? 1,
    a: options.a,
    b: options.b,
    gamma,
    attractiveTable,
    repulsiveTable,
    seed: options.seed >>> 0,
  };
}

interface SampledEdges {
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
  epochsPerNegativeSample: Float64Array;
  nextSample: Float64Array;
  nextNegativeSample: Float64Array;
}

/** All epochs of the layout described by `prepared`, in place. */
type EpochRunner = (embedding: Float64Array, prepared: PreparedLayout) => void;

const epochRunners = new Map<number, EpochRunner>();

function epochRunner(dim: number): EpochRunner {
  let runner = epochRunners.get(dim);
  if (!runner) {
    runner = new Function('lookup', 'exactCoefficients', `return ${epochRunnerSource(dim)};`)(lookup, exactCoefficients) as EpochRunner;
    epochRunners.set(dim, runner);
  }
  return runner;
}

/**
 * The SGD loop for `dim` coordinates, compiled once per dimension with the coordinate loops unrolled
 * into locals (x0, x1, …): V8 keeps them in registers, where a loop over a runtime `dim` re-reads and
 * bounds-checks the array for every coordinate. The arithmetic and its order are those of a loop
 * over d (positions are bit-identical to that loop's, which this replaced; a unit test compares a 2-D
 * layout with a 3-D one whose third coordinate is 0). On march-on's graph: 5-D, 200 epochs 0.61 s →
 * 0.44–0.50 s; 2-D, 500 epochs 0.95 s → 0.75–0.85 s (a hand-unrolled 2-D loop was no faster).
 *
 * Per positive sample (edge j → k): both ends move along the clipped attractive gradient. Then the
 * edge's due negative samples, each a random point pushing j away (a coincident point: +4 on every
 * coordinate, as umap-learn). j's coordinates stay in locals for the whole edge and are stored after
 * its negatives; a negative sample that draws j itself is skipped (its distance is 0 and j === other).
 */
function epochRunnerSource(dim: number): string {
  const each = (line: (d: number) => string, separator = '\n') => Array.from({ length: dim }, (_, d) => line(d)).join(separator);
  const body = `
    const { n, edges, nEpochs, initialAlpha, attractiveTable, repulsiveTable } = prepared;
    const { head, tail, epochsPerSample, epochsPerNegativeSample, nextSample, nextNegativeSample } = edges;
    const exact = exactCoefficients(prepared.a, prepared.b, prepared.gamma);
    const exactAttractive = exact.attractive;
    const exactRepulsive = exact.repulsive;
    const edgeCount = head.length;
    let state = prepared.seed;
    let alpha = initialAlpha;
    for (let epoch = 0; epoch < nEpochs; epoch++) {
      for (let e = 0; e < edgeCount; e++) {
        if (nextSample[e] > epoch) continue;
        const cj = head[e] * ${dim};
        const ck = tail[e] * ${dim};
        ${each((d) => `let x${d} = embedding[cj + ${d}];`)}
        ${each((d) => `const y${d} = x${d} - embedding[ck + ${d}];`)}
        const d2 = ${each((d) => `y${d} * y${d}`, ' + ')};
        if (d2 > 0) {
          const coefficient = lookup(attractiveTable, d2, exactAttractive);
          ${each((d) => `{
            let g = coefficient * y${d};
            if (g > 4) g = 4;
            else if (g < -4) g = -4;
            x${d} += g * alpha;
            embedding[ck + ${d}] -= g * alpha;
          }`)}
        }
        nextSample[e] += epochsPerSample[e];

        const negatives = Math.floor((epoch - nextNegativeSample[e]) / epochsPerNegativeSample[e]);
        for (let s = 0; s < negatives; s++) {
          // mulberry32, inlined: a closure call per sample costs more than the gradient.
          state = (state + 0x6d2b79f5) | 0;
          let t = Math.imul(state ^ (state >>> 15), state | 1);
          t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
          const r = (t ^ (t >>> 14)) >>> 0;
          const co = Math.floor((r * n) / 4294967296) * ${dim};
          if (co === cj) continue;
          ${each((d) => `const z${d} = x${d} - embedding[co + ${d}];`)}
          const nd2 = ${each((d) => `z${d} * z${d}`, ' + ')};
          if (nd2 > 0) {
            const coefficient = lookup(repulsiveTable, nd2, exactRepulsive);
            ${each((d) => `{
              let g = coefficient * z${d};
              if (g > 4) g = 4;
              else if (g < -4) g = -4;
              x${d} += g * alpha;
            }`)}
          } else {
            ${each((d) => `x${d} += 4 * alpha;`)}
          }
        }
        ${each((d) => `embedding[cj + ${d}] = x${d};`)}
        nextNegativeSample[e] += negatives * epochsPerNegativeSample[e];
      }
      alpha = initialAlpha * (1 - epoch / nEpochs);
    }
  `;
  return `function epochs${dim}d(embedding, prepared) {${body}\n}`;
}

/**
 * a and b of the curve 1 / (1 + a·x^(2b)) fitted by least squares to the target
 * 1 for x < min_dist, exp(−(x − min_dist) / spread) beyond, on 300 points of [0, 3·spread] — what
 * umap-learn's `find_ab_params` does with scipy's curve_fit (Levenberg–Marquardt here too).
 * min_dist 0.1 → a ≈ 1.577, b ≈ 0.895; min_dist 0 → a ≈ 1.933, b ≈ 0.790 (scipy: 1.5769434602,
 * 0.8950608780 and 1.9328083976, 0.7904949734; agreement to ~1e-7).
 */
export function curveParameters(minDist: number, spread = 1): { a: number; b: number } {
  const points = 300;
  const xs = new Float64Array(points);
  const ys = new Float64Array(points);
  for (let i = 0; i < points; i++) {
    const x = (i * spread * 3) / (points - 1);
    xs[i] = x;
    ys[i] = x < minDist ? 1 : Math.exp(-(x - minDist) / spread);
  }
  const residuals = (a: number, b: number) => {
    let s = 0;
    for (let i = 0; i < points; i++) {
      const r = 1 / (1 + a * Math.pow(xs[i], 2 * b)) - ys[i];
      s += r * r;
    }
    return s;
  };
  let a = 1;
  let b = 1;
  let lambda = 1e-3;
  let cost = residuals(a, b);
  for (let iteration = 0; iteration < 500; iteration++) {
    // Normal equations of the Gauss–Newton step, damped (Levenberg–Marquardt).
    let jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
    for (let i = 0; i < points; i++) {
      const x = xs[i];
      const p = x > 0 ? Math.pow(x, 2 * b) : 0;
      const f = 1 / (1 + a * p);
      const r = f - ys[i];
      const da = -p * f * f;
      const db = x > 0 ? -a * p * 2 * Math.log(x) * f * f : 0;
      jaa += da * da;
      jab += da * db;
      jbb += db * db;
      ga += da * r;
      gb += db * r;
    }
    let improved = false;
    while (lambda < 1e12) {
      const haa = jaa * (1 + lambda);
      const hbb = jbb * (1 + lambda);
      const det = haa * hbb - jab * jab;
      const stepA = -(hbb * ga - jab * gb) / det;
      const stepB = -(haa * gb - jab * ga) / det;
      const next = residuals(a + stepA, b + stepB);
      if (Number.isFinite(next) && next < cost) {
        const relative = (cost - next) / cost;
        a += stepA;
        b += stepB;
        cost = next;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = relative > 1e-15;
        break;
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  return { a, b };
}
