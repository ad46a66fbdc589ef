/**
 * ProjectUmap: embeddings → 2-D positions (node rows) and k-nearest-neighbour edges in UMAP space.
 * The map is for reading; Cluster finds the topics from the embeddings themselves, so the seed that
 * moves the map never moves a topic.
 */
import { projectUmap, umapEdges } from '../algorithms/umap';
import type { StepFunction } from '../handler';
import { round6 } from '../algorithms/rounding';
import { readComments } from './jobData';
import { cachedNeighbors } from './neighborCache';

export const GRAPH_NEIGHBORS = 5;

export const projectUmapStep: StepFunction = async (input, { repository }) => {
  const comments = await readComments(repository, input.job_id);
  const base = { job_id: input.job_id, conversation_id: input.conversation_id };
  const map = projectUmap(comments.vectors, { nComponents: 2, minDist: input.options.min_dist, nNeighbors: input.options.n_neighbors, seed: input.options.seed, neighbors: cachedNeighbors });
  const edges = umapEdges(map.positions, GRAPH_NEIGHBORS).map((edge) => {
    const a = Math.min(comments.ids[edge.source], comments.ids[edge.target]);
    const b = Math.max(comments.ids[edge.source], comments.ids[edge.target]);
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
  const nodes = comments.ids.map((id, i) => ({
    ...base,
    edge_id: `${id}_${id}`,
    source_id: id,
    target_id: id,
    is_node: true,
    position: { x: round6(map.positions[i][0]), y: round6(map.positions[i][1]) },
  }));
  const { written, deleted } = await repository.replaceJobRows('graph', input.job_id, [...edges, ...nodes]);
  await repository.updateJob(input.job_id, input.conversation_id, { umap_parameters: map.parameters });
  return {
    rows_written: written,
    rows_deleted: deleted,
    details: { nodes: nodes.length, edges: edges.length },
    adjustments: map.adjustments,
  };
};
