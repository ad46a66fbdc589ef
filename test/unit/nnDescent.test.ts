import { describe, expect, it } from 'vitest';
import { nearestNeighbors } from '../../shared/algorithms/neighbors';
import { nnDescent } from '../../shared/algorithms/nnDescent';
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
