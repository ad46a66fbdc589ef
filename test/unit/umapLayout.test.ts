import { describe, expect, it } from 'vitest';
import { flattenNeighbors, fuzzySimplicialSet } from '../../shared/algorithms/fuzzySimplicialSet';
import { nearestNeighbors, nearestNeighbors2d } from '../../shared/algorithms/neighbors';
import { seededRandom } from '../../shared/algorithms/random';
import { curveParameters, gradientCoefficients, optimizeLayout, rescaleLayout } from '../../shared/algorithms/umapLayout';
import { gaussianBlobs } from './support/conversationVectors';

describe('curveParameters', () => {
  it('fits the same a and b as umap-learn’s find_ab_params (scipy curve_fit)', () => {
    const tenth = curveParameters(0.1);
    expect(tenth.a).toBeCloseTo(1.5769434602, 5);
    expect(tenth.b).toBeCloseTo(0.895060878, 5);
    const zero = curveParameters(0);
    expect(zero.a).toBeCloseTo(1.9328083976, 5);
    expect(zero.b).toBeCloseTo(0.7904949734, 5);
  });
});

describe('gradientCoefficients', () => {
  it('reads both coefficients from its tables within 1e-6 of the formulas, inside and outside their range', () => {
    const { a, b } = curveParameters(0.1);
    const { exact, tabulated } = gradientCoefficients(a, b);
    const random = seededRandom(1);
    let worst = 0;
    for (let t = 0; t < 20000; t++) {
      const d2 = Math.pow(2, -40 + 80 * random()); // 2^-40 … 2^40: the tables cover 2^-24 … 2^24
      worst = Math.max(worst, Math.abs(tabulated.attractive(d2) / exact.attractive(d2) - 1), Math.abs(tabulated.repulsive(d2) / exact.repulsive(d2) - 1));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(worst).toBeGreaterThan(0); // the tables are in use
    // Exact at the table's grid points.
    expect(tabulated.repulsive(1)).toBe(exact.repulsive(1));
    expect(tabulated.attractive(0.75)).toBe(exact.attractive(0.75));
  });
});

describe('rescaleLayout', () => {
  it('maps every coordinate to [0, 10], a constant one to 0', () => {
    const layout = Float64Array.of(-1, 5, 3, 5, 1, 5);
    rescaleLayout(layout, 3, 2);
    expect(Array.from(layout)).toEqual([0, 0, 10, 0, 5, 0]);
  });
});

/** Fuzzy graph of Gaussian blobs, and a deliberately poor start: every point uniform in [0, 10]². */
function blobsProblem(seed: number) {
  const blobs = gaussianBlobs({ blobs: 4, size: 60, dim: 20, separation: 1.5, seed });
  const n = blobs.vectors.length;
  const graph = fuzzySimplicialSet(flattenNeighbors(nearestNeighbors(blobs.vectors, 14), n, 14), 15);
  const random = seededRandom(seed);
  const start = Float64Array.from({ length: n * 2 }, () => random() * 10);
  return { blobs, graph, start, n };
}

describe('optimizeLayout', () => {
  const { a, b } = curveParameters(0.1);

  it('pulls Gaussian blobs apart from a random start', () => {
    const { blobs, graph, start, n } = blobsProblem(3);

    optimizeLayout(start, 2, graph, { nEpochs: 200, a, b, seed: 9 });

    const positions = Array.from({ length: n }, (_, i) => [start[2 * i], start[2 * i + 1]]);
    // Every point's 5 nearest map neighbours are from its own blob.
    const { indices } = nearestNeighbors2d(positions, 5);
    const mixed = indices.filter((row, i) => Array.from(row).some((j) => blobs.labels[j] !== blobs.labels[i])).length;
    expect(mixed).toBe(0);
    // Blob centres are much further apart than the blobs are wide.
    const centre = (label: number) => {
      const members = positions.filter((_, i) => blobs.labels[i] === label);
      return [0, 1].map((d) => members.reduce((s, p) => s + p[d], 0) / members.length);
    };
    const spread = (label: number) => {
      const c = centre(label);
      const members = positions.filter((_, i) => blobs.labels[i] === label);
      return Math.sqrt(members.reduce((s, p) => s + (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2, 0) / members.length);
    };
    for (let x = 0; x < 4; x++) {
      for (let y = x + 1; y < 4; y++) {
        const [cx, cy] = [centre(x), centre(y)];
        expect(Math.hypot(cx[0] - cy[0], cx[1] - cy[1])).toBeGreaterThan(2 * (spread(x) + spread(y)));
      }
    }
  });

  it('is bit-for-bit deterministic for a seed, and the seed matters', () => {
    const first = blobsProblem(5);
    const again = blobsProblem(5);
    const other = blobsProblem(5);

    optimizeLayout(first.start, 2, first.graph, { nEpochs: 50, a, b, seed: 1 });
    optimizeLayout(again.start, 2, again.graph, { nEpochs: 50, a, b, seed: 1 });
    optimizeLayout(other.start, 2, other.graph, { nEpochs: 50, a, b, seed: 2 });

    expect(again.start).toStrictEqual(first.start);
    expect(other.start).not.toStrictEqual(first.start);
  });

  it('moves a 2-D layout exactly as a 3-D one whose third coordinate is 0', () => {
    // Each dimension has its own compiled loop; with z = 0 every distance and gradient of the 3-D
    // layout is the 2-D one, so the first two coordinates must agree bit for bit.
    const { graph, start, n } = blobsProblem(11);
    const flat = Float64Array.from(start);
    const lifted = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) [lifted[3 * i], lifted[3 * i + 1]] = [start[2 * i], start[2 * i + 1]];

    optimizeLayout(flat, 2, graph, { nEpochs: 60, a, b, seed: 3 });
    optimizeLayout(lifted, 3, graph, { nEpochs: 60, a, b, seed: 3 });

    expect(flat).not.toStrictEqual(start);
    for (let i = 0; i < n; i++) {
      expect([flat[2 * i], flat[2 * i + 1]]).toStrictEqual([lifted[3 * i], lifted[3 * i + 1]]);
      expect(lifted[3 * i + 2]).toBe(0);
    }
  });

  it('leaves the layout alone with 0 epochs and handles coincident points without NaN', () => {
    const { graph, start } = blobsProblem(7);
    const copy = Float64Array.from(start);
    optimizeLayout(copy, 2, graph, { nEpochs: 0, a, b, seed: 1 });
    expect(copy).toStrictEqual(start);

    const collapsed = new Float64Array(start.length).fill(5);
    optimizeLayout(collapsed, 2, graph, { nEpochs: 30, a, b, seed: 1 });
    expect(collapsed.every(Number.isFinite)).toBe(true);
    expect(new Set(collapsed).size).toBeGreaterThan(10);
  });
});
