import { describe, expect, it } from 'vitest';
import { nearestNeighbors } from '../../shared/algorithms/neighbors';
import { ComparedPairs, hyperplaneMargins, nnDescent } from '../../shared/algorithms/nnDescent';
import { gaussian, seededRandom } from '../../shared/algorithms/random';
import { conversationVectors, gaussianBlobs, MARCH_ON } from './support/conversationVectors';

/** Share of the exact k nearest found, counting a tie with the exact k-th distance as found. */
function recall(vectors: Float32Array[], k: number, approx: { indices: Int32Array; distances: Float64Array }): number {
  const exact = nearestNeighbors(vectors, k);
  let found = 0;
  exact.indices.forEach((row, i) => {
    const wanted = new Set(row);
    const kth = exact.distances[i][k - 1];
    for (let j = 0; j < k; j++) if (wanted.has(approx.indices[i * k + j]) || approx.distances[i * k + j] <= kth + 1e-9) found++;
  });
  return found / (vectors.length * k);
}

describe('nnDescent (approximate cosine kNN)', () => {
  it('finds at least 99 % of the exact neighbours of a real conversation', () => {
    const vectors = conversationVectors(MARCH_ON); // 1,767 comments, 100-dim LSA

    const approx = nnDescent(vectors, 14, { seed: 42 });

    expect(recall(vectors, 14, approx)).toBeGreaterThan(0.99);
  });

  it('finds the neighbours of well-separated blobs and never lists a point itself or twice', () => {
    const { vectors } = gaussianBlobs({ blobs: 6, size: 150, dim: 30, separation: 3, seed: 2 });

    const approx = nnDescent(vectors, 10, { seed: 1 });

    expect(recall(vectors, 10, approx)).toBeGreaterThan(0.99);
    for (let i = 0; i < vectors.length; i++) {
      const row = Array.from(approx.indices.subarray(i * 10, i * 10 + 10));
      expect(row).not.toContain(i);
      expect(new Set(row).size).toBe(10);
      const distances = approx.distances.subarray(i * 10, i * 10 + 10);
      for (let j = 1; j < 10; j++) expect(distances[j]).toBeGreaterThanOrEqual(distances[j - 1]);
    }
  });

  it('is bit-for-bit deterministic for a seed', () => {
    const random = seededRandom(3);
    const vectors = Array.from({ length: 600 }, () => Float32Array.from({ length: 16 }, () => gaussian(random)));

    const first = nnDescent(vectors, 8, { seed: 5 });
    const again = nnDescent(vectors, 8, { seed: 5 });

    expect(again.indices).toStrictEqual(first.indices);
    expect(again.distances).toStrictEqual(first.distances);
    expect(recall(vectors, 8, first)).toBeGreaterThan(0.95); // random 16-D data is the hard case
  });

  it('handles tiny inputs, identical points and k ≥ n', () => {
    expect(nnDescent([], 5).indices).toHaveLength(0);
    const same = Array.from({ length: 40 }, () => Float32Array.of(1, 2, 3));
    const graph = nnDescent(same, 5);
    expect(graph.k).toBe(5);
    expect(Array.from(graph.distances).every((d) => d === 0)).toBe(true);
    const three = nnDescent([Float32Array.of(1, 0), Float32Array.of(0, 1), Float32Array.of(1, 1)], 5);
    expect(three.k).toBe(2);
    expect(Array.from(three.indices)).toEqual([2, 1, 2, 0, 0, 1]);
  });
});

describe('ComparedPairs (pairs nnDescent skips)', () => {
  it('answers true only for a pair recorded before, in either order', () => {
    const n = 5000;
    const pairs = new ComparedPairs(n);
    const recorded = new Set<number>();
    const random = seededRandom(9);
    for (let t = 0; t < 200_000; t++) {
      const p = Math.floor(random() * n);
      const q = (p + 1 + Math.floor(random() * (n - 1))) % n;
      const key = Math.min(p, q) * n + Math.max(p, q);
      const seen = random() < 0.5 ? pairs.seen(p, q) : pairs.seen(q, p);
      // Lossy: a recorded pair may have lost its slot, but a pair never recorded is never "seen".
      if (seen) expect(recorded.has(key)).toBe(true);
      recorded.add(key);
    }
    expect(pairs.seen(3, 7)).toBe(false);
    expect(pairs.seen(7, 3)).toBe(true);
  });
});

describe('hyperplaneMargins', () => {
  it('gives each row the sum of its four partial sums, as one row alone does', () => {
    const random = seededRandom(4);
    const dim = 11;
    const n = 9;
    const data = Float32Array.from({ length: n * dim }, () => gaussian(random));
    const normal = Float64Array.from({ length: dim }, () => gaussian(random));
    const order = Int32Array.from([4, 0, 8, 2, 7, 1, 3, 6, 5]);
    const margins = new Float64Array(n);
    hyperplaneMargins(data, dim, normal, order, 1, 8, margins);
    for (let p = 1; p < 8; p++) {
      const sums = [0, 0, 0, 0];
      let d = 0;
      for (; d + 3 < dim; d += 4) for (let r = 0; r < 4; r++) sums[r] += normal[d + r] * data[order[p] * dim + d + r];
      for (; d < dim; d++) sums[0] += normal[d] * data[order[p] * dim + d];
      expect(margins[p - 1]).toBe(sums[0] + sums[1] + sums[2] + sums[3]);
    }
  });
});
