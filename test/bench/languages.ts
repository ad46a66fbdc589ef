/**
 * `npx tsx test/bench/languages.ts` — the offline analysis on the non-English conversations of
 * ../shared/data (German: austria-climate "Wohnen"; Traditional Chinese: vTaiwan uberx), as the
 * pipeline's Embed, Cluster, ExtractKeywords and the offline namer compute it. A benchmark that
 * prints figures, not a test.
 *
 * Per conversation: the embedding model, its adjustments and the comments on fallback vectors, the
 * detected languages and the Embed step's warnings; per layer: clusters, noise share, cosine silhouette, NPMI coherence and topic diversity
 * of the top-10 keywords, the ARI between seeds 42 and 7; the coarsest layer's topics with their top
 * five keywords and offline names. For the German conversation also purity and NMI against its
 * Handlungsfelder, assigned by word rules ({@link GERMAN_THEMES}: the export has no theme per
 * comment, so a comment matching the rules of exactly one field gets it, the others are left out).
 *
 *   npx tsx test/bench/languages.ts [--data ../shared/data] [--embedder lsa] [--character-weight w]
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { adjustedRandIndex, normalizedMutualInformation, purity, topicDiversity } from '../../shared/algorithms/evaluation';
import { clusterKeywords } from '../../shared/algorithms/keywords';
import { layerNpmiCoherence, layerSilhouettes } from '../../shared/algorithms/layerQuality';
import { clusterLabelPhrases, phraseCorpus } from '../../shared/algorithms/phrases';
import { phraseTopicNames } from '../../shared/algorithms/topicNames';
import { parseOptions } from '../../shared/pipeline';
import { createEmbeddingProvider, defaultProviderServices } from '../../shared/providers';
import { detectLanguages } from '../../shared/algorithms/language';
import { analyse, type Analysis } from './analysis';
import { languageWarnings } from '../../shared/steps/embed';
import { readPipelineComments } from './datasets';

const SEEDS = [42, 7];

/**
 * The Handlungsfelder of the conversation's description, as word-stem rules (lower case, substring):
 * use the existing stock, renovation and heating, land and new building, building materials
 * (grey emissions), adaptation to heat.
 */
export const GERMAN_THEMES: Array<[string, RegExp]> = [
  ['Bestand', /leerstand|leer steh|leerstehend|bestand|wohnfläche|zweitwohn|wohnungstausch|untervermiet|miete|vermiet|airbnb|kurzzeitmiet/u],
  ['Sanierung', /sanier|dämm|heiz|wärmepump|fernwärm|fenster|thermisch|gasthermen|ölkessel|energieausweis/u],
  ['Boden', /versiegel|boden|raumordnung|widmung|bauland|zersied|einfamilienh|neubau|grünfläche|flächenverbrauch/u],
  ['Baustoffe', /baustoff|holzbau|beton|recycl|graue|baumaterial|kreislauf|ziegel/u],
  ['Anpassung', /hitze|begrün|kühl|beschatt|bäume|fassadenbegr|dachbegr|klimaanlag/u],
];

function germanTheme(text: string): number {
  const lower = text.toLowerCase();
  const hits = GERMAN_THEMES.map(([, rule], k) => (rule.test(lower) ? k : -1)).filter((k) => k >= 0);
  return hits.length === 1 ? hits[0] : -1;
}

async function run(name: string, folder: string, embedder: string | undefined, themes: boolean) {
  const texts = (await readPipelineComments(folder)).map((c) => c.body);
  const detected = detectLanguages(texts);
  const { languages } = detected;
  const options = parseOptions({ seed: SEEDS[0], ...(embedder ? { embedder } : {}) });
  const embedding = await createEmbeddingProvider(options, defaultProviderServices()).embed(texts);
  console.log(`\n${name}: ${texts.length} comments, ${embedding.model}`);
  console.log(`  languages: ${JSON.stringify(detected.shares)} (conversation: ${detected.conversation})`);
  const fallbacks = (embedding.adjustments ?? []).map((note) => /^(\d+) of \d+ comments have no vocabulary term/.exec(note)).find(Boolean);
  console.log(`  comments on fallback vectors: ${fallbacks ? fallbacks[1] : 0}`);
  for (const note of embedding.adjustments ?? []) console.log(`  adjustment: ${note}`);
  for (const warning of languageWarnings(detected, options.embedder)) console.log(`  warning: ${warning}`);
  const runs: Analysis[] = [];
  for (const seed of SEEDS) runs.push(await analyse(texts, seed, embedder));
  const [first, second] = runs;
  const truth = themes ? texts.map(germanTheme) : null;
  const labelled = truth ? truth.map((t, i) => (t >= 0 ? i : -1)).filter((i) => i >= 0) : [];
  if (truth) {
    const counts = GERMAN_THEMES.map(([theme], k) => `${theme} ${truth.filter((t) => t === k).length}`);
    console.log(`  themes by rule: ${counts.join(', ')}; ${texts.length - labelled.length} comments without one theme left out`);
  }
  const keywordsByLayer = first.layers.map((labels) => clusterKeywords(texts, labels, { topN: 10, languages }));
  const topWords = keywordsByLayer.map((byCluster) => [...byCluster.entries()].sort((a, b) => a[0] - b[0]).map(([, k]) => k.keywords));
  const silhouettes = layerSilhouettes(first.vectors, first.layers);
  const npmi = layerNpmiCoherence(topWords, texts, languages);
  console.log('  layer  clusters  noise  silhouette   NPMI  diversity  ARI seeds' + (truth ? '  purity   NMI' : ''));
  first.layers.forEach((labels, layer) => {
    const clusters = new Set(labels.filter((l) => l >= 0)).size;
    const noise = labels.filter((l) => l < 0).length / labels.length;
    const ari = second.layers[layer] ? adjustedRandIndex(labels, second.layers[layer]) : Number.NaN;
    let tail = '';
    if (truth) {
      const scores = runs.map((r) => {
        const l = r.layers[layer];
        if (!l) return [Number.NaN, Number.NaN];
        const ls = labelled.map((i) => l[i]);
        const ts = labelled.map((i) => truth[i]);
        return [purity(ls, ts), normalizedMutualInformation(ls, ts)];
      });
      const mean = (k: number) => scores.reduce((s, v) => s + v[k], 0) / scores.length;
      tail = `    ${mean(0).toFixed(2)}  ${mean(1).toFixed(2)}`;
    }
    console.log(
      `  ${String(layer).padStart(5)}  ${String(clusters).padStart(8)}  ${(noise * 100).toFixed(0).padStart(4)}%  ${silhouettes[layer].toFixed(3).padStart(10)}  ${npmi[layer].toFixed(3).padStart(5)}  ${topicDiversity(topWords[layer]).toFixed(2).padStart(9)}  ${ari.toFixed(2).padStart(9)}${tail}`,
    );
  });
  const corpus = phraseCorpus(texts, { languages });
  const coarsest = first.layers.length - 1;
  const labels = first.layers[coarsest];
  const phrases = clusterLabelPhrases(corpus, labels, { topN: 10, childLabels: coarsest > 0 ? first.layers[coarsest - 1] : undefined });
  const ids = [...keywordsByLayer[coarsest].keys()].sort((a, b) => a - b);
  const names = phraseTopicNames(
    ids.map((id) => ({
      key: String(id),
      clusterId: id,
      size: labels.filter((l) => l === id).length,
      phrases: phrases.get(id) ?? [],
      keywords: keywordsByLayer[coarsest].get(id)?.keywords ?? [],
      language: detected.conversation,
    })),
  );
  console.log(`  coarsest layer ${coarsest}:`);
  for (const id of ids) {
    const size = labels.filter((l) => l === id).length;
    console.log(`    ${String(id).padStart(2)} (${size}) "${names.get(String(id))}": ${keywordsByLayer[coarsest].get(id)?.keywords.slice(0, 5).join(', ')}`);
  }
}

async function main() {
  const { values } = parseArgs({ options: { data: { type: 'string' }, embedder: { type: 'string' } } });
  const data = path.resolve(values.data ?? path.resolve(__dirname, '../../../shared/data'));
  const german = path.join(data, 'austria-climate.7z7ejpbmv5.2022-08-08');
  const chinese = path.join(data, 'vtaiwan.uberx');
  for (const folder of [german, chinese]) if (!existsSync(folder)) throw new Error(`no conversation at ${folder}`);
  await run('German (austria-climate Wohnen)', german, values.embedder, true);
  await run('Chinese (vTaiwan uberx)', chinese, values.embedder, false);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
