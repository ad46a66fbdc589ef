/** Cluster: embeddings + UMAP positions → nested layers (layer 0 finest, -1 noise), one row per comment. */
import { clusterLayers } from '../algorithms/clustering';
import type { StepFunction } from '../handler';
import { membersByCluster, readComments, readNodes, round6 } from './jobData';

export const clusterStep: StepFunction = async (input, { repository }) => {
  const reading = readComments(repository, input.job_id);
  const [comments, { positions, clustering }] = await Promise.all([
    reading,
    readNodes(repository, input.job_id, reading.then((read) => read.ids), { clustering: true }),
  ]);
  const result = clusterLayers(
    {
      vectors: comments.vectors,
      positions,
      clusteringSpace: clustering && { positions: clustering, nNeighbors: input.options.n_neighbors },
    },
    { seed: input.options.seed, minClusterSize: input.options.min_cluster_size, maxLayers: input.options.max_layers },
  );

  // Distance of each comment to its cluster's centroid in UMAP space, per layer.
  const distances = result.layers.map((labels) => {
    const out = new Array<number | undefined>(labels.length).fill(undefined);
    for (const members of membersByCluster(labels).values()) {
      const cx = members.reduce((sum, i) => sum + positions[i][0], 0) / members.length;
      const cy = members.reduce((sum, i) => sum + positions[i][1], 0) / members.length;
      for (const i of members) out[i] = round6(Math.hypot(positions[i][0] - cx, positions[i][1] - cy));
    }
    return out;
  });

  const rows = comments.ids.map((id, i) => {
    const row: Record<string, unknown> = {
      job_id: input.job_id,
      conversation_id: input.conversation_id,
      comment_id: id,
      layer_count: result.layers.length,
      is_outlier: result.layers[0][i] === -1,
      distance_to_centroid: {} as Record<string, number>,
      cluster_confidence: {} as Record<string, number>,
    };
    result.layers.forEach((labels, layer) => {
      row[`layer${layer}_cluster_id`] = labels[i];
      const distance = distances[layer][i];
      if (distance !== undefined) (row.distance_to_centroid as Record<string, number>)[`layer${layer}`] = distance;
      (row.cluster_confidence as Record<string, number>)[`layer${layer}`] = round6(result.confidence[layer][i]);
    });
    return row;
  });

  const cluster_layers = result.layers.map((labels, layer) => {
    const clusters = membersByCluster(labels).size;
    const noise = labels.filter((label) => label === -1).length;
    return {
      layer_id: layer,
      num_clusters: clusters,
      noise_share: round6(noise / labels.length),
      description: `${layer === 0 ? 'finest' : layer === result.layers.length - 1 ? 'coarsest' : 'intermediate'} layer: ${clusters} clusters, ${noise} noise comments`,
    };
  });

  const { written, deleted } = await repository.replaceJobRows('assignments', input.job_id, rows);
  await repository.updateJob(input.job_id, input.conversation_id, {
    clustering_parameters: result.parameters,
    cluster_layers,
  });
  return {
    rows_written: written,
    rows_deleted: deleted,
    details: { layers: cluster_layers.map((layer) => layer.num_clusters) },
    adjustments: result.adjustments,
  };
};
