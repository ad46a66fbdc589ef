/** Read models over a job's rows: its status and its topics, for the CLI, the API and the report. */
import { JobNotFoundError } from './errors';
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
  features?: Item;
}

export interface JobTopics {
  job: Item;
  layers: Array<{ layer_id: number; topics: Topic[] }>;
}

/** Topics of a job, by layer (finest first), largest first within a layer. */
export async function readJobTopics(repository: Repository, jobId: string, layer?: number): Promise<JobTopics> {
  const job = await repository.getJob(jobId);
  if (!job) throw new JobNotFoundError(jobId);
  const [keywords, names, features] = await Promise.all([
    repository.queryByJob('keywords', jobId),
    repository.queryByJob('topicNames', jobId),
    repository.queryByJob('features', jobId),
  ]);
  const nameByKey = new Map(names.map((row) => [String(row.cluster_key), row]));
  const featuresByKey = new Map(features.map((row) => [String(row.cluster_key), row]));
  const byLayer = new Map<number, Topic[]>();
  for (const row of keywords) {
    const layerId = Number(row.layer_id);
    if (layer !== undefined && layerId !== layer) continue;
    const key = String(row.cluster_key);
    const name = nameByKey.get(key);
    const feature = featuresByKey.get(key);
    const topic: Topic = {
      cluster_key: key,
      layer_id: layerId,
      cluster_id: Number(row.cluster_id),
      topic_name: name?.topic_name as string | undefined,
      provider: name?.provider as string | undefined,
      model_name: name?.model_name as string | undefined,
      size: Number(row.size),
      share: feature?.share as number | undefined,
      keywords: (row.keywords as string[]) ?? [],
      keyword_scores: (row.keyword_scores as number[]) ?? [],
      centroid: row.centroid_coordinates as { x: number; y: number },
      sample_comments: (row.sample_comments as string[]) ?? [],
      parent_cluster: row.parent_cluster as string | undefined,
      child_clusters: (row.child_clusters as string[]) ?? [],
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
): Promise<{ jobs: Item[]; lastKey?: Item }> {
  const { items, lastKey } = await repository.queryByConversation('config', conversationId, { newestFirst: true, ...page });
  return { jobs: items, lastKey };
}
