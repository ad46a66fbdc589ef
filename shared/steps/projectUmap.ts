/**
 * ProjectUmap: embeddings → 2-D positions (node rows) and k-nearest-neighbour edges in UMAP space.
 * The node rows also carry the 5-D clustering space that Cluster clusters: it comes from the same
 * kNN graph as the map, so the kNN and the fuzzy graph are computed once for both.
 */
import { clusteringSpaceLayout } from '../algorithms/clustering';
import { projectUmapLayouts, umapEdges } from '../algorithms/umap';
import type { StepFunction } from '../handler';
import { readComments, round6 } from './jobData';

export const GRAPH_NEIGHBORS = 5;

export const projectUmapStep: StepFunction = async (input, { repository }) => {
  const comments = await readComments(repository, input.job_id);
  const [projection, clusteringSpace] = projectUmapLayouts(
    comments.vectors,
    [{ nComponents: 2, minDist: input.options.min_dist }, clusteringSpaceLayout()],
    { nNeighbors: input.options.n_neighbors, seed: input.options.seed },
  );
  const base = { job_id: input.job_id, conversation_id: input.conversation_id };
  const nodes = comments.ids.map((id, i) => ({
    ...base,
    edge_id: `${id}_${id}`,
    source_id: id,
    target_id: id,
    is_node: true,
    position: { x: round6(projection.positions[i][0]), y: round6(projection.positions[i][1]) },
    clustering_position: clusteringSpace.positions[i].map(round6),
  }));
  const edges = umapEdges(projection.positions, GRAPH_NEIGHBORS).map((edge) => {
    const [a, b] = [comments.ids[edge.source], comments.ids[edge.target]].sort((x, y) => x - y);
    return {
      ...base,
      edge_id: `${a}_${b}`,
      source_id: a,
      target_id: b,
      is_node: false,
      is_nearest_neighbor: true,
      weight: round6(edge.weight),
      distance: round6(edge.distance),
    };
  });
  const { written, deleted } = await repository.replaceJobRows('graph', input.job_id, [...nodes, ...edges]);
  await repository.updateJob(input.job_id, input.conversation_id, { umap_parameters: projection.parameters });
  return {
    rows_written: written,
    rows_deleted: deleted,
    details: { nodes: nodes.length, edges: edges.length },
    adjustments: projection.adjustments,
  };
};
