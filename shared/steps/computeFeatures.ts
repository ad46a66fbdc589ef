/**
 * ComputeFeatures: size, share, spread, mean TF-IDF words, representatives and vote features per
 * cluster, and, when the source has Polis's opinion groups, how each group voted on it.
 */
import { clusterFeatures } from '../algorithms/features';
import { divisionRanks, topicGroupFeatures, type TopicGroupVotes } from '../algorithms/groups';
import type { StepFunction } from '../handler';
import { clusterKey, membersByCluster, readClusteredComments, type JobComments } from './jobData';
import { lineageFields, readTopicLineage } from './lineage';

/** Each cluster's group features in one layer, keyed by cluster id; ranked by agree_spread within the layer. */
export function layerGroupVotes(comments: Pick<JobComments, 'ids' | 'group_votes'>, labels: ArrayLike<number>): Map<number, TopicGroupVotes> {
  const features = [...membersByCluster(labels)].flatMap(([cluster, members]) => {
    const found = topicGroupFeatures(comments.group_votes, members);
    return found ? [[cluster, found] as const] : [];
  });
  const ranks = divisionRanks(features.map(([, found]) => found.agree_spread));
  return new Map(
    features.map(([cluster, { consensus_index, ...found }], i) => [
      cluster,
      { ...found, consensus_comment_id: comments.ids[consensus_index], division_rank: ranks[i] },
    ]),
  );
}

export const computeFeaturesStep: StepFunction = async (input, { repository }) => {
  const [{ comments, positions, layers }, lineage] = await Promise.all([readClusteredComments(repository, input.job_id), readTopicLineage(repository, input.job_id)]);
  const hasVotes = comments.votes.some((tally) => tally !== undefined);
  const hasGroups = comments.group_votes.some((tallies) => tallies !== undefined);

  const rows = layers.flatMap((labels, layer) => {
    const features = clusterFeatures({
      texts: comments.texts,
      vectors: comments.vectors,
      positions,
      labels,
      votes: hasVotes ? comments.votes : undefined,
    });
    const groupVotes = hasGroups ? layerGroupVotes(comments, labels) : undefined;
    return [...features].map(([cluster, f]) => {
      const { representative_indices, ...rest } = f;
      const group_votes = groupVotes?.get(cluster);
      return {
        job_id: input.job_id,
        conversation_id: input.conversation_id,
        cluster_key: clusterKey(layer, cluster),
        layer_id: layer,
        cluster_id: cluster,
        ...rest,
        ...(group_votes ? { group_votes } : {}),
        sample_comments: representative_indices.map((i) => comments.texts[i]),
        sample_comment_ids: representative_indices.map((i) => comments.ids[i]),
        ...lineageFields(lineage, clusterKey(layer, cluster), { lineage: false }),
      };
    });
  });
  const { written, deleted } = await repository.replaceJobRows('features', input.job_id, rows);
  const groups = new Set(comments.group_votes.flatMap((tallies) => Object.keys(tallies ?? {}))).size;
  return {
    rows_written: written,
    rows_deleted: deleted,
    details: { clusters: rows.length, vote_features: hasVotes, ...(hasGroups ? { opinion_groups: groups } : {}) },
  };
};
