/**
 * The job record (Delphi_UMAPConversationConfig): one per job_id, written by MarkRunning, extended by
 * the steps (facts about the input and the parameters they used), closed by MarkCompleted or
 * MarkFailed. `steps.<Step>` holds each step's bookkeeping (shared/handler.ts).
 */
import type { UmapParameters } from '../algorithms/umap';
import type { LineageStatus } from '../algorithms/lineage';
import type { FieldSpec, TopicLineage } from './rows';

export type JobState = 'RUNNING' | 'COMPLETED' | 'FAILED';

/** The job's topic lineage: the earlier job, the comment changes, counts per layer, gone topics and each topic's uid and lineage. */
export type JobLineage = {
  compared_to: string | null;
  compared_created_at?: string;
  comments?: { new: number; changed: number; gone: number };
  layers: Array<{ layer_id: number; topics: number; uids_kept: number } & Record<LineageStatus | 'gone', number>>;
  gone_topics: Array<{ layer_id: number; cluster_key: string; topic_uid: string; topic_name?: string; size: number }>;
  /** cluster_key → the topic's uid and lineage. */
  topics: Record<string, TopicLineage & { topic_uid: string }>;
};

/** One step's entry under the job record's `steps` (a Map item's under `<MapState>#<item>`). */
export type StepRecord = {
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  started_at: string;
  finished_at?: string;
  duration_ms?: number;
  rows_written?: number;
  rows_deleted?: number;
  warnings?: string[];
  adjustments?: string[];
  error?: { type: string; cause: string };
  /** The step's own small facts (StepResult.details): counts, the provider and model, planned batches. */
  [detail: string]: unknown;
};

export type JobError = { type: string; cause: string; step?: string };

/** One layer of Cluster's output as the job record summarises it (finest first). */
export type ClusterLayerSummary = {
  layer_id: number;
  num_clusters: number;
  noise_share: number;
  outlier_share: number;
  description: string;
};

/** Quality figures of one layer, stored by MarkCompleted (shared/steps/evaluate.ts). */
export type LayerEvaluation = {
  layer_id: number;
  clusters: number;
  noise_share: number;
  silhouette: number;
  topic_diversity: number;
  npmi_coherence: number;
};

export type JobRecord = {
  job_id: string;
  conversation_id: string;
  status: JobState;
  /** Kept across retries of MarkRunning: the job's place in the ConversationIdIndex. */
  created_at: string;
  started_at?: string;
  updated_at?: string;
  completed_at?: string;
  failed_at?: string;
  redriven_at?: string;
  execution_name?: string;
  execution_arn?: string;
  /** The source as given, with any password removed (sources/postgres.ts redactSource). */
  source?: string;
  /** The validated options with every default filled in (shared/pipeline.ts parseOptions). */
  parameters?: Record<string, unknown>;
  /** Fingerprint of the API request that started the job (shared/api/jobs.ts). */
  request_hash?: string;
  steps?: Record<string, StepRecord>;
  current_step?: string;
  error?: JobError;
  /** $$.Execution.RedriveCount when the job failed, and when it was last redriven. */
  failure_redrive_count?: number;
  redrive_count?: number;
  /** A local execution's lease on the job (shared/jobLease.ts); deployed jobs have none. */
  lease?: Record<string, unknown>;
  /** Topic lineage against an earlier job, recorded by Cluster (shared/steps/lineage.ts, docs/lineage.md). */
  lineage?: JobLineage;
  /** NameTopics: LLM calls saved by reusing earlier names. */
  naming_calls_saved?: number;
  // Embed
  num_comments?: number;
  has_votes?: boolean;
  /** How many Polis opinion groups the source has; absent = none. */
  opinion_groups?: number;
  metadata?: { title?: string; url?: string; description?: string };
  source_filtering?: { moderated_out: number; empty: number };
  embedding_model?: string;
  embedding_provider?: string;
  embedding_dimensions?: number;
  /**
   * An embedder that reuses earlier vectors (`sentence`): the job whose rows it took them from
   * (null: none), how many comments it took and how many it encoded.
   */
  embedding_reuse?: { from_job: string | null; reused: number; encoded: number };
  /** The most common language of the comments (ISO 639-1; shared/algorithms/language.ts). */
  language?: string;
  /** Share of the comments per language, largest first. */
  language_shares?: Record<string, number>;
  // ProjectUmap, Cluster
  umap_parameters?: UmapParameters;
  clustering_parameters?: Record<string, number | string>;
  cluster_layers?: ClusterLayerSummary[];
  // MarkCompleted
  evaluation?: LayerEvaluation[];
  step_timings_ms?: Record<string, number>;
  /** Rows per physical table name. */
  counts?: Record<string, number>;
  warnings?: string[];
  adjustments?: string[];
};

/** An update of a job record: a field given as null is removed (shared/repository.ts updateJob). */
export type JobUpdate = { [K in Exclude<keyof JobRecord, 'job_id' | 'conversation_id'>]?: JobRecord[K] | null };

export const JOB_FIELDS = {
  job_id: 'string', conversation_id: 'string', status: 'string', created_at: 'string', started_at: 'string?', updated_at: 'string?',
  completed_at: 'string?', failed_at: 'string?', redriven_at: 'string?', execution_name: 'string?', execution_arn: 'string?',
  source: 'string?', parameters: 'object?', request_hash: 'string?', steps: 'object?', current_step: 'string?', error: 'object?',
  failure_redrive_count: 'number?', redrive_count: 'number?', lease: 'object?', lineage: 'object?', naming_calls_saved: 'number?',
  num_comments: 'number?', has_votes: 'boolean?', opinion_groups: 'number?', metadata: 'object?', source_filtering: 'object?', embedding_model: 'string?',
  embedding_provider: 'string?', embedding_dimensions: 'number?', embedding_reuse: 'object?', language: 'string?', language_shares: 'object?', umap_parameters: 'object?', clustering_parameters: 'object?',
  cluster_layers: 'array?', evaluation: 'array?', step_timings_ms: 'object?', counts: 'object?', warnings: 'strings?', adjustments: 'strings?',
} as const satisfies { readonly [K in keyof JobRecord]-?: FieldSpec };
