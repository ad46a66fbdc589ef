/**
 * `npm run bench:quality` — how well the offline analysis recovers real topics, on labelled mixes of
 * real Polis conversations (each conversation is about one theme, so a good coarse layer separates
 * them) and on each conversation alone. The algorithms alone, as the pipeline runs them (no
 * database, no state machine).
 *
 *   npm run bench:quality                         every set, seeds 42, 7, 2027
 *   npm run bench:quality -- --sets five,mix      some sets (five, mix, biodiversity, affordable-housing,
 *                                                 freshwater, taxes, ubi, march-on)
 *   npm run bench:quality -- --embedder lsa       another offline embedder
 *   npm run bench:quality -- --no-peer
 *
 * Per set and layer (0 = finest): clusters, noise, largest topic's share; for the mixes purity and
 * NMI against the source conversation (noise, if any, counted as one more cluster); the adjusted Rand
 * index between the seeds (mean of the pairs); and the ARI between the whole set and three 90 %
 * samples of it, on the comments they share — what a re-run on a grown conversation sees. Also the
 * share of each comment's 15 nearest neighbours in embedding space from its own source (what bounds
 * the rest) and seconds per phase. The Python peer (scikit-learn TF-IDF + TruncatedSVD → Ward, with
 * umap-learn 5-D before Ward when it is installed) runs at the same cluster counts, when a python3
 * with scikit-learn is found (Debian: apt-get install python3-sklearn). Results:
 * test-output/bench/quality.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { clusterLayers } from '../../shared/algorithms/clustering';
import { adjustedRandIndex, normalizedMutualInformation, purity } from '../../shared/algorithms/evaluation';
import { nearestNeighbors } from '../../shared/algorithms/neighbors';
import { seededRandom } from '../../shared/algorithms/random';
import { projectUmap } from '../../shared/algorithms/umap';
import { readProviderEnv } from '../../shared/config';
import { parseOptions } from '../../shared/pipeline';
import { createEmbeddingProvider, defaultProviderServices } from '../../shared/providers';
import { sample } from '../integration/support/exports';
import { readComments } from './datasets';

const FIXTURES = path.resolve(__dirname, '../fixtures');
const OUT = path.resolve(__dirname, '../../test-output/bench/quality.json');
const THEMES = ['biodiversity', 'affordable-housing', 'freshwater', 'taxes', 'ubi'];
const MARCH_ON = 'march-on.operation-marchin-orders';
const NEIGHBORS = 15;
const SUBSAMPLE_SHARE = 0.9;

interface DataSet {
  name: string;
  texts: string[];
  /** Source conversation per comment, for the mixes. */
  truth?: number[];
  sources: number;
}

const fixture = (name: string) => readComments(path.join(FIXTURES, name)).sort((a, b) => a.id - b.id);

function dataSets(names: string[]): DataSet[] {
  const sets: DataSet[] = [];
  for (const name of names) {
    if (name === 'five') {
      const groups = THEMES.map((theme) => fixture(`scoop-hivemind.${theme}`));
      sets.push({ name: 'five themes (scoop-hivemind)', texts: groups.flatMap((g) => g.map((c) => c.body)), truth: groups.flatMap((g, i) => g.map(() => i)), sources: 5 });
    } else if (name === 'mix') {
      const biodiversity = fixture('scoop-hivemind.biodiversity');
      const marchOn = sample(fixture(MARCH_ON), biodiversity.length, 7);
      sets.push({
        name: 'biodiversity + march-on sample',
        texts: [...biodiversity, ...marchOn].map((c) => c.body),
        truth: [...biodiversity.map(() => 0), ...marchOn.map(() => 1)],
        sources: 2,
      });
    } else {
      const folder = name === 'march-on' ? MARCH_ON : `scoop-hivemind.${name}`;
      if (!existsSync(path.join(FIXTURES, folder))) throw new Error(`unknown set ${name}`);
      sets.push({ name, texts: fixture(folder).map((c) => c.body), sources: 1 });
    }
  }
  return sets;
}

/** The pipeline's analysis: Embed (the configured offline embedder), ProjectUmap's map, Cluster. */
async function analyse(texts: string[], seed: number, embedder?: string) {
  const options = parseOptions({ seed, ...(embedder ? { embedder } : {}) }, readProviderEnv({}));
  const timings_s: Record<string, number> = {};
  const time = async <T>(phase: string, run: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await run();
    timings_s[phase] = (performance.now() - started) / 1000;
    return result;
  };
  const embedding = await time('embed', () => createEmbeddingProvider(options, defaultProviderServices()).embed(texts));
  await time('map', () => projectUmap(embedding.vectors, { nComponents: 2, minDist: options.min_dist, nNeighbors: options.n_neighbors, seed }));
  const { layers } = await time('cluster', () =>
    clusterLayers({ vectors: embedding.vectors }, { nNeighbors: options.n_neighbors, minClusterSize: options.min_cluster_size, maxLayers: options.max_layers }),
  );
  return { vectors: embedding.vectors, model: embedding.model, layers, timings_s };
}

const clusterCount = (labels: number[]) => new Set(labels.filter((l) => l >= 0)).size;
const mean = (values: number[]) => (values.length ? values.reduce((sum, x) => sum + x, 0) / values.length : Number.NaN);

function largestShare(labels: number[]): number {
  const sizes = new Map<number, number>();
  for (const label of labels) if (label >= 0) sizes.set(label, (sizes.get(label) ?? 0) + 1);
  return Math.max(0, ...sizes.values()) / labels.length;
}

function pairwiseAri(runs: number[][][], layer: number): number {
  const pairs: number[] = [];
  for (let a = 0; a < runs.length; a++) for (let b = a + 1; b < runs.length; b++) pairs.push(adjustedRandIndex(runs[a][layer], runs[b][layer]));
  return pairs.length ? mean(pairs) : 1;
}

function sameSourceNeighbours(vectors: Float32Array[], truth: number[]): number {
  const { indices } = nearestNeighbors(vectors, NEIGHBORS);
  let same = 0;
  indices.forEach((row, i) => row.forEach((j) => (same += truth[j] === truth[i] ? 1 : 0)));
  return same / (indices.length * Math.min(NEIGHBORS, vectors.length - 1));
}

function findPeerPython(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import sklearn'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

function runPeer(python: string, texts: string[], ks: number[], seeds: number[]): { variant: string; labels: Record<string, number[][]> } {
  const dir = path.join(tmpdir(), `delphi-quality-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const input = path.join(dir, 'texts.jsonl');
  writeFileSync(input, texts.map((t) => JSON.stringify(t)).join('\n') + '\n');
  const result = spawnSync(python, [path.join(__dirname, 'quality_peer.py'), input, JSON.stringify(ks), JSON.stringify(seeds)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`peer failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const f2 = (x: number) => (Number.isNaN(x) ? '–' : x.toFixed(2));
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

async function main() {
  const { values } = parseArgs({
    options: { sets: { type: 'string' }, seeds: { type: 'string' }, embedder: { type: 'string' }, 'no-peer': { type: 'boolean' } },
  });
  const sets = dataSets((values.sets ?? 'five,mix,biodiversity,affordable-housing,freshwater,taxes,ubi,march-on').split(','));
  const seeds = (values.seeds ?? '42,7,2027').split(',').map(Number);
  const python = values['no-peer'] ? undefined : findPeerPython();
  if (!values['no-peer'] && !python) console.log('peer skipped: no python3 with scikit-learn (Debian: apt-get install python3-sklearn)');
  const results: unknown[] = [];
  const targets: string[] = [];
  const target = (what: string, measured: string, pass: boolean) => targets.push(`${pass ? 'PASS' : 'MISS'}  ${what}: ${measured}`);

  for (const set of sets) {
    const runs = [];
    for (const seed of seeds) runs.push(await analyse(set.texts, seed, values.embedder));
    const main = runs[0];
    const layerCount = Math.min(...runs.map((run) => run.layers.length));
    // Re-runs on 90 % of the comments: ARI on the comments both have.
    const subsampleAri: number[][] = [];
    for (const sampleSeed of [1, 2, 3]) {
      const random = seededRandom(sampleSeed);
      const kept = set.texts.flatMap((_, i) => (random() < SUBSAMPLE_SHARE ? [i] : []));
      const partial = await analyse(kept.map((i) => set.texts[i]), seeds[0], values.embedder);
      subsampleAri.push(
        Array.from({ length: Math.min(layerCount, partial.layers.length) }, (_, layer) => adjustedRandIndex(kept.map((i) => main.layers[layer][i]), partial.layers[layer])),
      );
    }
    const peer = python && set.truth ? runPeer(python, set.texts, main.layers.map(clusterCount), seeds) : undefined;
    console.log(`\n${set.name}: ${set.texts.length} comments, ${main.model}; seconds: ${Object.entries(main.timings_s).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
    if (set.truth) console.log(`  same-source share of the 15 nearest neighbours in embedding space: ${f2(sameSourceNeighbours(main.vectors, set.truth))}`);
    console.log(`  layer  clusters  noise  largest  ${set.truth ? 'purity   NMI  ' : ''}ARI seeds  ARI 90%${peer ? `   peer (${peer.variant}): purity  NMI  ARI seeds` : ''}`);
    const layers = [];
    for (let layer = 0; layer < layerCount; layer++) {
      const labels = main.layers[layer];
      const figures = {
        layer,
        clusters: clusterCount(labels),
        noise: labels.filter((l) => l < 0).length / labels.length,
        largest: largestShare(labels),
        purity: set.truth ? purity(labels, set.truth) : undefined,
        nmi: set.truth ? normalizedMutualInformation(labels, set.truth) : undefined,
        ari_seeds: pairwiseAri(runs.map((run) => run.layers), layer),
        // A 90 % re-run can have fewer layers: the ARI is then over the re-runs that have this one.
        ari_subsample: mean(subsampleAri.map((row) => row[layer]).filter((x) => x !== undefined)),
        peer: undefined as undefined | { purity: number; nmi: number; ari_seeds: number },
      };
      if (peer && set.truth) {
        const peerRuns = peer.labels[String(figures.clusters)];
        figures.peer = {
          purity: purity(peerRuns[0], set.truth),
          nmi: normalizedMutualInformation(peerRuns[0], set.truth),
          ari_seeds: pairwiseAri(peerRuns.map((run) => [run]), 0),
        };
      }
      layers.push(figures);
      console.log(
        `  ${String(layer).padStart(5)}  ${String(figures.clusters).padStart(8)}  ${pct(figures.noise).padStart(5)}  ${pct(figures.largest).padStart(7)}  ` +
          (set.truth ? `${f2(figures.purity as number).padStart(6)}  ${f2(figures.nmi as number).padStart(4)}  ` : '') +
          `${f2(figures.ari_seeds).padStart(9)}  ${f2(figures.ari_subsample).padStart(7)}` +
          (figures.peer ? `   ${f2(figures.peer.purity).padStart(28)}  ${f2(figures.peer.nmi)}  ${f2(figures.peer.ari_seeds).padStart(9)}` : ''),
      );
    }
    results.push({ set: set.name, comments: set.texts.length, model: main.model, timings_s: main.timings_s, layers, peer_variant: peer?.variant });

    // The issue's targets.
    const nearest = layers.reduce((best, l) => (Math.abs(l.clusters - set.sources) < Math.abs(best.clusters - set.sources) ? l : best));
    const coarsest = layers[layers.length - 1];
    if (set.sources === 5) {
      target(`${set.name}: NMI ≥ 0.50 at the layer nearest 5 clusters (${nearest.clusters})`, f2(nearest.nmi as number), (nearest.nmi as number) >= 0.5);
      target(`${set.name}: purity ≥ 0.75 at that layer`, f2(nearest.purity as number), (nearest.purity as number) >= 0.75);
    }
    if (set.sources === 2) target(`${set.name}: coarse purity ≥ 0.90`, f2(coarsest.purity as number), (coarsest.purity as number) >= 0.9);
    if (set.truth && layers.every((l) => l.peer)) {
      const worst = Math.min(...layers.map((l) => (l.nmi as number) - (l.peer as { nmi: number }).nmi));
      target(`${set.name}: NMI ≥ the peer's at every layer size`, `worst difference ${worst >= 0 ? '+' : ''}${f2(worst)}`, worst >= 0);
    }
    const worstAri = Math.min(...layers.map((l) => l.ari_seeds));
    target(`${set.name}: ARI across seeds ≥ 0.85 every layer, ≥ 0.90 coarsest`, `min ${f2(worstAri)}, coarsest ${f2(coarsest.ari_seeds)}`, worstAri >= 0.85 && coarsest.ari_seeds >= 0.9);
    target(`${set.name}: noise ≤ 10 %`, pct(Math.max(...layers.map((l) => l.noise))), layers.every((l) => l.noise <= 0.1));
    target(`${set.name}: largest coarse topic ≤ 25 %${set.sources === 1 ? ' (one-theme conversation)' : ''}`, pct(coarsest.largest), coarsest.largest <= 0.25);
  }
  console.log('\nTargets (issue: topics that hold up):');
  for (const line of targets) console.log(`  ${line}`);
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ seeds, embedder: values.embedder ?? 'default', results }, null, 2));
  console.log(`\n${OUT}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
