/** The JSON the API answers with: jobs, job lists and topics, with links to follow. */
import type { JobRecord } from '../contract/job';
import type { JobTopics, Topic } from '../results';

export const jobPath = (jobId: string) => `/jobs/${encodeURIComponent(jobId)}`;
export const jobTopicsPath = (jobId: string) => `${jobPath(jobId)}/topics`;
export const conversationJobsPath = (conversationId: string) => `/conversations/${encodeURIComponent(conversationId)}/jobs`;

export function jobLinks(base: string, jobId: string) {
  return { status_url: `${base}${jobPath(jobId)}`, topics_url: `${base}${jobTopicsPath(jobId)}` };
}

/** One line of GET /conversations/{conversation_id}/jobs. */
export function jobSummaryView(job: JobRecord, base: string) {
  return {
    job_id: job.job_id,
    status: job.status,
    created_at: job.created_at,
    completed_at: job.completed_at,
    failed_at: job.failed_at,
    num_comments: job.num_comments,
    execution_name: job.execution_name,
    error: job.error,
    ...jobLinks(base, job.job_id),
  };
}

export function topicView(topic: Topic) {
  const features = topic.features;
  const representativeTexts = features?.sample_comments ?? topic.sample_comments;
  const representativeIds: number[] = features?.sample_comment_ids ?? [];
  return {
    cluster_key: topic.cluster_key,
    layer_id: topic.layer_id,
    cluster_id: topic.cluster_id,
    name: topic.topic_name ?? null,
    name_provider: topic.provider ?? null,
    name_model: topic.model_name ?? null,
    size: topic.size,
    share: topic.share ?? null,
    keywords: topic.keywords,
    keyword_scores: topic.keyword_scores,
    centroid: topic.centroid,
    representative_comments: representativeTexts.map((text, i) => ({ comment_id: representativeIds[i] ?? null, text })),
    parent_cluster: topic.parent_cluster ?? null,
    child_clusters: topic.child_clusters,
    features: {
      spread: features?.spread ?? null,
      density: features?.density ?? null,
      top_words: features?.top_words ?? [],
      top_tfidf_scores: features?.top_tfidf_scores ?? [],
      votes: features?.votes ?? null,
      group_votes: features?.group_votes ?? null,
    },
  };
}

/** `layers`, when given, is the page of them to answer with (shared/api/topicPages.ts); else all of them. */
export function topicsView(
  topics: JobTopics,
  base: string,
  layer?: number,
  layers?: Array<{ layer_id: number; num_clusters: number; topics: ReturnType<typeof topicView>[] }>,
) {
  const job = topics.job;
  return {
    job_id: job.job_id,
    conversation_id: job.conversation_id,
    status: job.status,
    completed_at: job.completed_at,
    opinion_groups: job.opinion_groups ?? 0,
    ...(layer === undefined ? {} : { layer }),
    layers: layers ?? topics.layers.map(({ layer_id, topics: layerTopics }) => ({
      layer_id,
      num_clusters: layerTopics.length,
      topics: layerTopics.map(topicView),
    })),
    status_url: `${base}${jobPath(job.job_id)}`,
  };
}
