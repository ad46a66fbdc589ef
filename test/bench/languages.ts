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
 *   npx tsx test/bench/languages.ts [--data ../shared/data] [--embedder lsa]
 *   npx tsx test/bench/languages.ts --variants     the German conversation's LSA variants (English
 *                                                  rules, German stop words and stems, character
 *                                                  n-grams of several weights, decompounding) by
 *                                                  NMI and purity against the Handlungsfelder
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { adjustedRandIndex, normalizedMutualInformation, purity, topicDiversity } from '../../shared/algorithms/evaluation';
import { clusterLayers } from '../../shared/algorithms/clustering';
import { clusterKeywords } from '../../shared/algorithms/keywords';
import { embedLsa } from '../../shared/algorithms/lsa';
import { stemmerFor, tokenize } from '../../shared/algorithms/text';
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

/**
 * Decompounding by the conversation's own words: a word of 8+ letters is split into a word of the
 * conversation and the rest (itself split again), with a German linking s / es / n / en / e, when
 * both parts (4+ letters) occur as words or stems of the conversation. Returns a comment's parts.
 */
function decompounder(texts: string[]): (text: string) => string[] {
  const stem = stemmerFor('de');
  const words = new Set(texts.flatMap((text) => tokenize(text, 'de')));
  const stems = new Set([...words].map(stem));
  const known = (word: string) => word.length >= 4 && (words.has(word) || stems.has(stem(word)));
  const cache = new Map<string, string[]>();
  const split = (word: string): string[] => {
    const cached = cache.get(word);
    if (cached) return cached;
    let best: string[] = [];
    const shortest = (parts: string[]) => Math.min(...parts.map((part) => part.length));
    for (let i = 4; word.length >= 8 && i <= word.length - 4; i++) {
      const rest = word.slice(i);
      for (const link of ['', 's', 'es', 'n', 'en', 'e']) {
        if (link && !word.slice(0, i).endsWith(link)) continue;
        const head = word.slice(0, i - link.length);
        if (!known(head) || !known(rest)) continue;
        const inner = split(rest);
        const parts = [head, ...(inner.length > 0 ? inner : [rest])];
        if (parts.length > best.length || (parts.length === best.length && shortest(parts) > shortest(best))) best = parts;
      }
    }
    cache.set(word, best);
    return best;
  };
  return (text) => tokenize(text, 'de').flatMap(split);
}

/** NMI and purity per layer of LSA variants of the German conversation (the table of docs/analysis-quality.md "Languages"). */
async function variants(folder: string) {
  const texts = (await readPipelineComments(folder)).map((c) => c.body);
  const languages = texts.map(() => 'de');
  const truth = texts.map(germanTheme);
  const labelled = truth.map((t, i) => (t >= 0 ? i : -1)).filter((i) => i >= 0);
  const options = parseOptions({});
  const parts = decompounder(texts);
  // The parts stand after the comment, each alone: they add unigrams, no bigrams across them.
  const decompounded = texts.map((text) => `${text} . ${parts(text).join(' . ')}`);
  const runs: Array<[string, () => Float32Array[]]> = [
    ['English rules (before)', () => embedLsa(texts).vectors],
    ['German stop words + Snowball stems', () => embedLsa(texts, { languages, characterWeight: 0 }).vectors],
    ['  + character 3-5-grams, weight 0.5', () => embedLsa(texts, { languages, characterWeight: 0.5 }).vectors],
    ['  + character 3-5-grams, weight 0.65', () => embedLsa(texts, { languages, characterWeight: 0.65 }).vectors],
    ['  + character 3-5-grams, weight 0.8', () => embedLsa(texts, { languages, characterWeight: 0.8 }).vectors],
    ['  + character 3-5-grams, weight 0.9', () => embedLsa(texts, { languages, characterWeight: 0.9 }).vectors],
    ['  + decompounding', () => embedLsa(decompounded, { languages, characterWeight: 0 }).vectors],
    ['  + decompounding, character 0.5', () => embedLsa(decompounded, { languages, characterWeight: 0.5 }).vectors],
  ];
  console.log(`\nGerman LSA variants: NMI / purity against the Handlungsfelder (${labelled.length} comments), per layer`);
  for (const [name, embed] of runs) {
    const vectors = embed();
    const { layers } = clusterLayers({ vectors }, { nNeighbors: options.n_neighbors, minClusterSize: options.min_cluster_size, maxLayers: options.max_layers });
    const cells = layers.map((labels) => {
      const found = labelled.map((i) => labels[i]);
      const wanted = labelled.map((i) => truth[i]);
      return `${new Set(labels).size} clusters NMI ${normalizedMutualInformation(found, wanted).toFixed(2)} purity ${purity(found, wanted).toFixed(2)}`;
    });
    console.log(`  ${name.padEnd(38)} ${cells.join(' | ')}`);
  }
}

async function main() {
  const { values } = parseArgs({ options: { data: { type: 'string' }, embedder: { type: 'string' }, variants: { type: 'boolean' } } });
  const data = path.resolve(values.data ?? path.resolve(__dirname, '../../../shared/data'));
  const german = path.join(data, 'austria-climate.7z7ejpbmv5.2022-08-08');
  const chinese = path.join(data, 'vtaiwan.uberx');
  for (const folder of [german, chinese]) if (!existsSync(folder)) throw new Error(`no conversation at ${folder}`);
  if (values.variants) return variants(german);
  await run('German (austria-climate Wohnen)', german, values.embedder, true);
  await run('Chinese (vTaiwan uberx)', chinese, values.embedder, false);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
