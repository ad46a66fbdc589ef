/**
 * The offline default: each cluster is named from the noun phrases of its own comments, scored by
 * c-TF-IDF against the other clusters of its layer and by the share of its comments that contain
 * them (shared/algorithms/phrases.ts, computed by ExtractKeywords; shared/algorithms/topicNames.ts
 * `phraseTopicNames`), recorded as provider `keywords` — not an LLM name, and never presented as one.
 * Names are unique within a layer (a reader compares a layer's topics side by side), and a coarse
 * topic does not repeat a child's name unless it has the same members. Rows without label phrases
 * (jobs made before them) are named from their c-TF-IDF keywords.
 */
import { detectLanguages } from '../../algorithms/language';
import { phraseTopicNames } from '../../algorithms/topicNames';
import type { ClusterToName, TopicNamer } from './namer';

export const KEYWORDS_MODEL = 'noun-phrases-ctfidf-coverage';

export class KeywordsNamer implements TopicNamer {
  readonly provider = 'keywords' as const;
  readonly model = KEYWORDS_MODEL;

  async name(clusters: ClusterToName[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const layer of new Set(clusters.map((cluster) => cluster.layer))) {
      const inLayer = clusters.filter((cluster) => cluster.layer === layer);
      // The conversation's language (of the layer's sample comments): its word for "and", its word rules.
      const language = detectLanguages(inLayer.flatMap((cluster) => cluster.sampleComments)).conversation;
      const labels = phraseTopicNames(
        inLayer.map((cluster) => ({
          key: cluster.key,
          clusterId: cluster.clusterId,
          size: cluster.size ?? 0,
          phrases: cluster.labelPhrases ?? [],
          keywords: cluster.keywords,
          children: cluster.children ?? cluster.childNames.map((name, i) => ({ key: `child${i}`, name, sameMembers: false })),
          ancestorPhrases: cluster.ancestorPhrases,
          language,
        })),
      );
      for (const [key, label] of labels) names.set(key, label);
    }
    return names;
  }
}
