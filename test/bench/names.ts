/**
 * `npx tsx test/bench/names.ts` — the offline (`keywords`) topic names of every bundled conversation,
 * made in-process as a job makes them: Embed, ProjectUmap and Cluster (`analyse`, test/bench/analysis.ts),
 * then what ExtractKeywords (shared/steps/extractKeywords.ts: label phrases, hierarchy) and NameTopics
 * (shared/steps/nameTopics.ts: finest layer first, children's names, ancestors' best phrases) pass to
 * the namer. Keep the request below in step with nameTopics.ts `nameLayer`. A benchmark that prints
 * names for a reader to judge, not a test.
 *
 *   npx tsx test/bench/names.ts                           every conversation, every layer
 *   npx tsx test/bench/names.ts --sets march-on,taxes     some (march-on, biodiversity, affordable-housing,
 *                                                         freshwater, taxes, ubi, vtaiwan, austria; austria-full,
 *                                                         the whole conversation in ../shared/data; mix-a,
 *                                                         mix-b, test/bench/quality.ts's mixes)
 *   npx tsx test/bench/names.ts --phrases                 each topic's best label phrases (coverage) too
 *   npx tsx test/bench/names.ts --save before.json        the names as JSON, to compare with later
 *   npx tsx test/bench/names.ts --compare before.json     a Markdown table: layer, topic, size, before, after
 *   --embedder lsa, --seed 7                              as a job's options (default: the pipeline's, 42)
 *
 * The layers of each conversation are kept in test-output/bench/names-layers/ (by conversation,
 * embedder and seed) and reused, so names made by two versions of the naming code are compared on the
 * same clusters; --fresh clusters again.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { detectLanguages } from '../../shared/algorithms/language';
import { clusterLabelPhrases, phraseCorpus, type LabelPhrase } from '../../shared/algorithms/phrases';
import { KeywordsNamer } from '../../shared/providers/naming/keywords';
import type { ClusterToName } from '../../shared/providers/naming/namer';
import { clusterHierarchy } from '../../shared/steps/hierarchy';
import { clusterKey } from '../../shared/steps/jobData';
import { LABEL_PHRASES } from '../../shared/steps/extractKeywords';
import { clusterKeywords } from '../../shared/algorithms/keywords';
import { analyse } from './analysis';
import { sample } from '../integration/support/exports';
import { readPipelineComments } from './datasets';

const FIXTURES = path.resolve(__dirname, '../fixtures');
/** The whole conversations the fixtures were cut from, beside the repository (absent: those sets are skipped). */
const SHARED_DATA = path.resolve(__dirname, '../../../shared/data');
const CACHE = path.resolve(__dirname, '../../test-output/bench/names-layers');
const THEMES = ['biodiversity', 'affordable-housing', 'freshwater', 'taxes', 'ubi'];
const read = async (folder: string) => (await readPipelineComments(folder)).map((c) => c.body);
const fixture = (name: string) => () => read(path.join(FIXTURES, name));
/** Each set's comments in the pipeline's order; the mixes as test/bench/quality.ts builds them (by source, then id). */
const SETS: Record<string, () => Promise<string[]>> = {
  'march-on': fixture('march-on.operation-marchin-orders'),
  ...Object.fromEntries(THEMES.map((theme) => [theme, fixture(`scoop-hivemind.${theme}`)])),
  vtaiwan: fixture('vtaiwan.uberx'),
  austria: fixture('austria-climate.wohnen-trimmed'),
  'austria-full': () => read(path.join(SHARED_DATA, 'austria-climate.7z7ejpbmv5.2022-08-08')),
  'mix-a': async () => {
    const biodiversity = await readPipelineComments(path.join(FIXTURES, 'scoop-hivemind.biodiversity'));
    const marchOn = sample(await readPipelineComments(path.join(FIXTURES, 'march-on.operation-marchin-orders')), biodiversity.length, 7);
    return [...biodiversity, ...marchOn].map((c) => c.body);
  },
  'mix-b': async () => (await Promise.all(THEMES.map((theme) => fixture(`scoop-hivemind.${theme}`)()))).flat(),
};

export interface NamedTopic {
  layer: number;
  cluster: number;
  size: number;
  name: string;
  phrases: LabelPhrase[];
}

async function layersOf(set: string, texts: string[], seed: number, embedder: string | undefined, fresh: boolean): Promise<number[][]> {
  const file = path.join(CACHE, `${set}-${embedder ?? 'default'}-${seed}.json`);
  if (!fresh && existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { texts: number; layers: number[][] };
    if (cached.texts === texts.length) return cached.layers;
  }
  const { layers } = await analyse(texts, seed, embedder);
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(file, JSON.stringify({ texts: texts.length, layers }));
  return layers;
}

/** Every topic's name, as ExtractKeywords and NameTopics would give it for these layers. */
export async function nameTopics(texts: string[], layers: number[][]): Promise<NamedTopic[]> {
  const languages = detectLanguages(texts).languages;
  const corpus = phraseCorpus(texts, { languages });
  const phrasesByLayer = layers.map((labels, layer) =>
    clusterLabelPhrases(corpus, labels, { topN: LABEL_PHRASES, childLabels: layer > 0 ? layers[layer - 1] : undefined }),
  );
  const keywordsByLayer = layers.map((labels) => clusterKeywords(texts, labels, { topN: 10, languages }));
  const nodes = clusterHierarchy(layers);
  const byKey = new Map(nodes.map((node) => [clusterKey(node.layer, node.cluster), node]));
  const phrasesOf = (key: string) => {
    const node = byKey.get(key)!;
    return phrasesByLayer[node.layer].get(node.cluster) ?? [];
  };
  const names = new Map<string, string>();
  const namer = new KeywordsNamer();
  for (let layer = 0; layer < layers.length; layer++) {
    const request: ClusterToName[] = nodes
      .filter((node) => node.layer === layer)
      .map((node) => {
        const key = clusterKey(node.layer, node.cluster);
        const ancestorPhrases: string[] = [];
        for (let parent = node.parent; parent; parent = byKey.get(parent)?.parent) {
          const best = phrasesOf(parent)[0]?.phrase;
          if (best) ancestorPhrases.push(best);
          if (ancestorPhrases.length > 8) break;
        }
        return {
          key,
          layer,
          clusterId: node.cluster,
          keywords: keywordsByLayer[layer].get(node.cluster)?.keywords ?? [],
          sampleComments: node.members.slice(0, 5).map((i) => texts[i]),
          childNames: node.children.flatMap((child) => names.get(child) ?? []),
          size: node.members.length,
          labelPhrases: phrasesOf(key),
          children: node.children.map((child) => ({ key: child, name: names.get(child), sameMembers: node.sameMembersAs === child, size: byKey.get(child)?.members.length })),
          ancestorPhrases,
        };
      });
    for (const [key, name] of await namer.name(request)) names.set(key, name);
  }
  return nodes.map((node) => {
    const key = clusterKey(node.layer, node.cluster);
    return { layer: node.layer, cluster: node.cluster, size: node.members.length, name: names.get(key)!, phrases: phrasesOf(key) };
  });
}

function printNames(set: string, topics: NamedTopic[], withPhrases: boolean): void {
  const layers = [...new Set(topics.map((t) => t.layer))].sort((a, b) => b - a);
  console.log(`\n## ${set}`);
  for (const layer of layers) {
    const inLayer = topics.filter((t) => t.layer === layer).sort((a, b) => b.size - a.size || a.cluster - b.cluster);
    console.log(`layer ${layer} (${inLayer.length} topics)`);
    for (const topic of inLayer) {
      const phrases = withPhrases ? `   [${topic.phrases.slice(0, 6).map((p) => `${p.phrase} ${p.coverage}/${p.score}`).join('; ')}]` : '';
      console.log(`  ${String(topic.cluster).padStart(3)} ${String(topic.size).padStart(4)}  ${topic.name}${phrases}`);
    }
  }
}

function printComparison(set: string, before: NamedTopic[], after: NamedTopic[]): void {
  const old = new Map(before.map((t) => [`${t.layer}/${t.cluster}`, t.name]));
  console.log(`\n### ${set}\n\n| layer | topic | size | before | after |\n|---|---|---|---|---|`);
  const ordered = [...after].sort((a, b) => b.layer - a.layer || b.size - a.size || a.cluster - b.cluster);
  for (const topic of ordered) {
    const was = old.get(`${topic.layer}/${topic.cluster}`) ?? '—';
    console.log(`| ${topic.layer} | ${topic.cluster} | ${topic.size} | ${was} | ${was === topic.name ? '=' : topic.name} |`);
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      sets: { type: 'string' },
      seed: { type: 'string', default: '42' },
      embedder: { type: 'string' },
      phrases: { type: 'boolean', default: false },
      fresh: { type: 'boolean', default: false },
      save: { type: 'string' },
      compare: { type: 'string' },
    },
  });
  const sets = values.sets ? values.sets.split(',') : Object.keys(SETS).filter((set) => set !== 'austria-full' || existsSync(SHARED_DATA));
  for (const set of sets) if (!SETS[set]) throw new Error(`Unknown set ${set}: one of ${Object.keys(SETS).join(', ')}`);
  const previous = values.compare ? (JSON.parse(readFileSync(values.compare, 'utf8')) as Record<string, NamedTopic[]>) : undefined;
  const saved: Record<string, NamedTopic[]> = {};
  for (const set of sets) {
    const texts = await SETS[set]();
    const layers = await layersOf(set, texts, Number(values.seed), values.embedder, values.fresh);
    const topics = await nameTopics(texts, layers);
    saved[set] = topics;
    if (previous?.[set]) printComparison(set, previous[set], topics);
    else printNames(set, topics, values.phrases);
  }
  if (values.save) writeFileSync(values.save, JSON.stringify(saved, null, 1));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
