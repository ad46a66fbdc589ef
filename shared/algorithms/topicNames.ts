/**
 * Topic labels: the offline `keywords` naming provider, and the cleaning applied to LLM replies.
 */
import { isNumber, mostlyAdjective, phraseStem, WEAK_LABEL_WORDS, type LabelPhrase } from './phrases';
import { languageProfile } from './languageProfiles';
import { compareCodeUnits, isEnglish, tokenize } from './text';

export { WEAK_LABEL_WORDS } from './phrases';

export interface KeywordNamingInput {
  /** Unique within one call: it keys the result. */
  clusterId: number;
  /** Best first, as `clusterKeywords` returns them (unigrams and bigrams). */
  keywords: string[];
  /** Labels are unique among clusters of the same group; clusters without a group form one group. */
  siblingGroup?: string;
  /** The language of the names (ISO 639-1: the conversation's); absent: English. */
  language?: string;
}

/** The label of a cluster that has no keywords at all. */
export const MISCELLANEOUS_LABEL = 'Miscellaneous comments';
const MAX_LABEL_WORDS = 5;
/** How far down the keyword list a label may reach for its phrases. */
const PHRASE_WINDOW = 6;
export interface PhraseNamingInput {
  /** Unique within one call: it keys the result (the cluster_key). */
  key: string;
  clusterId: number;
  /** Number of comments: larger clusters choose their names first. */
  size: number;
  /** Best first, as `clusterLabelPhrases` returns them; empty for rows of jobs made before them. */
  phrases: LabelPhrase[];
  /** c-TF-IDF keywords: the fallback when there are no phrases (see {@link keywordTopicNames}). */
  keywords: string[];
  /** The cluster's children in the finer layer, with the names they were given and their sizes. */
  children?: Array<{ key: string; name?: string; sameMembers: boolean; size?: number }>;
  /**
   * The best phrases of the cluster's ancestors (parent first): a name the broader topic will want.
   * A cluster whose best name is one of them takes a more specific phrase of the same words when it
   * has one covering at least {@link SPECIFIC_COVERAGE} ("Human rights" under "Rights").
   */
  ancestorPhrases?: string[];
  /** The language of the name (ISO 639-1: the conversation's): its word for "and"; absent: English. */
  language?: string;
}

/** Each of two joined phrases covers at least this share of the topic's comments ("X and Y"). */
export const JOIN_COVERAGE = 0.15;
/**
 * …of a coarse topic's (two children or more): a mixture of its children, in which a phrase that
 * names one child of several covers less of the whole ("Health care and education").
 */
export const COARSE_JOIN_COVERAGE = 0.125;
/** A phrase more specific than an ancestor's name names the child instead when it covers this share ("Women's rights" under "Women"). */
export const SPECIFIC_COVERAGE = 0.125;
/**
 * Words about the conversation itself rather than a subject ("views", "perspectives", "statements"):
 * a name made of them only says nothing about the topic when another phrase covers it.
 */
export const GENERIC_WORDS: ReadonlySet<string> = new Set(
  `view views perspective perspectives opinion opinions idea ideas statement statements comment comments
  question questions answer answers thought thoughts topic topics problem problems concern concerns stuff kind example
  approach approaches`.split(/\s+/),
);
/** A phrase more specific than a name a sibling took comes next when it covers this share of what that name covers. */
export const TAKEN_SPECIFIC_SHARE = 0.4;
/** A generic phrase comes after the specific phrases that cover at least this share of what it covers. */
export const GENERIC_YIELD = 0.4;
/**
 * A word found in phrases that cover {@link JOIN_COVERAGE} of at least this share of a layer's topics
 * (of three or more) is the conversation's theme there ("Uber", "housing"): it tells no sibling from
 * another, so a phrase of theme words only is taken as a generic one.
 */
export const THEME_SHARE = 0.5;
/** …and in at least this many of its comments (one comment of five is no theme). */
export const JOIN_MIN_COMMENTS = 2;
/**
 * A coarse topic whose best phrase is the name of one of its children is named by its two largest
 * children together ("Energy and climate change") when they hold at least this share of its comments.
 */
export const CHILDREN_SHARE = 0.6;
/** …and the second scores at least this share of the first (it must say something about the topic too). */
export const JOIN_SCORE_RATIO = 0.4;
/** How far down the phrase list the second phrase of a joined name may come from. */
const JOIN_WINDOW = 4;
/** Longest joined name, in words ("Gun control and assault weapons"). */
const MAX_JOINED_WORDS = 6;

/**
 * Names for the clusters of one layer, from their label phrases (noun phrases that occur in their
 * comments, scored by c-TF-IDF and coverage — shared/algorithms/phrases.ts):
 * - the name is the best phrase, joined with a second ("Gun control and assault weapons") only when
 *   each covers at least {@link JOIN_COVERAGE} of the topic's comments ({@link COARSE_JOIN_COVERAGE}
 *   in a coarse topic) and {@link JOIN_MIN_COMMENTS} of them, the second scores at least
 *   {@link JOIN_SCORE_RATIO} of the first, they share no word nor a form of one, neither has an
 *   "and" of its own ("Checks and balances") and no phrase of the topic says the two together
 *   ("Women's March": then that phrase, if it covers as much, or the first alone);
 * - phrases that a single comment contains come after those of several; words about the
 *   conversation itself ({@link GENERIC_WORDS}: "views", "statements") and the layer's theme
 *   ({@link THEME_SHARE}: "Uber" in every topic) come after the specific phrases that cover half
 *   as much, and are joined only with each other;
 * - a cluster with the same members as its child takes the child's name; otherwise it never takes a
 *   child's name, so a coarse topic says something its parts do not; one whose best phrase is a
 *   child's name is named by its two largest children together when they hold most of it
 *   ({@link CHILDREN_SHARE}: "Energy and climate change"); a cluster whose best phrase is an
 *   ancestor's takes a more specific phrase of the same words that covers {@link SPECIFIC_COVERAGE}
 *   of it ("Women's rights" under "Women"), leaving the broad name to the broad topic;
 * - names are unique within the call (one layer), names that differ only in number or case
 *   ("Woman", "Women") counting as one: clusters choose in order of size, largest first, and a
 *   cluster whose name is taken tries the more specific phrases of that name first ("White woman",
 *   {@link TAKEN_SPECIFIC_SHARE}), then its other phrases and pairs, then its keywords, then its
 *   cluster id;
 * - a cluster without phrases (a row written before they existed) is named from its keywords as
 *   {@link keywordTopicNames} does.
 */
export function phraseTopicNames(clusters: PhraseNamingInput[]): Map<string, string> {
  const used = new Set<string>();
  const names = new Map<string, string>();
  const themes = layerThemes(clusters);
  const order = [...clusters].sort((a, b) => b.size - a.size || a.clusterId - b.clusterId || compareCodeUnits(a.key, b.key));
  for (const cluster of order) {
    const children = cluster.children ?? [];
    const same = children.find((child) => child.sameMembers && child.name);
    const key = (label: string) => nameKey(label, cluster.language);
    const forbidden = new Set(children.filter((child) => !child.sameMembers && child.name).map((child) => key(child.name!)));
    const joinCoverage = children.filter((child) => !child.sameMembers).length >= 2 ? COARSE_JOIN_COVERAGE : JOIN_COVERAGE;
    const own = phraseLabelCandidates(cluster.phrases, { language: cluster.language, size: cluster.size, themes, joinCoverage });
    const fromPhrases = leaveToAncestors(own, cluster.phrases, cluster.ancestorPhrases ?? [], cluster.language, cluster.size);
    const together = fromPhrases.length > 0 && forbidden.has(key(fromPhrases[0])) ? childrenTogether(cluster) : undefined;
    const candidates = [
      ...(same?.name ? [same.name] : []),
      ...(together ? [together] : []),
      ...fromPhrases,
      ...(cluster.phrases.length === 0 || cluster.keywords.length > 0
        ? labelCandidates({ clusterId: cluster.clusterId, keywords: cluster.keywords, language: cluster.language })
        : []),
    ]
      .flatMap((label) => (used.has(key(label)) ? [label, ...moreSpecificPhrases(label, cluster)] : [label]))
      .filter((label) => !forbidden.has(key(label)));
    let label = candidates.find((candidate) => !used.has(key(candidate)));
    if (!label) {
      const base = candidates[0] ?? MISCELLANEOUS_LABEL;
      label = `${base} (cluster ${cluster.clusterId})`;
      for (let n = 2; used.has(key(label)); n++) label = `${base} (cluster ${cluster.clusterId}, ${n})`;
    }
    used.add(key(label));
    names.set(cluster.key, label);
  }
  return names;
}

/**
 * The cluster's phrases that contain every word of `label` (one of its phrases, which a larger
 * sibling has taken) and more, and cover at least {@link TAKEN_SPECIFIC_SHARE} of what it covers in
 * several comments: "White woman" when "Women" names a larger topic, before an unrelated phrase of
 * a few comments ("Man").
 */
function moreSpecificPhrases(label: string, cluster: PhraseNamingInput): string[] {
  const { language, size } = cluster;
  const taken = cluster.phrases.find((p) => nameKey(p.phrase, language) === nameKey(label, language));
  if (!taken) return [];
  const words = tokenize(taken.phrase, language);
  return cluster.phrases
    .filter((p) => p !== taken && p.coverage >= TAKEN_SPECIFIC_SHARE * taken.coverage && inSeveralComments(p.coverage, size))
    .filter((p) => {
      const own = tokenize(p.phrase, language);
      return own.length > words.length && words.every((word) => sharesWord(own.join(' '), word));
    })
    .map((p) => sentenceCase(p.phrase));
}

/**
 * "A and B" from the names of the cluster's two largest children, when they hold {@link CHILDREN_SHARE}
 * of it, each at least {@link JOIN_COVERAGE}, and each name is one of the cluster's own phrases (no
 * "and") sharing no word with the other.
 */
function childrenTogether(cluster: PhraseNamingInput): string | undefined {
  const named = (cluster.children ?? []).filter((child) => child.name && child.size).sort((a, b) => b.size! - a.size!);
  if (named.length < 2 || named[0].size! + named[1].size! < CHILDREN_SHARE * cluster.size) return undefined;
  // Each is a real share of the topic, as each phrase of a joined name is.
  if (named[1].size! < JOIN_COVERAGE * cluster.size) return undefined;
  // Each name is a phrase of the topic's own (what its comments say, not only a child's).
  const [a, b] = [named[0].name!, named[1].name!].map((name) => cluster.phrases.find((p) => nameKey(p.phrase, cluster.language) === nameKey(name, cluster.language)));
  if (!a || !b || hasAnd(a.phrase, cluster.language) || hasAnd(b.phrase, cluster.language)) return undefined;
  // …that several of its comments contain, as each phrase of a joined name must ("Highest qualification" of one comment is no theme of the whole).
  if (!inSeveralComments(a.coverage, cluster.size) || !inSeveralComments(b.coverage, cluster.size)) return undefined;
  const [wordsA, wordsB] = [tokenize(a.phrase, cluster.language), tokenize(b.phrase, cluster.language)];
  if (`${a.phrase} ${b.phrase}`.split(/\s+/u).length + 1 > MAX_JOINED_WORDS || sharesWord(wordsA.join(' '), wordsB.join(' '))) return undefined;
  return sentenceCase(joinPhrases(a.phrase, b.phrase, cluster.language));
}

/**
 * What makes two names the same name: their words in lower case, English words by the stem label
 * phrases are matched by ("Woman" and "Women", "Tax" and "Taxes", "Women's rights" and "Woman's right").
 */
function nameKey(label: string, language?: string): string {
  const words = label.toLowerCase().split(/\s+/u);
  if (!isEnglish(language)) return words.join(' ');
  return words.map((word) => phraseStem(word.replace(/['’]s$/u, ''))).join(' ');
}

interface CandidateOptions {
  language?: string;
  /** The topic's number of comments. */
  size?: number;
  /** The layer's theme words (see {@link layerThemes}). */
  themes?: ReadonlySet<string>;
  /** {@link JOIN_COVERAGE}, or {@link COARSE_JOIN_COVERAGE} for a coarse topic. */
  joinCoverage?: number;
}

/**
 * A cluster's names from its phrases, preferred first: the best phrase joined with a second if the
 * join rule allows, the best phrase alone, then the other phrases (each joined if it can be, then
 * alone). Two phrases that one phrase of the list says together ("management", "biodiversity" →
 * "biodiversity management") are not joined: that phrase leads instead.
 */
function phraseLabelCandidates(phrases: LabelPhrase[], options: CandidateOptions = {}): string[] {
  const { language, size, themes = new Set<string>(), joinCoverage = JOIN_COVERAGE } = options;
  const candidates: string[] = [];
  const add = (label: string) => {
    if (label && !candidates.some((c) => c.toLowerCase() === label.toLowerCase())) candidates.push(label);
  };
  const theme = (p: LabelPhrase) => themes.size > 0 && themeWords(p.phrase, language).every((word) => themes.has(word));
  const generic = (p: LabelPhrase) => isGeneric(p, language) || theme(p);
  const usable = severalFirst(specificFirst(phrases.filter((p) => p.phrase.trim().length > 0), generic), size);
  // A phrase of the list that says both ("Women's March" for "women", "March").
  const unitOf = (a: LabelPhrase, b: LabelPhrase) => usable.find((p) => p !== a && p !== b && saysBoth(p, a, b, language));
  const secondFor = (first: LabelPhrase, from: number, apart = false) =>
    usable
      .slice(from, from + JOIN_WINDOW)
      // "Compromise and views": a generic word adds nothing to a specific one, nor the other way round.
      .find((other) => other !== first && joinable(first, other, language, size, joinCoverage) && generic(other) === generic(first) && !(apart && unitOf(first, other)));
  for (let i = 0; i < usable.length; i++) {
    let first = usable[i];
    let second = secondFor(first, i + 1);
    const together = second && unitOf(first, second);
    if (together && together.coverage >= joinCoverage) {
      first = together;
      second = secondFor(first, 0, true);
    } else {
      // Two words the comments write as one phrase are one theme, not two to join.
      second = secondFor(first, i + 1, true);
    }
    if (second) add(sentenceCase(joinPhrases(first.phrase, second.phrase, language)));
    add(sentenceCase(first.phrase));
  }
  return candidates;
}

/** Whether a phrase is made of {@link GENERIC_WORDS} only (English; other languages have no such list). */
function isGeneric(phrase: LabelPhrase, language?: string): boolean {
  if (!isEnglish(language)) return false;
  const words = tokenize(phrase.phrase, language);
  return words.length > 0 && words.every((word) => GENERIC_WORDS.has(word));
}

/** The phrases in rank order, each generic one moved after the specific ones that cover at least {@link GENERIC_YIELD} of what it covers. */
function specificFirst(phrases: LabelPhrase[], generic: (phrase: LabelPhrase) => boolean): LabelPhrase[] {
  const place = phrases.map((phrase, i) => {
    if (!generic(phrase)) return i;
    let after = i;
    phrases.forEach((other, k) => {
      if (!generic(other) && other.coverage >= GENERIC_YIELD * phrase.coverage) after = Math.max(after, k + 0.5);
    });
    return after;
  });
  return phrases.map((phrase, i) => ({ phrase, at: place[i], i })).sort((a, b) => a.at - b.at || a.i - b.i).map(({ phrase }) => phrase);
}

/** Whether {@link JOIN_MIN_COMMENTS} or more of the topic's `size` comments contain a phrase of this coverage (unknown size: yes). */
function inSeveralComments(coverage: number, size?: number): boolean {
  return size === undefined || Math.round(coverage * size) >= JOIN_MIN_COMMENTS;
}

/** Phrases that several of the topic's `size` comments contain before those of a single comment ("20km of a freshwater body"). */
function severalFirst(phrases: LabelPhrase[], size?: number): LabelPhrase[] {
  const several = (p: LabelPhrase) => inSeveralComments(p.coverage, size);
  return [...phrases.filter(several), ...phrases.filter((p) => !several(p))];
}

/** A phrase's words as themes are counted: English ones by their stem ("housing" in "housing units"). */
function themeWords(phrase: string, language?: string): string[] {
  return tokenize(phrase, language).map((word) => (isEnglish(language) ? phraseStem(word) : word));
}

/** The layer's theme words (see {@link THEME_SHARE}). */
function layerThemes(clusters: PhraseNamingInput[]): Set<string> {
  const themes = new Set<string>();
  if (clusters.length < 3) return themes;
  const counts = new Map<string, number>();
  for (const cluster of clusters) {
    const words = new Set(cluster.phrases.filter((p) => p.coverage >= JOIN_COVERAGE).flatMap((p) => themeWords(p.phrase, cluster.language)));
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  for (const [key, count] of counts) if (count >= THEME_SHARE * clusters.length) themes.add(key);
  return themes;
}

/** Whether `phrase` has a word of `a` and a word of `b` (or forms of them). */
function saysBoth(phrase: LabelPhrase, a: LabelPhrase, b: LabelPhrase, language?: string): boolean {
  const words = tokenize(phrase.phrase, language).join(' ');
  return sharesWord(words, tokenize(a.phrase, language).join(' ')) && sharesWord(words, tokenize(b.phrase, language).join(' '));
}

function hasAnd(phrase: string, language?: string): boolean {
  const and = isEnglish(language) ? 'and' : languageProfile(language!).and;
  return phrase.toLowerCase().split(/\s+/u).includes(and);
}

/** "X and Y" in the language: its word for "and", without spaces in a script written without them ("計程車與司機"). */
function joinPhrases(first: string, second: string, language?: string): string {
  if (isEnglish(language)) return `${first} and ${second}`;
  const { and, wordJoiner } = languageProfile(language!);
  return wordJoiner === '' ? `${first}${and}${second}` : `${first} ${and} ${second}`;
}

/** Keyword terms (words joined by spaces) as a name shows them: without the spaces in a script written without them. */
function showTerms(words: string, language?: string): string {
  if (isEnglish(language) || languageProfile(language!).wordJoiner !== '') return words;
  return words.replace(/(?<=[^\p{Script=Latin}\d]) | (?=[^\p{Script=Latin}\d])/gu, '');
}

/**
 * Moves forward, when the preferred name is an ancestor's best phrase, the cluster's phrases that
 * contain all its words and cover at least SPECIFIC_COVERAGE: the broad name stays free for the broad topic.
 */
function leaveToAncestors(candidates: string[], phrases: LabelPhrase[], ancestors: string[], language?: string, size?: number): string[] {
  if (candidates.length === 0) return candidates;
  const reserved = ancestors.find((phrase) => phrase.toLowerCase() === candidates[0].toLowerCase());
  if (!reserved) return candidates;
  const words = tokenize(reserved, language);
  const specific = phrases
    .filter((p) => p.coverage >= SPECIFIC_COVERAGE && inSeveralComments(p.coverage, size))
    .filter((p) => p.phrase.toLowerCase() !== reserved.toLowerCase())
    .filter((p) => {
      const own = tokenize(p.phrase, language).join(' ');
      return own.split(' ').length > words.length && words.every((word) => sharesWord(own, word));
    })
    .map((p) => sentenceCase(p.phrase));
  return specific.length > 0 ? [...specific, ...candidates] : candidates;
}

/**
 * The join rule: both cover a real share of the topic (of its `size` comments, when given: at least
 * {@link JOIN_MIN_COMMENTS}), the second scores near the first, no shared word.
 */
export function joinable(first: LabelPhrase, second: LabelPhrase, language?: string, size?: number, coverage = JOIN_COVERAGE): boolean {
  if (first.coverage < coverage || second.coverage < coverage) return false;
  if (!inSeveralComments(Math.min(first.coverage, second.coverage), size)) return false;
  // A pair the comments wrote ("checks and balances") is joined with nothing more.
  if (hasAnd(first.phrase, language) || hasAnd(second.phrase, language)) return false;
  if (second.score < JOIN_SCORE_RATIO * first.score) return false;
  const a = tokenize(first.phrase, language);
  const b = tokenize(second.phrase, language);
  if (a.length + b.length + 1 > MAX_JOINED_WORDS) return false;
  return !sharesWord(a.join(' '), b.join(' '));
}

/**
 * Labels built from each cluster's top keyword phrases, in sentence case, 2–5 words:
 * - the first phrase is the top keyword, or a phrase of several words among the top few that contains
 *   it ("cats" → "feral cats"), since a bigram reads as a topic more than a single word;
 * - the second is the next keyword sharing no word (nor a form of one: "vote", "voting") with the
 *   first: "Water quality and rivers";
 * - phrases made only of generic opinion words ("need", "believe", "people") come last;
 * - a lone unigram becomes "Comments about dogs"; no keyword at all gives "Miscellaneous comments".
 *
 * Within a sibling group no two clusters get the same label (case-insensitive). Clusters are served
 * in input order: a later cluster whose preferred label is taken tries other pairs of its phrases,
 * then its label followed by a keyword in parentheses, then by its cluster id.
 */
export function keywordTopicNames(clusters: KeywordNamingInput[]): Map<number, string> {
  const taken = new Map<string, Set<string>>();
  const names = new Map<number, string>();
  for (const cluster of clusters) {
    const group = cluster.siblingGroup ?? '';
    let used = taken.get(group);
    if (!used) {
      used = new Set();
      taken.set(group, used);
    }
    const label = firstFree(labelCandidates(cluster), used);
    used.add(label.toLowerCase());
    names.set(cluster.clusterId, label);
  }
  return names;
}

function firstFree(candidates: string[], used: Set<string>): string {
  for (const candidate of candidates) if (!used.has(candidate.toLowerCase())) return candidate;
  // labelCandidates always ends with a label carrying the cluster id, unique within a call.
  return candidates[candidates.length - 1];
}

/** Every label the cluster could take, preferred first; the last one is always unique. */
function labelCandidates(cluster: KeywordNamingInput): string[] {
  const { language } = cluster;
  const phrases = normalisePhrases(cluster.keywords, language);
  const candidates: string[] = [];
  const add = (words: string) => {
    const label = sentenceCase(showTerms(words, language));
    if (!candidates.includes(label)) candidates.push(label);
  };
  if (phrases.length === 0) {
    add(MISCELLANEOUS_LABEL);
    add(`${MISCELLANEOUS_LABEL} (cluster ${cluster.clusterId})`);
    return candidates;
  }

  const strong = phrases.filter((phrase) => !isWeak(phrase));
  const window = [...strong, ...phrases.filter(isWeak)].slice(0, PHRASE_WINDOW);
  const firsts = preferredFirstPhrases(window);
  for (const first of firsts) {
    for (const second of window) {
      if (sharesWord(first, second)) continue;
      if (wordCount(first) + 1 + wordCount(second) > MAX_LABEL_WORDS) continue;
      add(joinPhrases(first, second, language));
    }
  }
  for (const first of firsts) add(wordCount(first) >= 2 || !isEnglish(language) ? first : `comments about ${first}`);

  // Last resorts: disambiguate the preferred label with another keyword, then with the cluster id.
  const base = candidates[0];
  for (const phrase of phrases) {
    if (!base.toLowerCase().split(' ').some((word) => phrase.split(' ').includes(word))) {
      add(`${base} (${phrase})`);
    }
  }
  add(`${base} (cluster ${cluster.clusterId})`);
  return candidates;
}

/**
 * Phrases in the order they should lead a label: the top phrase, preceded by a longer phrase of the
 * window that contains it, then the remaining phrases in rank order.
 */
function preferredFirstPhrases(window: string[]): string[] {
  const top = window[0];
  const ordered: string[] = [];
  if (wordCount(top) === 1) {
    const longer = window.find((phrase) => wordCount(phrase) > 1 && phrase.split(' ').includes(top));
    if (longer) ordered.push(longer);
  }
  for (const phrase of window) if (!ordered.includes(phrase)) ordered.push(phrase);
  return ordered;
}

/**
 * Lower-case phrases without stop words or punctuation, duplicates removed, rank order kept; none that
 * starts or ends with a number ("30 years", "55": a bracket of a demographic question, no topic),
 * no English word alone that is most often an adjective ("older"), as label phrases have none.
 */
function normalisePhrases(keywords: string[], language?: string): string[] {
  const phrases: string[] = [];
  for (const keyword of keywords) {
    const words = tokenize(keyword, language).slice(0, MAX_LABEL_WORDS);
    if (words.length > 0 && (isNumber(words[0]) || isNumber(words[words.length - 1]))) continue;
    if (words.length === 1 && isEnglish(language) && mostlyAdjective(words[0])) continue;
    const phrase = words.join(' ');
    if (phrase && !phrases.includes(phrase)) phrases.push(phrase);
  }
  return phrases;
}

function isWeak(phrase: string): boolean {
  return phrase.split(' ').every((word) => WEAK_LABEL_WORDS.has(word));
}

/** Whether two phrases share a word or a form of one ("vote" / "voting", "woman" / "women"). */
function sharesWord(a: string, b: string): boolean {
  const words = a.split(' ');
  return b.split(' ').some((other) => words.some((word) => sameRoot(word, other)));
}

/**
 * Crude stemming: a common prefix of at least 3 characters and all but 3 of the shorter word
 * ("immigrants" / "immigration"). Unrelated words that pass ("climate" / "clinic") only cost a
 * pairing choice.
 */
function sameRoot(a: string, b: string): boolean {
  if (a === b) return true;
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return prefix >= Math.max(3, Math.min(a.length, b.length) - 3);
}

function wordCount(phrase: string): number {
  return phrase.split(' ').length;
}

function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const MAX_CLEAN_WORDS = 6;
const MAX_CLEAN_CHARS = 80;
const LABEL_PREFIX =
  /^(?:(?:suggested|proposed|short|final)\s+)?(?:topic\s+label|topic\s+name|topic|label|title|name|answer|category|theme|cluster(?:\s+name)?)(?:\s*#?\d+)?\s*(?::|-|–|—|=)\s*/i;
const DANGLING_WORDS: ReadonlySet<string> = new Set(
  'a an and as at between by for from in into of on or the to vs vs. with without'.split(' '),
);
const OPENING_QUOTES = '"“„«\'‘`';
const CLOSING_QUOTES: Record<string, string> = {
  '"': '"',
  '“': '”',
  '„': '“',
  '«': '»',
  "'": "'",
  '‘': '’',
  '`': '`',
};

/**
 * Turns an LLM reply into a bare topic label: the first line that is not a preamble ("Here is a
 * label:") or a code fence; without markdown (**, __, #, `, bullets), numbering ("1.", "2)"),
 * "L_C:" ids, prefixes such as "Topic:", "Label -", "Topic name:", surrounding quotes and trailing
 * . , ; :; whitespace collapsed; cut to at most 6 words and 80 characters at a word boundary, a
 * cut label losing a dangling last word such as "and" or "from".
 * Returns "" when nothing is left (the caller decides what an empty label means).
 */
export function cleanTopicLabel(raw: string): string {
  const lines = raw
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('```'));
  // A line ending in a colon introduces the label on the next line ("Here is a short label:").
  let line = lines.find((candidate, i) => !(candidate.endsWith(':') && i < lines.length - 1)) ?? '';

  let previous: string;
  do {
    previous = line;
    line = line
      .replace(/\*\*|__|`/g, '')
      .replace(/^#+\s*/, '')
      .replace(/^[-*•>]+\s+/, '')
      .replace(/^\(?\d{1,2}[.)]\s+/, '')
      .replace(/^\d+_\d+\s*[:\-–—]\s*/, '')
      .replace(LABEL_PREFIX, '')
      .replace(/^\*(.*)\*$/, '$1')
      .replace(/^_(.*)_$/, '$1')
      .replace(/[.,;:]+$/, '')
      .trim();
    line = stripQuotes(line);
  } while (line !== previous);

  const allWords = line.split(/\s+/).filter((word) => word.length > 0);
  const words = allWords.slice(0, MAX_CLEAN_WORDS);
  while (words.length > 1 && words.join(' ').length > MAX_CLEAN_CHARS) words.pop();
  // A cut label should not end dangling on "and", "of", "from"…
  if (words.length < allWords.length) {
    while (words.length > 1 && DANGLING_WORDS.has(words[words.length - 1].toLowerCase())) words.pop();
  }
  let label = words.join(' ');
  if (label.length > MAX_CLEAN_CHARS) label = label.slice(0, MAX_CLEAN_CHARS);
  return label.replace(/[.,;:]+$/, '').trim();
}

/** Removes a matching pair of outer quotes, or a lone double quote left at either end. */
function stripQuotes(text: string): string {
  const first = text.charAt(0);
  if (OPENING_QUOTES.includes(first) && text.length >= 2 && text.endsWith(CLOSING_QUOTES[first])) {
    return text.slice(1, -1).trim();
  }
  return text.replace(/^["“”„«»]+/, '').replace(/["“”„«»]+$/, '').trim();
}
