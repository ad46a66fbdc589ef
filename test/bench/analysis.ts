/**
 * OUR analysis for `npm run bench:quality`: exactly what the pipeline's Embed, ProjectUmap and
 * Cluster steps compute from a conversation's comment texts, without the database or the state
 * machine. Keep it in step with shared/steps/embed.ts, projectUmap.ts and cluster.ts: whoever changes
 * what those steps pass to the algorithms changes this one function too (and nothing else in the
 * bench has to move).
 *
 * texts: the comments in the pipeline's order (sorted by comment id; the bench sorts by source, id).
 * seed: options.seed, as a job would give it. embedder: options.embedder; undefined = the pipeline's
 * default (the deployment's DELPHI_EMBEDDER, else the built-in one — parseOptions decides).
 * timings_ms: one entry per phase — embed, map (the 2-D UMAP map), cluster.
 */
import { clusterLayers } from '../../shared/algorithms/clustering';
import { projectUmap } from '../../shared/algorithms/umap';
import { parseOptions } from '../../shared/pipeline';
import { createEmbeddingProvider, defaultProviderServices } from '../../shared/providers';

export interface Analysis {
  vectors: Float32Array[];
  /** layers[0] = finest; one label per text (−1 = noise, if the clustering ever gives any). */
  layers: number[][];
  timings_ms: Record<string, number>;
  /** The embedding model that ran, as recorded on the job. */
  model?: string;
}

export async function analyse(texts: string[], seed: number, embedder?: string): Promise<Analysis> {
  const options = parseOptions({ seed, ...(embedder ? { embedder } : {}) });
  const timings_ms: Record<string, number> = {};
  const time = async <T>(phase: string, run: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await run();
    timings_ms[phase] = performance.now() - started;
    return result;
  };

  // Embed (shared/steps/embed.ts).
  const embedding = await time('embed', () => createEmbeddingProvider(options, defaultProviderServices()).embed(texts));
  const vectors = embedding.vectors;

  // ProjectUmap (shared/steps/projectUmap.ts): the 2-D map. Cluster does not use it today.
  await time('map', () => projectUmap(vectors, { nComponents: 2, minDist: options.min_dist, nNeighbors: options.n_neighbors, seed: options.seed }));

  // Cluster (shared/steps/cluster.ts): the layers from the embeddings' own neighbour graph.
  const result = await time('cluster', () =>
    clusterLayers({ vectors }, { nNeighbors: options.n_neighbors, minClusterSize: options.min_cluster_size, maxLayers: options.max_layers }),
  );
  return { vectors, layers: result.layers, timings_ms, model: embedding.model };
}
