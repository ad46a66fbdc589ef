/**
 * Topic lineage of a job against an earlier job of the same conversation (docs/lineage.md): which
 * earlier topic each topic continues, its stable `topic_uid`, and which comments are new. NameTopics
 * Cluster runs it and stores the result on the job record; the later steps copy each topic's uid and
 * lineage onto their rows, and NameTopics lets a topic whose members did not change keep its name.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors';
import { assertJobId } from '../jobId';
import {
  carryUids,
  commentChanges,
  matchLayers,
  type CommentChanges,
  type LayerAssignment,
  type LayerLineage,
  type LineageStatus,
} from '../algorithms/lineage';
import type { JobLineage, JobRecord } from '../contract/job';
import { layerClusterKey, type AssignmentRow, type KeywordRow, type TopicLineage } from '../contract/rows';
import type { Item, Repository } from '../repository';
import { clusterKey } from './jobData';

/** A job's cluster assignments per layer (finest first) and its comments' texts. */
interface JobMembers {
  layers: LayerAssignment[];
  texts: Map<number, string>;
}

async function readMembers(repository: Repository, jobId: string, assignments?: AssignmentRow[]): Promise<JobMembers> {
  const [rows, comments] = await Promise.all([
    assignments ?? repository.queryByJob('assignments', jobId),
    repository.queryByJob('embeddings', jobId, { attributes: ['comment_id', 'comment_text'] }),
  ]);
  const layerCount = rows[0]?.layer_count ?? 0;
  if (layerCount === 0) throw new InvalidInputError(`Job ${jobId} has no cluster assignments to compare: it has not been clustered`);
  const layers = Array.from({ length: layerCount }, (_, layer) => new Map(rows.map((row) => [row.comment_id, row[layerClusterKey(layer)]])));
  return { layers, texts: new Map(comments.map((row) => [row.comment_id, row.comment_text])) };
}

export interface JobComparison {
  job_id: string;
  previous_job_id: string;
  /** One entry per layer of the job, finest first. */
  layers: LayerLineage[];
  comments: CommentChanges;
  /** Cluster assignments of the job's comments (layer → comment id → cluster id). */
  assignments: LayerAssignment[];
}

/** Compares a job's topics with another job's, by their members (read from the assignments). */
export async function compareJobs(repository: Repository, jobId: string, previousJobId: string, assignments?: AssignmentRow[]): Promise<JobComparison> {
  const [current, previous] = await Promise.all([readMembers(repository, jobId, assignments), readMembers(repository, previousJobId)]);
  return {
    job_id: jobId,
    previous_job_id: previousJobId,
    layers: matchLayers(previous.layers, current.layers),
    comments: commentChanges(previous.texts, current.texts),
    assignments: current.layers,
  };
}

/**
 * The uid of a topic first seen in this job: derived from where it was first seen, so a re-run of
 * the step gives the same uid; opaque to consumers.
 */
export function newTopicUid(jobId: string, layer: number, clusterId: number): string {
  return `topic_${createHash('sha256').update(`${jobId}#${layer}#${clusterId}`).digest('hex').slice(0, 16)}`;
}

/** A stored cluster row's uid; jobs from before lineage have none and get the rule's. */
export function storedTopicUid(jobId: string, row: Pick<KeywordRow, 'layer_id' | 'cluster_id' | 'topic_uid'>): string {
  return row.topic_uid ?? newTopicUid(jobId, row.layer_id, row.cluster_id);
}

/**
 * Checks an explicit `options.compare_to`: a job of the same conversation, not the job itself.
 * MarkRunning calls it so that a wrong id fails the job before any work; NameTopics also requires
 * the job to be COMPLETED by then.
 */
export async function checkComparedJob(
  repository: Repository,
  jobId: string,
  conversationId: string,
  compareTo: string,
  { mustBeCompleted }: { mustBeCompleted: boolean },
): Promise<JobRecord> {
  assertJobId(compareTo);
  if (compareTo === jobId) throw new InvalidInputError(`options.compare_to names the job itself (${jobId}): name an earlier job of conversation ${conversationId}`);
  const job = await repository.getJob(compareTo);
  if (!job) throw new InvalidInputError(`options.compare_to: no job ${compareTo} exists`);
  if (job.conversation_id !== conversationId) {
    throw new InvalidInputError(`options.compare_to: job ${compareTo} belongs to conversation ${String(job.conversation_id)}, not ${conversationId}`);
  }
  if (mustBeCompleted && job.status !== 'COMPLETED') {
    throw new InvalidInputError(`options.compare_to: job ${compareTo} is ${String(job.status)}; only a COMPLETED job can be compared with`);
  }
  return job;
}

/** The newest COMPLETED job of the conversation created before `job` (ConversationIdIndex, newest first). */
export async function previousCompletedJob(repository: Repository, job: Pick<JobRecord, 'job_id' | 'conversation_id' | 'created_at'>): Promise<JobRecord | undefined> {
  let startKey: Item | undefined;
  do {
    const page = await repository.queryByConversation('config', String(job.conversation_id), { newestFirst: true, limit: 25, startKey });
    const found = page.items.find(
      (other) => other.job_id !== job.job_id && other.status === 'COMPLETED' && String(other.created_at) <= String(job.created_at),
    );
    if (found) return found;
    startKey = page.lastKey;
  } while (startKey);
  return undefined;
}

/** The lineage stored on a cluster row (keywords, topic names) and the summary on the job record. */
export type TopicLineageRecord = TopicLineage;
export type JobLineageSummary = Omit<JobLineage, 'topics'>;

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
const STATUSES: LineageStatus[] = ['same', 'grown', 'shrunk', 'split', 'merged', 'new'];

/** A topic's lineage as stored on the job record and copied to its keyword and topic-name rows. */
export type StoredTopicLineage = TopicLineage & { topic_uid: string };

/** The earlier job to compare with: options.compare_to, else the one an earlier attempt chose, else the previous COMPLETED job. */
async function earlierJob(repository: Repository, record: JobRecord, compareTo?: string): Promise<JobRecord | undefined> {
  const pinned = record.lineage;
  if (compareTo) return checkComparedJob(repository, record.job_id, record.conversation_id, compareTo, { mustBeCompleted: true });
  // A retry or redrive compares with the job the first attempt chose, even if another completed since.
  if (pinned) return pinned.compared_to ? repository.requireJob(pinned.compared_to) : undefined;
  return previousCompletedJob(repository, record);
}

/** The earlier job a job is compared with (none for a conversation's first) and its topics' members. */
export interface EarlierJob {
  previous?: JobRecord;
  before?: JobMembers;
}

export async function readEarlierJob(repository: Repository, job: { job_id: string; compare_to?: string }): Promise<EarlierJob> {
  const record = await repository.requireJob(job.job_id);
  const previous = await earlierJob(repository, record, job.compare_to);
  return previous ? { previous, before: await readMembers(repository, String(previous.job_id)) } : {};
}

/** The earlier job's layers as labels in the order of `ids` (−1: a comment it did not have), for clusterLayers' continuity. */
export function earlierLabels(earlier: EarlierJob, ids: readonly number[]): number[][] | undefined {
  return earlier.before?.layers.map((layer) => ids.map((id) => layer.get(id) ?? -1));
}

/** Every topic of a layer as `new`: the lineage of a layer with nothing to compare with. */
function allNew(labels: number[]): LayerLineage {
  const sizes = new Map<number, number>();
  for (const label of labels) if (label >= 0) sizes.set(label, (sizes.get(label) ?? 0) + 1);
  const topics = [...sizes]
    .sort((a, b) => a[0] - b[0])
    .map(([cluster_id, size]) => ({ cluster_id, size, status: 'new' as const, previous: [], overlap: 0, kept: 0, inherited: 0, new_comments: size }));
  return { topics, gone: [] };
}

/**
 * Cluster's part: matches the job's new layers (labels per comment, finest first) with the earlier
 * job's, stores the result as `lineage` on the job record, and returns each comment's
 * `layer<L>_topic_uid` attributes for its assignment row. ExtractKeywords, ComputeFeatures and
 * NameTopics copy the stored uids and lineage onto their rows (readTopicLineage).
 */
export async function recordLineage(
  repository: Repository,
  job: { job_id: string; conversation_id: string; compare_to?: string },
  current: { ids: number[]; texts: string[]; layers: number[][] },
  earlier?: EarlierJob,
): Promise<{ uidFields(index: number): Record<string, string>; lineage: JobLineage }> {
  const { previous, before } = earlier ?? (await readEarlierJob(repository, job));
  const previousId = previous ? String(previous.job_id) : null;
  const [previousClusters, previousNames] = previousId
    ? await Promise.all([
        repository.queryByJob('keywords', previousId, { attributes: ['cluster_key', 'layer_id', 'cluster_id', 'topic_uid'] }),
        repository.queryByJob('topicNames', previousId, { attributes: ['cluster_key', 'topic_name'] }),
      ])
    : ([[], []] as const);
  const layers = current.layers.map((labels) => new Map(current.ids.map((id, i) => [id, labels[i]])));
  const layerLineage = before ? matchLayers(before.layers, layers) : undefined;
  const changes = before ? commentChanges(before.texts, new Map(current.ids.map((id, i) => [id, current.texts[i]]))) : undefined;

  const previousByKey = new Map(previousClusters.map((row) => [String(row.cluster_key), row]));
  const previousUid = (layer: number, cluster: number) => {
    const row = previousByKey.get(clusterKey(layer, cluster));
    return row ? storedTopicUid(previousId!, row) : newTopicUid(previousId!, layer, cluster);
  };
  const nameOf = new Map(previousNames.map((row) => [String(row.cluster_key), String(row.topic_name)]));
  const lineage: JobLineage = {
    compared_to: previousId,
    ...(previous ? { compared_created_at: String(previous.created_at) } : {}),
    ...(changes ? { comments: { new: changes.added.length, changed: changes.changed.length, gone: changes.removed.length } } : {}),
    layers: [],
    gone_topics: [],
    topics: {},
  };
  current.layers.forEach((labels, layer) => {
    const counts = Object.fromEntries([...STATUSES, 'gone'].map((status) => [status, 0])) as Record<LineageStatus | 'gone', number>;
    const matched = layerLineage?.[layer] ?? allNew(labels);
    const previousUids = new Map(
      [...new Set(matched.topics.flatMap((topic) => topic.previous.map((link) => link.cluster_id)))].map((id) => [id, previousUid(layer, id)]),
    );
    const uids = carryUids(matched, previousUids, (cluster) => newTopicUid(job.job_id, layer, cluster));
    let uids_kept = 0;
    for (const topic of matched.topics) {
      counts[topic.status]++;
      if (topic.matched !== undefined) uids_kept++;
      lineage.topics[clusterKey(layer, topic.cluster_id)] = {
        topic_uid: uids.get(topic.cluster_id)!,
        status: topic.status,
        compared_to: previousId,
        ...(topic.matched !== undefined ? { matched: clusterKey(layer, topic.matched) } : {}),
        previous: topic.previous.map((link) => ({
          cluster_key: clusterKey(layer, link.cluster_id),
          topic_uid: previousUids.get(link.cluster_id)!,
          shared: link.shared,
          overlap: round4(link.overlap),
        })),
        overlap: round4(topic.overlap),
        kept: round4(topic.kept),
        inherited: round4(topic.inherited),
        new_comments: topic.new_comments,
      };
    }
    for (const gone of matched.gone) {
      counts.gone++;
      const key = clusterKey(layer, gone.cluster_id);
      lineage.gone_topics.push({ layer_id: layer, cluster_key: key, topic_uid: previousUid(layer, gone.cluster_id), ...(nameOf.has(key) ? { topic_name: nameOf.get(key) } : {}), size: gone.size });
    }
    lineage.layers.push({ layer_id: layer, topics: matched.topics.length, uids_kept, ...counts });
  });
  await repository.updateJob(job.job_id, job.conversation_id, { lineage });
  return {
    lineage,
    uidFields: (index) => {
      const fields: Record<string, string> = {};
      current.layers.forEach((labels, layer) => {
        const found = labels[index] >= 0 ? lineage.topics[clusterKey(layer, labels[index])] : undefined;
        if (found) fields[`layer${layer}_topic_uid`] = found.topic_uid;
      });
      return fields;
    },
  };
}

/** The uid and lineage Cluster stored for each topic of the job (cluster_key → …); empty for a job clustered before lineage. */
export async function readTopicLineage(repository: Repository, jobId: string): Promise<Map<string, StoredTopicLineage>> {
  const job = await repository.requireJob(jobId);
  return new Map(Object.entries(job.lineage?.topics ?? {}));
}

/** `topic_uid` and `lineage` for a cluster row, from readTopicLineage's map (`lineage: false`: the uid only). */
export function lineageFields(topics: ReadonlyMap<string, StoredTopicLineage>, key: string, { lineage: withLineage = true } = {}) {
  const found = topics.get(key);
  if (!found) return {};
  const { topic_uid, ...lineage } = found;
  return withLineage ? { topic_uid, lineage } : { topic_uid };
}
