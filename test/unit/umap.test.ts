import { describe, expect, it } from 'vitest';
import { nearestNeighbors, nearestNeighbors2d } from '../../shared/algorithms/neighbors';
import { APPROXIMATE_KNN_FROM, multiplyRows, projectUmap, projectUmapLayouts, sampleCovariance, umapEdges } from '../../shared/algorithms/umap';
import { gaussian, seededRandom } from '../../shared/algorithms/random';
import { BIODIVERSITY, conversationVectors, gaussianBlobs } from './support/conversationVectors';

const dist = (a: number[], b: number[]) => Math.hypot(...a.map((x, d) => x - b[d]));

function meanDistances(positions: number[][], labels: number[]): { intra: number; inter: number } {
  let intra = 0;
  let nIntra = 0;
  let inter = 0;
  let nInter = 0;
  for (let i = 0; i < positions.length; i++) {
    for (let j = i + 1; j < positions.length; j++) {
      const d = dist(positions[i], positions[j]);
      if (labels[i] === labels[j]) {
        intra += d;
        nIntra++;
      } else {
        inter += d;
        nInter++;
      }
    }
  }
  return { intra: intra / nIntra, inter: inter / nInter };
}

describe('projectUmap', () => {
  const blobs = gaussianBlobs({ blobs: 3, size: 40, dim: 50, separation: 1, seed: 11 });

  it('keeps three Gaussian blobs in 50-D apart in 2-D', () => {
    const { positions } = projectUmap(blobs.vectors);

    const { intra, inter } = meanDistances(positions, blobs.labels);
    expect(intra / inter).toBeLessThan(0.2);
    // Every point's nearest 2-D neighbour comes from its own blob.
    const { indices } = nearestNeighbors2d(positions, 1);
    const sameBlob = indices.filter((row, i) => blobs.labels[row[0]] === blobs.labels[i]).length;
    expect(sameBlob).toBe(positions.length);
  });

  it('is bit-for-bit identical for the same seed and different for another seed', () => {
    const first = projectUmap(blobs.vectors, { seed: 7 });
    const again = projectUmap(blobs.vectors, { seed: 7 });
    const other = projectUmap(blobs.vectors, { seed: 8 });

    expect(again.positions).toStrictEqual(first.positions);
    expect(Float64Array.from(again.positions.flat())).toStrictEqual(Float64Array.from(first.positions.flat()));
    expect(other.positions).not.toStrictEqual(first.positions);
  });

  it('records the defaults it used', () => {
    const result = projectUmap(blobs.vectors);

    expect(result.parameters).toEqual({
      n_neighbors: 15,
      min_dist: 0.1,
      n_components: 2,
      n_epochs: 500,
      metric: 'cosine',
      knn: 'exact',
      seed: 42,
    });
    expect(result.adjustments).toEqual([]);
    expect(result.positions).toHaveLength(120);
    expect(result.positions.every((p) => p.length === 2 && p.every(Number.isFinite))).toBe(true);
  });

  it('gives the same layout from a precomputed kNN as from its own', () => {
    const knn = nearestNeighbors(blobs.vectors, 20); // more columns than needed: extra ones ignored

    expect(projectUmap(blobs.vectors, { knn }).positions).toStrictEqual(projectUmap(blobs.vectors).positions);
    expect(() => projectUmap(blobs.vectors, { knn: nearestNeighbors(blobs.vectors, 5) })).toThrow(/needs 14/);
  });

  it('makes the 2-D map and the 5-D clustering space from one graph, each as projectUmap alone', () => {
    const [map, space] = projectUmapLayouts(blobs.vectors, [{}, { nComponents: 5, minDist: 0, nEpochs: 200 }], { seed: 3 });

    expect(map).toStrictEqual(projectUmap(blobs.vectors, { seed: 3 }));
    expect(space).toStrictEqual(projectUmap(blobs.vectors, { nComponents: 5, minDist: 0, nEpochs: 200, seed: 3 }));
    expect(space.parameters).toMatchObject({ n_components: 5, min_dist: 0, n_epochs: 200 });
  });

  it(`switches to NN-descent from ${APPROXIMATE_KNN_FROM} comments and says so`, () => {
    const random = seededRandom(8);
    const many = Array.from({ length: APPROXIMATE_KNN_FROM }, () => Float32Array.from({ length: 8 }, () => gaussian(random)));

    const result = projectUmap(many, { nEpochs: 0 });

    expect(result.parameters.knn).toBe('nn-descent');
    expect(projectUmap(many.slice(1), { nEpochs: 0 }).parameters.knn).toBe('exact');
    expect(result.positions.flat().every(Number.isFinite)).toBe(true);
  });

  it('projects to more components when asked', () => {
    const result = projectUmap(blobs.vectors, { nComponents: 5, minDist: 0 });
    expect(result.positions.every((p) => p.length === 5)).toBe(true);
    expect(result.parameters).toMatchObject({ n_components: 5, min_dist: 0 });
  });

  it('clamps n_neighbors for a small conversation and says so', () => {
    const small = gaussianBlobs({ blobs: 2, size: 4, dim: 10, seed: 3 });

    const result = projectUmap(small.vectors);

    expect(result.parameters.n_neighbors).toBe(7);
    expect(result.adjustments).toEqual(['n_neighbors clamped from 15 to 7 because the conversation has 8 comments']);
    expect(result.positions).toHaveLength(8);
    expect(result.positions.flat().every(Number.isFinite)).toBe(true);
    expect(projectUmap(small.vectors).positions).toStrictEqual(result.positions);
  });

  it('lays out 0, 1, 2 and 3 comments without UMAP, deterministically', () => {
    expect(projectUmap([]).positions).toEqual([]);
    expect(projectUmap([]).adjustments).toEqual([]);

    const one = projectUmap([Float32Array.of(1, 2)]);
    expect(one.positions).toEqual([[0, 0]]);
    expect(one.adjustments).toContain(
      'UMAP skipped because the conversation has only 1 comment: positions are the exact 2-D layout of their embedding distances',
    );
    expect(one.parameters.n_epochs).toBe(0);

    const two = projectUmap([Float32Array.of(1, 0), Float32Array.of(0, 1)]);
    expect(dist(two.positions[0], two.positions[1])).toBeCloseTo(10, 9);
    expect(two.adjustments[0]).toBe('n_neighbors clamped from 15 to 1 because the conversation has 2 comments');

    // Three comments: the triangle has the ratios of the distances between the unit vectors
    // (chords: √2 for 90°, √(2 − √2) for 45°).
    const three = projectUmap([Float32Array.of(1, 0), Float32Array.of(0, 1), Float32Array.of(1, 1)]);
    const [a, b, c] = three.positions;
    const ratio = Math.sqrt(2 - Math.SQRT2) / Math.SQRT2;
    expect(dist(a, b)).toBeCloseTo(10, 9);
    expect(dist(a, c) / dist(a, b)).toBeCloseTo(ratio, 6);
    expect(dist(b, c) / dist(a, b)).toBeCloseTo(ratio, 6);
    expect(projectUmap([Float32Array.of(1, 0), Float32Array.of(0, 1), Float32Array.of(1, 1)])).toEqual(three);

    const identical = projectUmap([Float32Array.of(1, 1), Float32Array.of(2, 2), Float32Array.of(3, 3)]);
    expect(identical.positions).toEqual([[0, 0], [0, 0], [0, 0]]);
  });

  it('handles many identical comments without producing NaN', () => {
    const same = Array.from({ length: 30 }, () => Float32Array.of(0.6, 0.8, 0));
    const { positions } = projectUmap(same);
    expect(positions.flat().every(Number.isFinite)).toBe(true);
  });

  it('keeps the local neighbourhoods of a real conversation', () => {
    const vectors = conversationVectors(BIODIVERSITY);

    const { positions } = projectUmap(vectors);

    // Share of each comment's 10 nearest comments (cosine) that are also among its 10 nearest on
    // the map: measured 0.40; a random layout gives ~10 / 154 ≈ 0.06.
    const high = nearestNeighbors(vectors, 10).indices;
    const low = nearestNeighbors2d(positions, 10).indices;
    let kept = 0;
    high.forEach((row, i) => {
      const onMap = new Set(low[i]);
      for (const j of row) if (onMap.has(j)) kept++;
    });
    expect(kept / (vectors.length * 10)).toBeGreaterThan(0.3);
  });

  it('rejects nonsensical options', () => {
    expect(() => projectUmap(blobs.vectors, { nNeighbors: 1 })).toThrow(RangeError);
    expect(() => projectUmap(blobs.vectors, { nComponents: 0 })).toThrow(RangeError);
    expect(() => projectUmap(blobs.vectors, { minDist: -1 })).toThrow(RangeError);
  });
});

describe('umapEdges', () => {
  it('links each point to its nearest neighbours once, source < target, sorted', () => {
    const positions = [[0, 0], [1, 0], [3, 0], [7, 0]];

    const edges = umapEdges(positions, 1);

    expect(edges.map(({ source, target, distance }) => ({ source, target, distance }))).toEqual([
      { source: 0, target: 1, distance: 1 },
      { source: 1, target: 2, distance: 2 },
      { source: 2, target: 3, distance: 4 },
    ]);
  });

  it('weights edges by UMAP similarity 1 / (1 + a·d^(2b)), in [0, 1], decreasing with distance', () => {
    const edges = umapEdges([[0, 0], [0, 0], [1, 0], [5, 0]], 1);

    expect(edges[0]).toEqual({ source: 0, target: 1, distance: 0, weight: 1 });
    const [, near, far] = edges;
    expect(near.weight).toBeCloseTo(1 / (1 + 1.5769434603113077), 12); // d = 1
    expect(far.weight).toBeLessThan(near.weight);
    expect(far.weight).toBeGreaterThan(0);
  });

  it('gives every point at least k incident edges and no duplicates', () => {
    const { positions } = projectUmap(gaussianBlobs({ blobs: 2, size: 30, dim: 20, seed: 4 }).vectors);

    const edges = umapEdges(positions); // k = 5

    const keys = edges.map((e) => `${e.source}_${e.target}`);
    expect(new Set(keys).size).toBe(edges.length);
    expect(edges.every((e) => e.source < e.target && e.weight >= 0 && e.weight <= 1)).toBe(true);
    const degree = new Array<number>(positions.length).fill(0);
    for (const e of edges) {
      degree[e.source]++;
      degree[e.target]++;
    }
    expect(Math.min(...degree)).toBeGreaterThanOrEqual(5);
    expect(edges.length).toBeLessThanOrEqual(positions.length * 5);
    const sorted = [...edges].sort((x, y) => x.source - y.source || x.target - y.target);
    expect(edges).toEqual(sorted);
  });

  it('returns no edges for fewer than two points', () => {
    expect(umapEdges([])).toEqual([]);
    expect(umapEdges([[1, 2]])).toEqual([]);
  });
});

describe('the PCA start\'s blocked kernels', () => {
  // Sizes with remainders in every blocked loop (odd dimensions, odd counts): each entry must be the
  // plain loop's sum, bit for bit, or the layouts of every conversation would move.
  const random = seededRandom(5);
  const n = 23;
  const dim = 7;
  const data = Float32Array.from({ length: n * dim }, () => gaussian(random));
  data[3] = 0; // an exact zero, which the row-by-row accumulation used to skip
  const mean = new Float64Array(dim).map(() => gaussian(random) * 0.1);

  it('sampleCovariance equals the row-by-row accumulation', () => {
    const expected = new Float64Array(dim * dim);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < dim; p++) for (let q = p; q < dim; q++) expected[p * dim + q] += (data[i * dim + p] - mean[p]) * (data[i * dim + q] - mean[q]);
    }
    for (let p = 0; p < dim; p++) for (let q = 0; q < p; q++) expected[p * dim + q] = expected[q * dim + p];
    expect(Array.from(sampleCovariance(data, n, dim, mean))).toEqual(Array.from(expected));
  });

  it('multiplyRows equals one plain sum per entry', () => {
    const matrix = Float64Array.from({ length: dim * dim }, () => gaussian(random));
    for (const c of [1, 2, 3]) {
      const basis = Float64Array.from({ length: c * dim }, () => gaussian(random));
      const expected = new Float64Array(c * dim);
      for (let k = 0; k < c; k++) {
        for (let p = 0; p < dim; p++) {
          let s = 0;
          for (let q = 0; q < dim; q++) s += matrix[p * dim + q] * basis[k * dim + q];
          expected[k * dim + p] = s;
        }
      }
      expect(Array.from(multiplyRows(matrix, dim, basis, c))).toEqual(Array.from(expected));
    }
  });
});
