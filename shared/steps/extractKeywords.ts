/**
 * ExtractKeywords: c-TF-IDF keywords, label phrases (noun phrases of the cluster's comments scored by
 * c-TF-IDF and coverage, what the offline namer names topics with), centroid, samples and hierarchy
 * of every cluster of every layer.
 */
import { clusterKeywords, nearestToCentroid } from '../algorithms/keywords';
import { clusterLabelPhrases, phraseCorpus } from '../algorithms/phrases';
import type { StepFunction } from '../handler';
import { clusterHierarchy } from './hierarchy';
import { round6 } from '../algorithms/rounding';
import { clusterKey, commentLanguages, readClusteredComments } from './jobData';
import { lineageFields, readTopicLineage } from './lineage';

export const SAMPLE_COMMENTS = 5;
export const LABEL_PHRASES = 10;

export const extractKeywordsStep: StepFunction = async (input, { repository }) => {
  const [{ comments, positions, layers }, lineage] = await Promise.all([readClusteredComments(repository, input.job_id), readTopicLineage(repository, input.job_id)]);
  // Each comment in its own language, as Embed detected it.
  const languages = commentLanguages(comments);
  const keywordsByLayer = layers.map((labels) => clusterKeywords(comments.texts, labels, { topN: 10, languages }));
  const corpus = phraseCorpus(comments.texts, { languages });
  const phrasesByLayer = layers.map((labels, layer) =>
    clusterLabelPhrases(corpus, labels, { topN: LABEL_PHRASES, childLabels: layer > 0 ? layers[layer - 1] : undefined }),
  );

  const rows = clusterHierarchy(layers).map((node) => {
    const keywords = keywordsByLayer[node.layer].get(node.cluster) ?? { keywords: [], scores: [] };
    const samples = nearestToCentroid(comments.vectors, node.members, SAMPLE_COMMENTS);
    const x = node.members.reduce((sum, i) => sum + positions[i][0], 0) / node.members.length;
    const y = node.members.reduce((sum, i) => sum + positions[i][1], 0) / node.members.length;
    return {
      job_id: input.job_id,
      conversation_id: input.conversation_id,
      cluster_key: clusterKey(node.layer, node.cluster),
      layer_id: node.layer,
      cluster_id: node.cluster,
      size: node.members.length,
      keywords: keywords.keywords,
      keyword_scores: keywords.scores,
      label_phrases: phrasesByLayer[node.layer].get(node.cluster) ?? [],
      centroid_coordinates: { x: round6(x), y: round6(y) },
      sample_comments: samples.map((i) => comments.texts[i]),
      sample_comment_ids: samples.map((i) => comments.ids[i]),
      parent_cluster: node.parent,
      child_clusters: node.children,
      ...(node.sameMembersAs ? { same_members_child: node.sameMembersAs } : {}),
      ...lineageFields(lineage, clusterKey(node.layer, node.cluster)),
    };
  });
  const { written, deleted } = await repository.replaceJobRows('keywords', input.job_id, rows);
  return { rows_written: written, rows_deleted: deleted, details: { clusters: rows.length } };
};
