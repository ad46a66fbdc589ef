/**
 * The offline default: a label built from each cluster's top c-TF-IDF phrases
 * (shared/algorithms/topicNames.ts), recorded as provider `keywords` — not an LLM name, and never
 * presented as one. Labels are unique within a layer: a reader compares a layer's topics side by side.
 */
import { keywordTopicNames } from '../../algorithms/topicNames';
import type { ClusterToName, TopicNamer } from './namer';

export const KEYWORDS_MODEL = 'c-tf-idf-top-phrases';

export class KeywordsNamer implements TopicNamer {
  readonly provider = 'keywords' as const;
  readonly model = KEYWORDS_MODEL;

  async name(clusters: ClusterToName[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const layer of new Set(clusters.map((cluster) => cluster.layer))) {
      const inLayer = clusters.filter((cluster) => cluster.layer === layer);
      const labels = keywordTopicNames(
        inLayer.map((cluster) => ({ clusterId: cluster.clusterId, keywords: cluster.keywords, siblingGroup: `layer${layer}` })),
      );
      for (const cluster of inLayer) names.set(cluster.key, labels.get(cluster.clusterId)!);
    }
    return names;
  }
}
