/**
 * ProjectUmap and Cluster search the neighbours of the same comments: the same vectors, the same k
 * (n_neighbors) and, where the search is NN-descent, the same seed unless the job sets another. In
 * one process (the local runner, the bench, a warm Lambda running its step again) the later search
 * takes the earlier one's graph when all of those are equal, compared exactly, not by a hash. The
 * graph is what the search itself returns, so a step run alone, or again, writes the same rows.
 */
import { approximateKnn, cosineNeighbors, type NeighborSearch } from '../algorithms/commentNeighbors';
import type { FlatNeighbors } from '../algorithms/fuzzySimplicialSet';

interface Searched {
  /** The vectors, copied: a caller may reuse its arrays. */
  values: Float32Array;
  n: number;
  dim: number;
  k: number;
  /** undefined for the exact search, which does not depend on it. */
  seed: number | undefined;
  knn: FlatNeighbors;
}

/** Only the last search is kept: a job's steps run one after the other. */
let last: Searched | undefined;

function sameVectors(searched: Searched, vectors: Float32Array[]): boolean {
  if (searched.n !== vectors.length) return false;
  const { values, dim } = searched;
  for (let i = 0; i < vectors.length; i++) {
    const row = vectors[i];
    if (row.length !== dim) return false;
    for (let d = 0, o = i * dim; d < dim; d++, o++) if (row[d] !== values[o]) return false;
  }
  return true;
}

/** `cosineNeighbors`, answered from the last search when it had the same input. */
export const cachedNeighbors: NeighborSearch = (vectors, k, seed) => {
  const n = vectors.length;
  const dim = n > 0 ? vectors[0].length : 0;
  const keySeed = approximateKnn(n) ? seed : undefined;
  if (last && last.k === k && last.seed === keySeed && sameVectors(last, vectors)) return last.knn;
  const knn = cosineNeighbors(vectors, k, seed);
  // Rows of unequal length cannot be compared later: such input is not kept.
  if (vectors.every((row) => row.length === dim)) {
    const values = new Float32Array(n * dim);
    vectors.forEach((row, i) => values.set(row, i * dim));
    last = { values, n, dim, k, seed: keySeed, knn };
  }
  return knn;
};

/** Forgets the last search (tests). */
export function clearNeighborCache(): void {
  last = undefined;
}
