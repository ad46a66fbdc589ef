/** Read models over a job's rows: its status and its topics, for the CLI, the API and the report. */
import { JobNotFoundError } from './errors';
import { withInterruption } from './jobLease';
import { EXECUTION_ORDER } from './contract/pipeline';
import type { FeatureRow } from './contract/rows';
import type { JobRecord } from './contract/job';
import type { Item, Repository } from './repository';

export interface Topic {
  cluster_key: string;
  layer_id: number;
  cluster_id: number;
  topic_name?: string;
  provider?: string;
  model_name?: string;
  size: number;
  share?: number;
  keywords: string[];
  keyword_scores: number[];
  centroid: { x: number; y: number };
  sample_comments: string[];
  parent_cluster?: string;
  child_clusters: string[];
  features?: FeatureRow;
}

export interface JobTopics {
  job: JobRecord;
  layers: Array<{ layer_id: number; topics: Topic[] }>;
}

/** Topics of a job, by layer (finest first), largest first within a layer. */
export async function readJobTopics(repository: Repository, jobId: string, layer?: number): Promise<JobTopics> {
  const stored = await repository.getJob(jobId);
  if (!stored) throw new JobNotFoundError(jobId);
  const job = withInterruption(stored);
  const [keywords, names, features] = await Promise.all([
    repository.queryByJob('keywords', jobId),
    repository.queryByJob('topicNames', jobId),
    repository.queryByJob('features', jobId),
  ]);
  const nameByKey = new Map(names.map((row) => [row.cluster_key, row]));
  const featuresByKey = new Map(features.map((row) => [row.cluster_key, row]));
  const byLayer = new Map<number, Topic[]>();
  for (const row of keywords) {
    const layerId = row.layer_id;
    if (layer !== undefined && layerId !== layer) continue;
    const key = row.cluster_key;
    const name = nameByKey.get(key);
    const feature = featuresByKey.get(key);
    const topic: Topic = {
      cluster_key: key,
      layer_id: layerId,
      cluster_id: row.cluster_id,
      topic_name: name?.topic_name,
      provider: name?.provider,
      model_name: name?.model_name,
      size: row.size,
      share: feature?.share,
      keywords: row.keywords,
      keyword_scores: row.keyword_scores,
      centroid: row.centroid_coordinates,
      sample_comments: row.sample_comments,
      parent_cluster: row.parent_cluster,
      child_clusters: row.child_clusters,
      features: feature,
    };
    byLayer.set(layerId, [...(byLayer.get(layerId) ?? []), topic]);
  }
  const layers = [...byLayer]
    .sort((a, b) => a[0] - b[0])
    .map(([layer_id, topics]) => ({
      layer_id,
      topics: topics.sort((a, b) => b.size - a.size || a.cluster_id - b.cluster_id),
    }));
  return { job, layers };
}

/** The jobs of a conversation, newest first (ConversationIdIndex on the config table). */
export async function listConversationJobs(
  repository: Repository,
  conversationId: string,
  page: { limit?: number; startKey?: Item } = {},
): Promise<{ jobs: JobRecord[]; lastKey?: Item }> {
  const { items, lastKey } = await repository.queryByConversation('config', conversationId, { newestFirst: true, ...page });
  return { jobs: items.map((job) => withInterruption(job)), lastKey };
}

/** The newest COMPLETED job of a conversation (walks the ConversationIdIndex newest first, a page at a time). */
export async function latestCompletedJob(repository: Repository, conversationId: string): Promise<JobRecord | undefined> {
  let startKey: Item | undefined;
  do {
    const page = await listConversationJobs(repository, conversationId, { limit: 25, startKey });
    const completed = page.jobs.find((job) => job.status === 'COMPLETED');
    if (completed) return completed;
    startKey = page.lastKey;
  } while (startKey);
  return undefined;
}

export interface StepStatus {
  step: string;
  status: string;
  started_at?: string;
  finished_at?: string;
  /** Wall time of a finished step. */
  duration_ms?: number;
  /** Time so far of a step still RUNNING. */
  elapsed_ms?: number;
  rows_written?: number;
  rows_deleted?: number;
  error?: unknown;
}

export interface JobStatus {
  job_id: string;
  conversation_id: string;
  status: string;
  current_step?: string;
  error?: { step?: string; type?: string; cause?: string };
  execution_name?: string;
  execution_arn?: string;
  source?: string;
  parameters?: JobRecord['parameters'];
  created_at?: string;
  started_at?: string;
  completed_at?: string;
  failed_at?: string;
  updated_at?: string;
  /** From start to COMPLETED/FAILED, or to now while RUNNING. */
  duration_ms?: number;
  /** One entry per pipeline step (per item of a fanned-out step, `EmbedBatches#0` …), in pipeline order, for those that started. */
  steps: StepStatus[];
  step_timings_ms: Record<string, number>;
  /** Rows per table: recorded by MarkCompleted, counted live (Query COUNT) before that. */
  counts: Record<string, number>;
  num_comments?: number;
  cluster_layers?: JobRecord['cluster_layers'];
  warnings: string[];
  adjustments: string[];
}

const msBetween = (from: unknown, to: unknown) =>
  typeof from === 'string' && typeof to === 'string' ? Math.max(0, Date.parse(to) - Date.parse(from)) : undefined;

/** A job record as a status: steps in pipeline order with their timings, and rows per table. */
export async function describeJob(repository: Repository, stored: JobRecord, now = new Date()): Promise<JobStatus> {
  const job = withInterruption(stored, now);
  const recorded = job.steps ?? {};
  // Pipeline order, each fan-out state after the step that plans it; a Map's items are `<State>#<item>`.
  const order = EXECUTION_ORDER;
  const keysOf = (name: string) =>
    Object.keys(recorded)
      .filter((key) => key === name || key.startsWith(`${name}#`))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const steps: StepStatus[] = order.flatMap(keysOf).map((step) => {
    const s = recorded[step];
    // The step an interrupted job was in did not finish: it is not RUNNING any more.
    const status = job !== stored && s.status === 'RUNNING' ? 'INTERRUPTED' : String(s.status);
    return {
      step,
      status,
      started_at: s.started_at,
      finished_at: s.finished_at,
      duration_ms: s.duration_ms,
      elapsed_ms: status === 'RUNNING' ? msBetween(s.started_at, now.toISOString()) : undefined,
      rows_written: s.rows_written,
      rows_deleted: s.rows_deleted,
      error: s.error,
    };
  });
  const jobId = job.job_id;
  const end = job.completed_at ?? (job.status === 'FAILED' ? job.failed_at : undefined) ?? now.toISOString();
  return {
    job_id: jobId,
    conversation_id: job.conversation_id,
    status: job.status,
    current_step: job.current_step,
    error: job.error,
    execution_name: job.execution_name,
    execution_arn: job.execution_arn,
    source: job.source,
    parameters: job.parameters,
    created_at: job.created_at,
    started_at: job.started_at,
    completed_at: job.completed_at,
    failed_at: job.failed_at,
    updated_at: job.updated_at,
    duration_ms: msBetween(job.started_at, end),
    steps,
    step_timings_ms:
      job.step_timings_ms ??
      Object.fromEntries(
        order
          .map((name) => [name, steps.filter((s) => s.step.split('#')[0] === name && s.duration_ms !== undefined)] as const)
          .filter(([, done]) => done.length > 0)
          .map(([name, done]) => [name, done.reduce((sum, s) => sum + s.duration_ms!, 0)]),
      ),
    counts: job.counts ?? (await repository.countJobRows(jobId)),
    num_comments: job.num_comments,
    cluster_layers: job.cluster_layers,
    warnings: job.warnings ?? [],
    adjustments: job.adjustments ?? [],
  };
}
