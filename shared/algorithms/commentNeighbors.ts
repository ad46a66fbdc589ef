/**
 * The comments' cosine kNN (self excluded, rows sorted by distance) as UMAP and the clustering both
 * search it: exact below `APPROXIMATE_KNN_FROM` comments, seeded NN-descent from there on
 * (`nnDescent.ts`). Either way a pure function of the vectors, k and (NN-descent only) the seed.
 */
import { flattenNeighbors, type FlatNeighbors } from './fuzzySimplicialSet';
import { nearestNeighbors } from './neighbors';
import { nnDescent } from './nnDescent';

/** From this many comments on, the kNN is NN-descent instead of exact (see neighbors.ts for the costs). */
export const APPROXIMATE_KNN_FROM = 5000;

/** A search for the k nearest neighbours of every vector; the callers never modify what it returns. */
export type NeighborSearch = (vectors: Float32Array[], k: number, seed: number) => FlatNeighbors;

/** True when the search for n comments is NN-descent, whose graph then depends on the seed. */
export const approximateKnn = (n: number): boolean => n >= APPROXIMATE_KNN_FROM;

export const cosineNeighbors: NeighborSearch = (vectors, k, seed) =>
  approximateKnn(vectors.length) ? nnDescent(vectors, k, { seed }) : flattenNeighbors(nearestNeighbors(vectors, k), vectors.length, k);
