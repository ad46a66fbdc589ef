/**
 * Quality figures of a job, per layer: clusters, noise share, silhouette in embedding space, topic
 * diversity and NPMI coherence of the c-TF-IDF keywords on the conversation's own comments. MarkCompleted
 * stores them on the job record; `delphi evaluate` prints them (shared/local/evaluation.ts).
 */
import { topicDiversity } from '../algorithms/evaluation';
import { layerNpmiCoherence, layerSilhouettes } from '../algorithms/layerQuality';
import type { LayerEvaluation } from '../contract/job';
import type { Repository } from '../repository';
import { round6 } from '../algorithms/rounding';
import { commentLanguages, readComments, readLayers } from './jobData';

export type { LayerEvaluation } from '../contract/job';

export async function evaluateJob(repository: Repository, jobId: string): Promise<LayerEvaluation[]> {
  const reading = readComments(repository, jobId);
  const [comments, layers, keywordRows] = await Promise.all([
    reading,
    readLayers(repository, jobId, reading.then((read) => read.ids)),
    repository.queryByJob('keywords', jobId),
  ]);
  const topWordsPerLayer = layers.map((_, layer) =>
    keywordRows
      .filter((row) => Number(row.layer_id) === layer)
      .sort((a, b) => Number(a.cluster_id) - Number(b.cluster_id))
      .map((row) => ((row.keywords as string[]) ?? []).slice(0, 10)),
  );
  // All layers at once: one pass over the comment pairs and one tokenisation (see layerQuality.ts).
  const silhouettes = layerSilhouettes(comments.vectors, layers);
  const coherence = layerNpmiCoherence(topWordsPerLayer, comments.texts, commentLanguages(comments));
  return layers.map((labels, layer) => ({
    layer_id: layer,
    clusters: new Set(labels.filter((label) => label >= 0)).size,
    noise_share: round6(labels.filter((label) => label < 0).length / labels.length),
    silhouette: round6(silhouettes[layer]),
    topic_diversity: round6(topicDiversity(topWordsPerLayer[layer])),
    npmi_coherence: round6(coherence[layer]),
  }));
}
