/**
 * What the report shows, and how it is read from a job's rows. ReportData is plain JSON: the page
 * embeds it as is, and the browser script (client/) draws everything from it.
 */
import type { ClusterVoteFeatures } from '../algorithms/features';
import type { TopicGroupVotes } from '../algorithms/groups';
import { defaultSinceJob, readJobChanges } from '../changes';
import type { JobRecord } from '../contract/job';
import { assignmentClusterIds } from '../contract/rows';
import { NoEarlierJobError } from '../errors';
import type { Item, Repository } from '../repository';
import { readJobTopics, type Topic } from '../results';
import { samplePoints } from './sample';

export interface VoteCounts {
  agree: number;
  disagree: number;
  pass: number;
}

export interface ReportComment {
  id: number;
  text: string;
  /** UMAP position. */
  x: number;
  y: number;
  /** Cluster id per layer (index = layer_id, 0 finest); -1 is noise. */
  labels: number[];
  votes?: VoteCounts;
}

/** A topic's vote features, as ComputeFeatures stores them. */
export type TopicVotes = ClusterVoteFeatures;

export interface ReportTopic {
  /** cluster_key, `layer{L}_{C}`. */
  key: string;
  cluster_id: number;
  name: string;
  provider?: string;
  model?: string;
  size: number;
  /** size / all comments of the job (noise included). */
  share: number;
  keywords: string[];
  centroid: { x: number; y: number };
  representatives: string[];
  votes?: TopicVotes;
  /** How each Polis opinion group voted on the topic; only when the source has groups. */
  groups?: TopicGroupVotes;
  parent?: string;
  children: string[];
}

export interface ReportLayer {
  layer_id: number;
  /** Largest first. */
  topics: ReportTopic[];
}

/** Quality figures of one layer (the job record's `evaluation`, when the job has one). */
export interface LayerQuality {
  layer_id: number;
  clusters?: number;
  noise_share?: number;
  silhouette?: number;
  diversity?: number;
  coherence?: number;
}

export interface ReportJob {
  job_id: string;
  conversation_id: string;
  status: string;
  title?: string;
  url?: string;
  created_at?: string;
  completed_at?: string;
  num_comments: number;
  moderated_out?: number;
  has_votes: boolean;
  /** Polis opinion groups in the source; 0 or absent = none. */
  opinion_groups?: number;
  embedding: { provider?: string; model?: string };
  /** Share of the comments per language (ISO 639-1), largest first; absent in jobs made before it. */
  languages?: Record<string, number>;
  error?: { type?: string; cause?: string; step?: string };
  quality?: LayerQuality[];
  /** When the map shows a sample of the comments (shared/report/sample.ts): how many; num_comments counts all. */
  points_shown?: number;
}

/** What changed since the job's earlier job (shared/changes.ts), in brief. */
export interface ReportChanges {
  job_id: string;
  date?: string;
  num_comments?: number;
  comments: { new: number; changed: number; gone: number };
  layers: Array<{
    layer_id: number;
    topics: number;
    uids_kept: number;
    counts: Record<'same' | 'grown' | 'shrunk' | 'split' | 'merged' | 'new' | 'gone', number>;
    /** The topics that are not `same` (largest first within each status), then the gone ones. */
    changed: Array<{ status: string; name: string; size: number }>;
  }>;
}

export interface ReportData {
  job: ReportJob;
  /** Present when the conversation has an earlier COMPLETED job. */
  since?: ReportChanges;
  /** In comment_id order. Empty unless the job is COMPLETED. */
  comments: ReportComment[];
  /** Finest first. Empty unless the job is COMPLETED. */
  layers: ReportLayer[];
}

const REPRESENTATIVES = 3;
const KEYWORDS = 8;
/** UMAP coordinates are shown on a screen: 4 decimals are far below a pixel and keep the file small. */
const round4 = (value: number) => Math.round(value * 1e4) / 1e4;

/** Reads everything the report of a job shows. Throws JobNotFoundError for an unknown job_id. */
export async function loadReportData(repository: Repository, jobId: string, options: { maxPoints?: number } = {}): Promise<ReportData> {
  const { job, layers } = await readJobTopics(repository, jobId);
  const reportJob = toReportJob(job);
  if (job.status !== 'COMPLETED') return { job: reportJob, comments: [], layers: [] };

  // Only what the page shows: no vectors, no graph edges.
  const [embeddings, assignments, graph] = await Promise.all([
    repository.queryByJob('embeddings', jobId, { attributes: ['comment_id', 'comment_text', 'votes'] }),
    repository.queryByJob('assignments', jobId),
    repository.queryByJob('graph', jobId, { where: { is_node: true }, attributes: ['source_id', 'position'] }),
  ]);
  const positions = new Map<number, { x: number; y: number }>();
  for (const row of graph) if (row.position) positions.set(row.source_id, row.position);
  const labelsById = new Map(assignments.map((row) => [Number(row.comment_id), row]));
  // Every layer of the assignments, including one where every comment is noise (it has no topics).
  const layerCount = Math.max(Number(assignments[0]?.layer_count ?? 0), ...layers.map((layer) => layer.layer_id + 1));
  const topicsByLayer = new Map(layers.map((layer) => [layer.layer_id, layer.topics]));

  const comments: ReportComment[] = [];
  for (const row of embeddings) {
    const id = Number(row.comment_id);
    const position = positions.get(id);
    const assignment = labelsById.get(id);
    // A comment without a position or an assignment cannot be placed; a completed job has none.
    if (!position || !assignment) continue;
    const clusterIds = assignmentClusterIds(assignment);
    const comment: ReportComment = {
      id,
      text: String(row.comment_text ?? ''),
      x: round4(position.x),
      y: round4(position.y),
      labels: Array.from({ length: layerCount }, (_, layer) => clusterIds[layer] ?? -1),
    };
    const votes = row.votes;
    if (votes) comment.votes = { agree: Number(votes.agree ?? 0), disagree: Number(votes.disagree ?? 0), pass: Number(votes.pass ?? 0) };
    comments.push(comment);
  }
  const shown = samplePoints(comments, options.maxPoints);
  return {
    job: { ...reportJob, num_comments: comments.length, ...(shown.length < comments.length ? { points_shown: shown.length } : {}) },
    ...(await sinceEarlierJob(repository, jobId)),
    comments: shown,
    layers: Array.from({ length: layerCount }, (_, layer_id) => ({
      layer_id,
      topics: (topicsByLayer.get(layer_id) ?? []).map((topic) => toReportTopic(topic, comments.length)),
    })),
  };
}

/** The changes since the earlier job, when there is one (an earlier job that is not COMPLETED is none). */
async function sinceEarlierJob(repository: Repository, jobId: string): Promise<{ since?: ReportChanges }> {
  const job = await repository.requireJob(jobId);
  let earlier: JobRecord;
  try {
    earlier = await defaultSinceJob(repository, job);
  } catch (error) {
    if (error instanceof NoEarlierJobError) return {};
    throw error;
  }
  if (earlier.status !== 'COMPLETED') return {};
  const changes = await readJobChanges(repository, job, earlier);
  const named = (topic: { name: string | null; cluster_key: string }) => topic.name ?? topic.cluster_key;
  return {
    since: {
      job_id: changes.since.job_id,
      date: changes.since.completed_at ?? changes.since.created_at,
      num_comments: changes.since.num_comments,
      comments: changes.comments,
      layers: changes.layers.map((layer) => ({
        layer_id: layer.layer_id,
        topics: layer.topics,
        uids_kept: layer.uids_kept,
        counts: layer.counts,
        changed: [
          ...Object.values(layer.changed).flatMap((topics) => topics.map((topic) => ({ status: topic.status, name: named(topic), size: topic.size }))),
          ...layer.gone.map((topic) => ({ status: 'gone', name: named(topic), size: topic.size })),
        ],
      })),
    },
  };
}

function toReportTopic(topic: Topic, totalComments: number): ReportTopic {
  const features = topic.features;
  const votes = features?.votes;
  const groups = features?.group_votes;
  const representatives = (features?.sample_comments ?? topic.sample_comments).slice(0, REPRESENTATIVES);
  return {
    key: topic.cluster_key,
    cluster_id: topic.cluster_id,
    name: topic.topic_name ?? (topic.keywords.length ? topic.keywords.slice(0, 3).join(', ') : topic.cluster_key),
    provider: topic.provider,
    model: topic.model_name,
    size: topic.size,
    share: topic.share ?? (totalComments ? topic.size / totalComments : 0),
    keywords: topic.keywords.slice(0, KEYWORDS),
    centroid: { x: round4(topic.centroid?.x ?? 0), y: round4(topic.centroid?.y ?? 0) },
    representatives,
    ...(votes ? { votes } : {}),
    ...(groups ? { groups } : {}),
    ...(topic.parent_cluster ? { parent: topic.parent_cluster } : {}),
    children: topic.child_clusters,
  };
}

function toReportJob(job: JobRecord): ReportJob {
  const metadata = job.metadata ?? {};
  const filtering = job.source_filtering;
  const error = job.error;
  const quality = readQuality(job.evaluation);
  return {
    job_id: String(job.job_id),
    conversation_id: String(job.conversation_id),
    status: String(job.status ?? 'UNKNOWN'),
    ...(metadata.title ? { title: metadata.title } : {}),
    ...(metadata.url ? { url: metadata.url } : {}),
    ...(job.created_at ? { created_at: String(job.created_at) } : {}),
    ...(job.completed_at ? { completed_at: String(job.completed_at) } : {}),
    num_comments: Number(job.num_comments ?? 0),
    ...(filtering?.moderated_out !== undefined ? { moderated_out: Number(filtering.moderated_out) } : {}),
    has_votes: Boolean(job.has_votes),
    ...(job.opinion_groups ? { opinion_groups: Number(job.opinion_groups) } : {}),
    embedding: {
      provider: job.embedding_provider,
      model: job.embedding_model,
    },
    ...(job.language_shares && typeof job.language_shares === 'object' ? { languages: languageShares(job.language_shares) } : {}),
    ...(error ? { error } : {}),
    ...(quality ? { quality } : {}),
  };
}

/** The job's `language_shares`: numeric shares only, largest first. */
function languageShares(value: object): Record<string, number> {
  const entries = Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]));
  return Object.fromEntries(entries.sort((a, b) => b[1] - a[1]));
}

/**
 * The job's `evaluation` attribute, per layer: a list of `{layer_id, clusters, noise_share,
 * silhouette, topic_diversity, npmi_coherence}` (shared/steps/evaluate.ts), or a map keyed by layer.
 * Unknown fields are ignored; absent or unreadable means no quality block.
 */
export function readQuality(evaluation: unknown): LayerQuality[] | undefined {
  if (!isRecord(evaluation)) return undefined;
  const entries: Array<[string | undefined, unknown]> = Array.isArray(evaluation)
    ? evaluation.map((entry) => [undefined, entry])
    : Object.entries(evaluation);
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  const layers: LayerQuality[] = [];
  entries.forEach(([key, entry], index) => {
    if (!isRecord(entry)) return;
    const fromKey = typeof key === 'string' ? Number(key.replace(/^layer/, '')) : undefined;
    const layer_id = number(entry.layer_id) ?? (Number.isInteger(fromKey) ? fromKey! : index);
    const quality: LayerQuality = { layer_id };
    const fields: Array<[Exclude<keyof LayerQuality, 'layer_id'>, unknown]> = [
      ['clusters', entry.clusters ?? entry.num_clusters],
      ['noise_share', entry.noise_share],
      ['silhouette', entry.silhouette],
      ['diversity', entry.topic_diversity ?? entry.diversity],
      ['coherence', entry.npmi_coherence ?? entry.coherence],
    ];
    for (const [field, value] of fields) {
      const read = number(value);
      if (read !== undefined) quality[field] = read;
    }
    if (Object.keys(quality).length > 1) layers.push(quality);
  });
  return layers.length ? layers.sort((a, b) => a.layer_id - b.layer_id) : undefined;
}

/** A JSON object (or array): what a tolerant reader of a stored attribute may look into. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
