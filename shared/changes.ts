/**
 * What changed between two jobs of a conversation (docs/lineage.md), for `delphi diff`, the API's
 * GET /jobs/{job_id}/changes and the report: per layer the topics that are new, grown, shrunk, split,
 * merged or gone, and the comments added since the earlier job with the topics they went to.
 * Computed from the two jobs' assignments with the same matching NameTopics stores, so any two jobs
 * can be compared, not only a job and the one it was matched with.
 */
import type { LineageStatus } from './algorithms/lineage';
import { InvalidInputError, NoEarlierJobError } from './errors';
import type { JobRecord } from './contract/job';
import type { Repository } from './repository';
import { compareJobs, previousCompletedJob, storedTopicUid, type JobLineageSummary } from './steps/lineage';
import { clusterKey } from './steps/jobData';

export interface TopicRef {
  cluster_key: string;
  topic_uid: string;
  name: string | null;
  size: number;
}

export interface TopicChange extends TopicRef {
  status: LineageStatus;
  /** The earlier topics it comes from, most shared first. */
  previous: Array<TopicRef & { shared: number; overlap: number }>;
  /** Jaccard overlap with the earlier topic it continues (0 for a new topic). */
  overlap: number;
  new_comments: number;
}

export interface GoneTopicChange extends TopicRef {
  went_to: Array<{ cluster_key: string; name: string | null; shared: number }>;
}

export interface LayerChanges {
  layer_id: number;
  topics: number;
  /** Topics that carry an earlier topic's uid. */
  uids_kept: number;
  counts: Record<LineageStatus | 'gone', number>;
  /** Every topic that is not `same`, by status, largest first. */
  changed: Record<Exclude<LineageStatus, 'same'>, TopicChange[]>;
  gone: GoneTopicChange[];
}

export interface JobSide {
  job_id: string;
  status: string;
  created_at?: string;
  completed_at?: string;
  num_comments?: number;
}

export interface JobChanges {
  job: JobSide;
  since: JobSide;
  comments: { new: number; changed: number; gone: number };
  /** Comments of the job that the earlier job did not have, with their topic in every layer (null = noise). */
  new_comments: Array<{ comment_id: number; text: string; topics: Array<{ layer_id: number; cluster_key: string | null; name: string | null }> }>;
  layers: LayerChanges[];
}

const side = (job: JobRecord): JobSide => ({
  job_id: job.job_id,
  status: job.status,
  created_at: job.created_at,
  completed_at: job.completed_at,
  num_comments: job.num_comments,
});

/**
 * The job a job is compared with when none is named: the one its NameTopics matched it with, else the
 * previous COMPLETED job of its conversation.
 */
export async function defaultSinceJob(repository: Repository, job: JobRecord): Promise<JobRecord> {
  const recorded = job.lineage?.compared_to;
  const found = recorded ? await repository.getJob(recorded) : await previousCompletedJob(repository, job);
  if (!found) throw new NoEarlierJobError(`Job ${job.job_id} has no earlier COMPLETED job in conversation ${job.conversation_id} to compare with`);
  return found;
}

async function topicIndex(repository: Repository, jobId: string) {
  const [clusters, names] = await Promise.all([
    repository.queryByJob('keywords', jobId, { attributes: ['cluster_key', 'layer_id', 'cluster_id', 'size', 'topic_uid'] }),
    repository.queryByJob('topicNames', jobId, { attributes: ['cluster_key', 'topic_name'] }),
  ]);
  const nameByKey = new Map(names.map((row) => [row.cluster_key, row.topic_name]));
  const byKey = new Map(
    clusters.map((row) => [
      row.cluster_key,
      { cluster_key: row.cluster_key, topic_uid: storedTopicUid(jobId, row), name: nameByKey.get(row.cluster_key) ?? null, size: row.size },
    ]),
  );
  return (layer: number, cluster: number): TopicRef =>
    byKey.get(clusterKey(layer, cluster)) ?? { cluster_key: clusterKey(layer, cluster), topic_uid: storedTopicUid(jobId, { layer_id: layer, cluster_id: cluster }), name: null, size: 0 };
}

/** The changes of `job` since `since` (both job records; the caller checks they are COMPLETED). */
export async function readJobChanges(repository: Repository, job: JobRecord, since: JobRecord): Promise<JobChanges> {
  if (job.conversation_id !== since.conversation_id) {
    throw new InvalidInputError(
      `Job ${since.job_id} belongs to conversation ${since.conversation_id}, not ${job.conversation_id}: only jobs of one conversation can be compared`,
    );
  }
  const jobId = job.job_id;
  const sinceId = since.job_id;
  const [comparison, current, previous, texts] = await Promise.all([
    compareJobs(repository, jobId, sinceId),
    topicIndex(repository, jobId),
    topicIndex(repository, sinceId),
    repository.queryByJob('embeddings', jobId, { attributes: ['comment_id', 'comment_text'] }),
  ]);
  const layers: LayerChanges[] = comparison.layers.map((lineage, layer) => {
    const counts = { same: 0, grown: 0, shrunk: 0, split: 0, merged: 0, new: 0, gone: lineage.gone.length };
    const changed: LayerChanges['changed'] = { new: [], grown: [], shrunk: [], split: [], merged: [] };
    let uids_kept = 0;
    for (const topic of lineage.topics) {
      counts[topic.status]++;
      if (topic.matched !== undefined) uids_kept++;
      if (topic.status === 'same') continue;
      changed[topic.status].push({
        ...current(layer, topic.cluster_id),
        size: topic.size,
        status: topic.status,
        previous: topic.previous.map((link) => ({ ...previous(layer, link.cluster_id), shared: link.shared, overlap: link.overlap })),
        overlap: topic.overlap,
        new_comments: topic.new_comments,
      });
    }
    for (const list of Object.values(changed)) list.sort((a, b) => b.size - a.size);
    const gone = lineage.gone.map((topic) => ({
      ...previous(layer, topic.cluster_id),
      size: topic.size,
      went_to: topic.went_to.map((to) => ({ cluster_key: clusterKey(layer, to.cluster_id), name: current(layer, to.cluster_id).name, shared: to.shared })),
    }));
    return { layer_id: layer, topics: lineage.topics.length, uids_kept, counts, changed, gone };
  });
  const textOf = new Map(texts.map((row) => [row.comment_id, row.comment_text]));
  const new_comments = comparison.comments.added.map((id) => ({
    comment_id: id,
    text: textOf.get(id) ?? '',
    topics: comparison.assignments.map((assignment, layer) => {
      const cluster = assignment.get(id) ?? -1;
      return cluster < 0
        ? { layer_id: layer, cluster_key: null, name: null }
        : { layer_id: layer, cluster_key: clusterKey(layer, cluster), name: current(layer, cluster).name };
    }),
  }));
  return {
    job: side(job),
    since: side(since),
    comments: { new: comparison.comments.added.length, changed: comparison.comments.changed.length, gone: comparison.comments.removed.length },
    new_comments,
    layers,
  };
}
