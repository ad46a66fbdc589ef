/** The quality figures of a job as `delphi evaluate`, `delphi run` and `delphi show` print them. */
import type { LayerEvaluation } from '../contract/job';

export function formatEvaluation(layers: LayerEvaluation[]): string {
  const header = 'layer  clusters  noise   silhouette  diversity  NPMI';
  const lines = layers.map(
    (l) =>
      `${String(l.layer_id).padStart(5)}  ${String(l.clusters).padStart(8)}  ${(l.noise_share * 100).toFixed(1).padStart(4)}%  ${l.silhouette.toFixed(3).padStart(10)}  ${l.topic_diversity.toFixed(3).padStart(9)}  ${l.npmi_coherence.toFixed(3).padStart(6)}`,
  );
  return [header, ...lines].join('\n');
}
