/**
 * Analysis quality on real conversations: a mix of two conversations must come apart in the coarse
 * layer, and small or odd conversations must complete with sensible output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizedMutualInformation, purity } from '../../shared/algorithms/evaluation';
import { BIODIVERSITY, MARCH_ON, startHarness, type Harness } from './support/harness';
import { readFixtureComments, sample, writeExport, type ExportComment } from './support/exports';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

async function runExport(name: string, comments: ExportComment[]) {
  const outcome = await harness.pipeline.run({ conversation_id: name, source: writeExport(comments) }, { executionName: name });
  return { outcome, job: await harness.repository.getJob(`pipeline_run_${name}`) };
}

describe('a mix of two real conversations', () => {
  // How well mixes come apart is measured by `npm run bench:quality`; this guards the mechanism.
  it('comes apart in the coarse layer, every comment in a cluster of every layer', async () => {
    const biodiversity = readFixtureComments(BIODIVERSITY);
    const sampled = sample(readFixtureComments(MARCH_ON), biodiversity.length, 7).map((c) => ({ ...c, id: c.id + 100_000 }));
    const { outcome } = await runExport('mixed-conversations', [...biodiversity, ...sampled]);
    expect(outcome.status, outcome.cause).toBe('SUCCEEDED');

    const rows = await harness.repository.queryByJob('assignments', 'pipeline_run_mixed-conversations');
    const layerCount = Number(rows[0].layer_count);
    const truth = rows.map((row) => (Number(row.comment_id) >= 100_000 ? 1 : 0));
    for (let layer = 0; layer < layerCount; layer++) {
      const labels = rows.map((row) => Number(row[`layer${layer}_cluster_id`]));
      expect(labels.every((label) => label >= 0)).toBe(true);
      // Two equal halves: labels unrelated to the source would score 0.5 and NMI ~0.
      expect(purity(labels, truth)).toBeGreaterThan(0.75);
      expect(normalizedMutualInformation(labels, truth)).toBeGreaterThan(0.1);
    }
  });
});

describe('the bundled conversation', () => {
  it('stores per-layer quality figures on the job record', async () => {
    const { outcome, job } = await runExport('quality-figures', readFixtureComments(BIODIVERSITY));
    expect(outcome.status).toBe('SUCCEEDED');
    const evaluation = job?.evaluation as Array<Record<string, number>>;
    const layers = job?.cluster_layers as Array<{ num_clusters: number; noise_share: number }>;
    expect(evaluation).toHaveLength(layers.length);
    evaluation.forEach((layer, i) => {
      expect(layer.clusters).toBe(layers[i].num_clusters);
      expect(layer.noise_share).toBeCloseTo(layers[i].noise_share, 6);
      expect(layer.topic_diversity).toBeGreaterThan(0.5);
      expect(layer.topic_diversity).toBeLessThanOrEqual(1);
      expect(layer.silhouette).toBeGreaterThan(-1);
      expect(layer.npmi_coherence).toBeGreaterThanOrEqual(-1);
    });
  });
});

describe('small and odd conversations', () => {
  const real = () => readFixtureComments(BIODIVERSITY);

  it.each([1, 3, 8, 20, 50])('completes on %i comments with nested layers and named topics', async (count) => {
    const { outcome, job } = await runExport(`small-${count}`, real().slice(0, count));
    expect(outcome.status, outcome.cause).toBe('SUCCEEDED');
    expect(job?.num_comments).toBe(count);
    const layers = job?.cluster_layers as Array<{ num_clusters: number }>;
    expect(layers.length).toBeGreaterThanOrEqual(1);
    expect(layers[0].num_clusters).toBeGreaterThanOrEqual(1);
    const names = await harness.repository.queryByJob('topicNames', `pipeline_run_small-${count}`);
    expect(names.length).toBe(layers.reduce((sum, layer) => sum + layer.num_clusters, 0));
    if (count < 15) expect((job?.adjustments as string[]).join('\n')).toMatch(/n_neighbors/);
  });

  it('completes when every comment is identical', async () => {
    const body = 'We need more predator-free islands.';
    const { outcome, job } = await runExport('identical', Array.from({ length: 20 }, (_, i) => ({ id: i, body })));
    expect(outcome.status, outcome.cause).toBe('SUCCEEDED');
    const layers = job?.cluster_layers as Array<{ num_clusters: number }>;
    expect(layers[0].num_clusters).toBe(1);
  });

  it('completes on comments in another language', async () => {
    const german = [
      'Wir brauchen mehr Radwege in der Innenstadt.',
      'Die Busse sollten nachts häufiger fahren.',
      'Radwege müssen sicher vom Autoverkehr getrennt sein.',
      'Mehr Grünflächen machen die Stadt lebenswerter.',
      'Der öffentliche Nahverkehr sollte kostenlos sein.',
      'Parks und Bäume kühlen die Stadt im Sommer.',
      'Fahrräder brauchen mehr Abstellplätze am Bahnhof.',
      'Die Straßenbahn sollte bis in die Vororte fahren.',
      'Mehr Bäume an den Straßen bitte.',
      'Kostenlose Busse für Schüler und Rentner.',
      'Sichere Radwege für Kinder auf dem Schulweg.',
      'Neue Parks statt neuer Parkhäuser.',
    ].map((body, id) => ({ id, body }));
    const { outcome, job } = await runExport('german', german);
    expect(outcome.status, outcome.cause).toBe('SUCCEEDED');
    expect(job?.num_comments).toBe(12);
  });

  it('fails with a clear InvalidInputError when no comment is usable', async () => {
    const moderatedOut = real()
      .slice(0, 5)
      .map((c) => ({ ...c, moderated: -1 }));
    const { outcome, job } = await runExport('all-moderated', moderatedOut);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('InvalidInputError');
    expect(job?.error).toMatchObject({ type: 'InvalidInputError', step: 'Embed', cause: expect.stringMatching(/no usable comments.*5 moderated out/) });
  });
});
