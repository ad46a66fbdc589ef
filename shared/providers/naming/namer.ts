/**
 * What every topic namer does, and what the LLM namers share: the prompt, bounded concurrency,
 * retries and cleaning of the reply.
 */
import { detectLanguages } from '../../algorithms/language';
import { chineseScript } from '../../algorithms/languageProfiles';
import type { LabelPhrase } from '../../algorithms/phrases';
import { cleanTopicLabel } from '../../algorithms/topicNames';
import type { TopicNamerName } from '../settings';
import { mapConcurrent, RetryableFailure, withRetries, type RetryPolicy } from '../http';

export interface ClusterToName {
  /** Keys the result: the cluster_key (`layer{L}_{C}`). */
  key: string;
  layer: number;
  clusterId: number;
  /** c-TF-IDF keywords, best first. */
  keywords: string[];
  /** The comments nearest the cluster's centroid. */
  sampleComments: string[];
  /** Names already given to the cluster's children in the finer layer (empty for layer 0). */
  childNames: string[];
  /** Number of comments in the cluster. */
  size?: number;
  /** Noun phrases of the cluster's comments by c-TF-IDF and coverage (ExtractKeywords), best first; absent in older jobs. */
  labelPhrases?: LabelPhrase[];
  /** The children (cluster_keys in the finer layer) with their names and sizes, and whether one has exactly the cluster's members. */
  children?: Array<{ key: string; name?: string; sameMembers: boolean; size?: number }>;
  /** The best label phrase of each ancestor, parent first (the keywords namer leaves them to the broader topics). */
  ancestorPhrases?: string[];
}

export interface TopicNamer {
  readonly provider: TopicNamerName;
  /** Recorded as model_name on every topic row. */
  readonly model: string;
  /** One label per cluster, keyed by ClusterToName.key. */
  name(clusters: ClusterToName[]): Promise<Map<string, string>>;
}

export interface TopicPrompt {
  system: string;
  user: string;
}

/** Asked of every LLM: short, so the model is not tempted to explain. */
export const MAX_LABEL_TOKENS = 32;
const MAX_SAMPLE_CHARACTERS = 500;
const MAX_KEYWORDS = 10;
const MAX_CHILD_NAMES = 15;

const SYSTEM_PROMPT = [
  'You name the topics of a public conversation (Polis). Each topic is a group of comments that people wrote.',
  'Reply with one label of 3 to 6 words that says what the comments of the group are about, in sentence case.',
  'Reply with the label only: no quotes, no numbering, no "Topic:" prefix, no explanation.',
].join(' ');

/**
 * The language the names are asked in, as a BCP 47 tag: the caller's (`options.label_language`),
 * else that of the clusters' sample comments ("de", "zh-Hant" for traditional characters);
 * undefined for English comments, whose prompt says nothing about the language.
 */
export function labelLanguage(clusters: readonly ClusterToName[], requested?: string): string | undefined {
  if (requested) return requested;
  const samples = clusters.flatMap((cluster) => cluster.sampleComments);
  const { conversation } = detectLanguages(samples);
  if (conversation === 'en') return undefined;
  if (conversation === 'zh') {
    const script = chineseScript(samples);
    return script ? `zh-${script}` : 'zh';
  }
  return conversation;
}

/** "German", "Traditional Chinese" — what the prompt calls a language tag. */
export function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames('en', { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/**
 * The prompt for one cluster: its keywords, its comments nearest the centroid and, for coarser
 * layers, its subtopics; with a `language` (see {@link labelLanguage}), the label is asked in it.
 */
export function topicPrompt(cluster: ClusterToName, language?: string): TopicPrompt {
  const lines = [`Keywords: ${cluster.keywords.slice(0, MAX_KEYWORDS).join(', ') || '(none)'}`];
  if (cluster.childNames.length > 0) {
    lines.push('', 'This topic groups these narrower topics:', ...cluster.childNames.slice(0, MAX_CHILD_NAMES).map((name) => `- ${name}`));
  }
  lines.push('', 'Comments nearest the centre of the topic:');
  for (const comment of cluster.sampleComments) {
    const flat = comment.replace(/\s+/g, ' ').trim();
    lines.push(`- ${flat.length > MAX_SAMPLE_CHARACTERS ? `${flat.slice(0, MAX_SAMPLE_CHARACTERS)}…` : flat}`);
  }
  lines.push('', 'Label (3 to 6 words):');
  const system = language ? `${SYSTEM_PROMPT} Write the label in ${languageName(language)}.` : SYSTEM_PROMPT;
  return { system, user: lines.join('\n') };
}

/** One completion: the raw reply text, or a thrown RetryableFailure / ProviderError. */
export type Complete = (prompt: TopicPrompt, signal: AbortSignal, what: string) => Promise<string>;

/**
 * Names every cluster with one LLM call each, at most `concurrency` at a time. A reply that cleans
 * to nothing is retried like a transient failure; a cluster that still has no label fails the step
 * (retryable): no cluster is ever given a made-up name.
 */
export async function nameWithLlm(
  clusters: ClusterToName[],
  settings: { provider: string; model: string; concurrency: number; retry: RetryPolicy; language?: string },
  complete: Complete,
): Promise<Map<string, string>> {
  const language = labelLanguage(clusters, settings.language);
  const labels = await mapConcurrent(clusters, settings.concurrency, (cluster, _index, signal) => {
    const what = `${settings.provider} ${settings.model}, cluster ${cluster.key}`;
    const prompt = topicPrompt(cluster, language);
    return withRetries(
      what,
      async ({ signal: attemptSignal }) => {
        const label = cleanTopicLabel(await complete(prompt, attemptSignal, what));
        if (!label) throw new RetryableFailure('transient', 'the reply held no usable label');
        return label;
      },
      { policy: settings.retry, signal },
    );
  });
  return new Map(clusters.map((cluster, i) => [cluster.key, labels[i]]));
}
