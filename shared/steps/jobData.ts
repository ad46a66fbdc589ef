/** Readers of what earlier steps persisted for a job, shared by the later steps. */
import type { GroupTallies } from '../algorithms/groups';
import { detectLanguages } from '../algorithms/language';
import { assignmentClusterIds, embeddingVector } from '../contract/rows';
import { InvalidInputError } from '../errors';
import type { Repository } from '../repository';

/**
 * Comment ids in the order a reader returns its rows in; a promise of them lets the reader's query
 * start before the comments have arrived, so a step's reads run side by side.
 */
export type CommentIds = number[] | PromiseLike<number[]>;

export interface JobComments {
  ids: number[];
  texts: string[];
  vectors: Float32Array[];
  votes: Array<{ agree: number; disagree: number; pass: number } | undefined>;
  /** Per Polis opinion group; all undefined when the source has no groups. */
  group_votes: Array<GroupTallies | undefined>;
  /** Each comment's language as Embed stored it; undefined when a row lacks one (written before languages). */
  languages?: string[];
}

export async function readComments(repository: Repository, jobId: string): Promise<JobComments> {
  const rows = await repository.queryByJob('embeddings', jobId);
  if (rows.length === 0) {
    throw new InvalidInputError(`Job ${jobId} has no embeddings: run the Embed step first`);
  }
  const languages = rows.map((row) => row.language);
  return {
    ids: rows.map((row) => row.comment_id),
    texts: rows.map((row) => row.comment_text),
    vectors: rows.map(embeddingVector),
    votes: rows.map((row) => row.votes),
    group_votes: rows.map((row) => row.group_votes),
    languages: languages.every((code): code is string => code !== undefined) ? languages : undefined,
  };
}

/**
 * Each comment's language: as Embed stored it, else (rows written before languages were stored)
 * detected again from the texts by the same deterministic detection.
 */
export function commentLanguages(comments: Pick<JobComments, 'texts' | 'languages'>): string[] {
  return comments.languages ?? detectLanguages(comments.texts).languages;
}

/** UMAP positions in the order of `ids` (node rows of Delphi_UMAPGraph). */
export async function readPositions(repository: Repository, jobId: string, ids: CommentIds): Promise<number[][]> {
  // Node rows only, few attributes: the edges are three quarters of the graph table.
  const reading = repository.queryByJob('graph', jobId, { where: { is_node: true }, attributes: ['source_id', 'position'] });
  const [rows, order] = await Promise.all([reading, ids]);
  const byId = new Map(rows.map((row) => [row.source_id, row]));
  const nodes = order.map((id) => {
    const row = byId.get(id);
    if (!row) throw new InvalidInputError(`Job ${jobId} has no UMAP position for comment ${id}: run ProjectUmap first`);
    return row;
  });
  return nodes.map(({ position }) => {
    if (!position) throw new InvalidInputError(`Job ${jobId} has a UMAP node without a position: run ProjectUmap again`);
    return [position.x, position.y];
  });
}

/** Cluster labels per layer (layers[0] finest) in the order of `ids`. */
export async function readLayers(repository: Repository, jobId: string, ids: CommentIds): Promise<number[][]> {
  const [rows, order] = await Promise.all([repository.queryByJob('assignments', jobId), ids]);
  const byId = new Map(rows.map((row) => [row.comment_id, assignmentClusterIds(row)]));
  const layerCount = rows[0]?.layer_count ?? 0;
  if (layerCount === 0) throw new InvalidInputError(`Job ${jobId} has no cluster assignments: run Cluster first`);
  const perComment = order.map((id) => {
    const clusters = byId.get(id);
    if (!clusters) throw new InvalidInputError(`Job ${jobId} has no cluster assignment for comment ${id}: run Cluster again`);
    return clusters;
  });
  return Array.from({ length: layerCount }, (_, layer) => perComment.map((clusters) => clusters[layer]));
}

/** Comments with their 2-D positions and cluster layers, in the same order; the three queries run at once. */
export async function readClusteredComments(repository: Repository, jobId: string) {
  const reading = readComments(repository, jobId);
  const ids = reading.then((comments) => comments.ids);
  const [comments, positions, layers] = await Promise.all([reading, readPositions(repository, jobId, ids), readLayers(repository, jobId, ids)]);
  return { comments, positions, layers };
}

export function clusterKey(layer: number, cluster: number): string {
  return `layer${layer}_${cluster}`;
}

/** Member indices of each cluster id of one layer (noise -1 excluded), in ascending cluster id order. */
export function membersByCluster(labels: ArrayLike<number>): Map<number, number[]> {
  const members = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label < 0) continue;
    const list = members.get(label) ?? [];
    list.push(i);
    members.set(label, list);
  }
  return new Map([...members].sort((a, b) => a[0] - b[0]));
}
