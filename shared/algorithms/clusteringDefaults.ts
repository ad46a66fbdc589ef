/**
 * The clustering settings a job gets when its options leave them out: the job options' defaults
 * (shared/pipeline.ts) and clusterLayers' own. A module of its own so that the options schema,
 * loaded by every function, does not load the clustering code.
 */
export const CLUSTERING_DEFAULTS = {
  /** Smallest cluster. */
  minClusterSize: 5,
  /** Most layers. */
  maxLayers: 4,
  /** Size of each comment's neighbourhood, itself included (as UMAP's n_neighbors). */
  nNeighbors: 15,
} as const;
