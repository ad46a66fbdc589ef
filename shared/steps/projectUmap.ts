/**
 * ProjectUmap: embeddings → 2-D positions (node rows) and k-nearest-neighbour edges in UMAP space.
 * The node rows also carry the 5-D clustering space that Cluster clusters: it comes from the same
 * kNN graph as the map, so the kNN and the fuzzy graph are computed once for both, and it is laid out
 * in a worker thread beside the map. The edge rows (three quarters of the rows) are written as soon
 * as the map is done, whether or not the clustering space is.
 */
import { clusteringSpaceLayout } from '../algorithms/clustering';
import { projectUmapLayoutsAsync, umapEdges, type UmapProjection } from '../algorithms/umap';
import type { StepFunction } from '../handler';
import { readComments, round6 } from './jobData';

export const GRAPH_NEIGHBORS = 5;

export const projectUmapStep: StepFunction = async (input, { repository }) => {
  const comments = await readComments(repository, input.job_id);
  const base = { job_id: input.job_id, conversation_id: input.conversation_id };
  const edgeRows = (map: UmapProjection) =>
    umapEdges(map.positions, GRAPH_NEIGHBORS).map((edge) => {
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

  const replacement = await repository.beginReplace('graph', input.job_id);
  let edges: ReturnType<typeof edgeRows> = [];
  let edgesWritten: Promise<void> | undefined;
  const [map, clusteringSpace] = await projectUmapLayoutsAsync(
    comments.vectors,
    [{ nComponents: 2, minDist: input.options.min_dist }, clusteringSpaceLayout()],
    { nNeighbors: input.options.n_neighbors, seed: input.options.seed },
    (index, projection) => {
      if (index !== 0) return;
      edges = edgeRows(projection);
      edgesWritten = replacement.write(edges);
      // Awaited below; until then a failure must not count as an unhandled rejection.
      edgesWritten.catch(() => undefined);
    },
  );
  const nodes = comments.ids.map((id, i) => ({
    ...base,
    edge_id: `${id}_${id}`,
    source_id: id,
    target_id: id,
    is_node: true,
    position: { x: round6(map.positions[i][0]), y: round6(map.positions[i][1]) },
    clustering_position: clusteringSpace.positions[i].map(round6),
  }));
  await edgesWritten;
  await replacement.write(nodes);
  const { written, deleted } = await replacement.finish();
  await repository.updateJob(input.job_id, input.conversation_id, { umap_parameters: map.parameters });
  return {
    rows_written: written,
    rows_deleted: deleted,
    details: { nodes: nodes.length, edges: edges.length },
    adjustments: map.adjustments,
  };
};
