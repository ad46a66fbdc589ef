import { beforeEach, describe, expect, it } from 'vitest';
import { APPROXIMATE_KNN_FROM, cosineNeighbors } from '../../shared/algorithms/commentNeighbors';
import { gaussian, seededRandom } from '../../shared/algorithms/random';
import { cachedNeighbors, clearNeighborCache } from '../../shared/steps/neighborCache';

function vectorsOf(n: number, dim: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => gaussian(random)));
}
const copy = (vectors: Float32Array[]) => vectors.map((row) => Float32Array.from(row));

describe('cachedNeighbors', () => {
  beforeEach(() => clearNeighborCache());

  it('answers an equal search (equal values in other arrays) with the graph it found before', () => {
    // prepare
    const vectors = vectorsOf(200, 12, 1);
    // act
    const first = cachedNeighbors(vectors, 14, 42);
    const again = cachedNeighbors(copy(vectors), 14, 42);
    // assess
    expect(again).toBe(first);
    expect(first).toEqual(cosineNeighbors(vectors, 14, 42));
  });

  it('searches again when one value, k or the vectors count differ', () => {
    const vectors = vectorsOf(200, 12, 2);
    const first = cachedNeighbors(vectors, 14, 42);
    const changed = copy(vectors);
    changed[150][3] += 1e-3;
    const afterChange = cachedNeighbors(changed, 14, 42);
    expect(afterChange).not.toBe(first);
    expect(afterChange).toEqual(cosineNeighbors(changed, 14, 42));
    expect(cachedNeighbors(changed, 10, 42)).toEqual(cosineNeighbors(changed, 10, 42));
    expect(cachedNeighbors(changed.slice(1), 10, 42).n).toBe(199);
  });

  it('shares the exact search across seeds but not NN-descent, whose graph depends on the seed', () => {
    const small = vectorsOf(300, 8, 3);
    const exact = cachedNeighbors(small, 14, 42);
    expect(cachedNeighbors(small, 14, 7)).toBe(exact);

    const large = vectorsOf(APPROXIMATE_KNN_FROM, 4, 4);
    const seed42 = cachedNeighbors(large, 5, 42);
    const seed7 = cachedNeighbors(large, 5, 7);
    expect(seed7).not.toBe(seed42);
    expect(seed7).toEqual(cosineNeighbors(large, 5, 7));
    expect(cachedNeighbors(copy(large), 5, 7)).toBe(seed7);
  });
});
