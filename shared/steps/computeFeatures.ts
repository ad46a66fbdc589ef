/** ComputeFeatures: size, share, spread, mean TF-IDF words, representatives and vote features per cluster. */
import { clusterFeatures } from '../algorithms/features';
import { detectLanguages } from '../algorithms/language';
import type { StepFunction } from '../handler';
import { clusterKey, readClusteredComments } from './jobData';

export const computeFeaturesStep: StepFunction = async (input, { repository }) => {
  const { comments, positions, layers } = await readClusteredComments(repository, input.job_id);
  const hasVotes = comments.votes.some((tally) => tally !== undefined);
  const { languages } = detectLanguages(comments.texts);

  const rows = layers.flatMap((labels, layer) => {
    const features = clusterFeatures({
      texts: comments.texts,
      vectors: comments.vectors,
      positions,
      labels,
      votes: hasVotes ? comments.votes : undefined,
      languages,
    });
    return [...features].map(([cluster, f]) => {
      const { representative_indices, ...rest } = f;
      return {
        job_id: input.job_id,
        conversation_id: input.conversation_id,
        cluster_key: clusterKey(layer, cluster),
        layer_id: layer,
        cluster_id: cluster,
        ...rest,
        sample_comments: representative_indices.map((i) => comments.texts[i]),
        sample_comment_ids: representative_indices.map((i) => comments.ids[i]),
      };
    });
  });
  const { written, deleted } = await repository.replaceJobRows('features', input.job_id, rows);
  return { rows_written: written, rows_deleted: deleted, details: { clusters: rows.length, vote_features: hasVotes } };
};
