/**
 * NameTopics: one label per cluster. The offline provider `keywords` builds the label from the
 * cluster's c-TF-IDF phrases and is recorded as such — never passed off as an LLM name.
 */
import { InvalidInputError } from '../errors';
import { keywordTopicNames } from '../algorithms/topicNames';
import type { StepFunction } from '../handler';

export const KEYWORDS_MODEL = 'c-tf-idf-top-phrases';

export const nameTopicsStep: StepFunction = async (input, { repository }) => {
  const clusters = await repository.queryByJob('keywords', input.job_id);
  if (clusters.length === 0) {
    throw new InvalidInputError(`Job ${input.job_id} has no cluster keywords: run ExtractKeywords first`);
  }
  const names = new Map<string, string>();
  const layers = [...new Set(clusters.map((row) => Number(row.layer_id)))];
  for (const layer of layers) {
    const inLayer = clusters.filter((row) => Number(row.layer_id) === layer);
    // Labels are kept unique across the whole layer: a reader compares topics side by side.
    const labels = keywordTopicNames(
      inLayer.map((row) => ({ clusterId: Number(row.cluster_id), keywords: row.keywords as string[], siblingGroup: `layer${layer}` })),
    );
    for (const [cluster, label] of labels) names.set(`${layer}#${cluster}`, label);
  }
  const created_at = new Date().toISOString();
  const rows = clusters.map((row) => ({
    job_id: input.job_id,
    conversation_id: input.conversation_id,
    topic_key: `${input.job_id}#${row.layer_id}#${row.cluster_id}`,
    cluster_key: row.cluster_key,
    layer_id: row.layer_id,
    cluster_id: row.cluster_id,
    topic_name: names.get(`${row.layer_id}#${row.cluster_id}`),
    provider: input.options.topic_namer,
    model_name: KEYWORDS_MODEL,
    created_at,
  }));
  const { written, deleted } = await repository.replaceJobRows('topicNames', input.job_id, rows);
  return { rows_written: written, rows_deleted: deleted, details: { topics: rows.length } };
};
