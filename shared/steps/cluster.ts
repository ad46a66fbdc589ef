/**
 * Cluster: embeddings → nested layers (layer 0 finest), one row per comment. The layers come from the
 * embeddings alone (shared/algorithms/clustering.ts), not from the map, so the seed does not move
 * them; the map's positions only give each comment its distance to its cluster's centre on the map.
 */
import { clusterLayers } from '../algorithms/clustering';
import { encodeAssignment } from '../contract/rows';
import type { StepFunction } from '../handler';
import { round6 } from '../algorithms/rounding';
import { membersByCluster, readComments, readPositions } from './jobData';
import { earlierLabels, readEarlierJob, recordLineage } from './lineage';
import { cachedNeighbors } from './neighborCache';

export const clusterStep: StepFunction = async (input, { repository }) => {
  const reading = readComments(repository, input.job_id);
  const { compare_to } = input.options;
  const [comments, positions, earlier] = await Promise.all([
    reading,
    readPositions(repository, input.job_id, reading.then((read) => read.ids)),
    readEarlierJob(repository, { job_id: input.job_id, compare_to }),
  ]);
  // A re-run of the conversation keeps its earlier topics where the tree allows (continuity, docs/lineage.md).
  const result = clusterLayers(
    { vectors: comments.vectors },
    {
      nNeighbors: input.options.n_neighbors,
      minClusterSize: input.options.min_cluster_size,
      maxLayers: input.options.max_layers,
      continuity: earlierLabels(earlier, comments.ids),
      neighbors: cachedNeighbors,
    },
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
    const distance_to_centroid: Record<string, number> = {};
    const cluster_confidence: Record<string, number> = {};
    result.layers.forEach((_, layer) => {
      const distance = distances[layer][i];
      if (distance !== undefined) distance_to_centroid[`layer${layer}`] = distance;
      cluster_confidence[`layer${layer}`] = round6(result.confidence[layer][i]);
    });
    const fields = { job_id: input.job_id, conversation_id: input.conversation_id, comment_id: id, is_outlier: result.outliers[i], distance_to_centroid, cluster_confidence };
    return encodeAssignment(fields, result.layers.map((labels) => labels[i]));
  });

  const cluster_layers = result.layers.map((labels, layer) => {
    const clusters = membersByCluster(labels).size;
    const outliers = result.outliers.filter(Boolean).length;
    return {
      layer_id: layer,
      num_clusters: clusters,
      noise_share: 0,
      outlier_share: round6(outliers / labels.length),
      description: `${layer === 0 ? 'finest' : layer === result.layers.length - 1 ? 'coarsest' : 'intermediate'} layer: ${clusters} cluster${clusters === 1 ? '' : 's'}, ${outliers} outlier${outliers === 1 ? '' : 's'} attached`,
    };
  });

  // Each topic's uid, carried over from the earlier job's topic it continues (./lineage.ts, docs/lineage.md).
  const { uidFields } = await recordLineage(repository, { job_id: input.job_id, conversation_id: input.conversation_id, compare_to }, { ...comments, layers: result.layers }, earlier);
  rows.forEach((row, i) => Object.assign(row, uidFields(i)));
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
