/**
 * NameTopics: one label per cluster from the configured namer, finest layer first so that a coarser
 * cluster's prompt can list the names of its children. The offline `keywords` namer builds labels
 * from c-TF-IDF phrases and is recorded as such — never passed off as an LLM name.
 */
import { InvalidInputError } from '../errors';
import type { StepFunction } from '../handler';
import { createTopicNamer, defaultProviderServices, type ClusterToName } from '../providers';

export { KEYWORDS_MODEL } from '../providers/naming/keywords';

export const nameTopicsStep: StepFunction = async (input, { repository, providers }) => {
  const clusters = await repository.queryByJob('keywords', input.job_id);
  if (clusters.length === 0) {
    throw new InvalidInputError(`Job ${input.job_id} has no cluster keywords: run ExtractKeywords first`);
  }
  const namer = createTopicNamer(input.options, providers ?? defaultProviderServices());
  const names = new Map<string, string>();
  const layers = [...new Set(clusters.map((row) => Number(row.layer_id)))].sort((a, b) => a - b);
  for (const layer of layers) {
    const inLayer: ClusterToName[] = clusters
      .filter((row) => Number(row.layer_id) === layer)
      .map((row) => ({
        key: String(row.cluster_key),
        layer,
        clusterId: Number(row.cluster_id),
        keywords: (row.keywords as string[] | undefined) ?? [],
        sampleComments: (row.sample_comments as string[] | undefined) ?? [],
        childNames: ((row.child_clusters as string[] | undefined) ?? []).flatMap((child) => names.get(child) ?? []),
      }));
    for (const [key, label] of await namer.name(inLayer)) names.set(key, label);
  }
  const created_at = new Date().toISOString();
  const rows = clusters.map((row) => {
    const topic_name = names.get(String(row.cluster_key));
    if (!topic_name) throw new Error(`${namer.provider} namer returned no name for ${row.cluster_key}`);
    return {
      job_id: input.job_id,
      conversation_id: input.conversation_id,
      topic_key: `${input.job_id}#${row.layer_id}#${row.cluster_id}`,
      cluster_key: row.cluster_key,
      layer_id: row.layer_id,
      cluster_id: row.cluster_id,
      topic_name,
      provider: namer.provider,
      model_name: namer.model,
      created_at,
    };
  });
  const { written, deleted } = await repository.replaceJobRows('topicNames', input.job_id, rows);
  return { rows_written: written, rows_deleted: deleted, details: { topics: rows.length, provider: namer.provider, model: namer.model } };
};
