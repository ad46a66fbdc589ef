/**
 * Label phrases: the noun phrases, taken from a cluster's own comments, that name it best. They are
 * what the offline `keywords` namer builds topic names from (shared/algorithms/topicNames.ts).
 *
 * A candidate is a run of 1–4 words that stands in a comment as written ("Opioid addiction
 * treatment", "Minimum wage increase", "Right to vote"), scored by two things at once:
 * - its c-TF-IDF in the cluster against the other clusters of the same layer (as
 *   `clusterKeywords`, with each comment counting a phrase once), so a phrase the cluster owns
 *   beats one every cluster uses;
 * - its coverage: the share of the cluster's comments that contain it — all its content words, in
 *   order, compared by light stem, a few words apart at most ("treatment for opioid addiction"
 *   does not contain "opioid addiction treatment", "raise the minimum wage" contains "minimum wage").
 */
import { languageProfile } from './languageProfiles';
import { compareCodeUnits, ENGLISH_STOP_WORDS, isEnglish, lightStem, prepareText, profileWords, withoutLinks } from './text';

/**
 * Words that rank high in opinion comments ("we need", "I believe", "people want") but say nothing
 * about the topic. No label phrase starts or ends with one (but see {@link PERSON_HEADS}); the keyword lists keep them.
 */
export const WEAK_LABEL_WORDS: ReadonlySet<string> = new Set(
  `want wants wanted need needs needed believe believes think like just make makes making good better
  best important people support issue issues really way ways thing things lot lots new time times
  know use used say said going let great able sure agree stop start help come comes point`.split(/\s+/),
);
/**
 * Weak words that head a phrase naming a group of people: after an adjective ("young people",
 * "disabled people") or before an inner word ("people of color", "people with disabilities").
 */
const PERSON_HEADS: ReadonlySet<string> = new Set(['people', 'person']);

export interface LabelPhrase {
  /**
   * As it most often appears in the comments, each word lower case unless the comments mostly
   * capitalise it mid-sentence ("climate change", "Donald Trump", "NZ's rivers").
   */
  phrase: string;
  /** The ranking score, rounded to 6 decimals (higher is better; only comparable within a cluster). */
  score: number;
  /** Share of the cluster's comments that contain the phrase, rounded to 4 decimals. */
  coverage: number;
}

export interface LabelPhraseOptions {
  /** Phrases kept per cluster (default 10). */
  topN?: number;
  /**
   * The labels of the next finer layer, aligned with `labels`: a coarse cluster then prefers
   * phrases that cover several of its children over one that covers only its biggest child.
   */
  childLabels?: ArrayLike<number>;
}

const NOISE = -1;
const DEFAULT_TOP_N = 10;
/** Longest phrase, in words. */
export const MAX_PHRASE_WORDS = 4;
/** Candidates per cluster (best c-TF-IDF first) whose coverage is measured. */
const SHORTLIST = 80;
/** How many other words may stand between two words of a phrase for a comment to contain it. */
const MAX_GAP = 2;
/**
 * A phrase of several words replaces a shorter phrase it contains (its head word: "parking" →
 * "downtown parking") when it covers at least this share of the comments the shorter one covers.
 */
export const NEARLY_AS_MUCH = 0.5;
/** The plural form is shown when it is seen at least this share as often as the singular. */
const PLURAL_SHARE = 0.5;
/** How much an occurrence followed by another content word counts when choosing a written form. */
const HEADLESS_WEIGHT = 0.25;
/** …and as many children of a coarse cluster, give or take this share ("traps for possums" does not replace "possums"). */
const SAME_BREADTH = 0.75;
/** A child of a coarse cluster is "covered" by a phrase found in this share of its comments. */
const CHILD_COVERAGE = 0.15;

/**
 * Stop words allowed inside a phrase (never at its ends): "freedom of speech", "money in politics",
 * and "and" of a pair the comments write as one ("checks and balances", "law and order").
 */
const INNER_WORDS: ReadonlySet<string> = new Set(['of', 'in', 'for', 'to', 'on', 'and']);
/** Allowed right after an inner word: "freedom of the press". */
const ARTICLES: ReadonlySet<string> = new Set(['the', 'a', 'an']);
/**
 * Words that make a phrase a clause or a request rather than the name of a thing when it starts
 * with them: modal verbs, adverbs and imperative verbs of opinion comments ("should ban", "more
 * funding", "protect national parks" — the last gives "national parks" instead).
 */
const BAD_START: ReadonlySet<string> = new Set(
  `should must more most less very really also just only even still always never often already
  actually definitely certainly truly simply especially get gets getting got make makes let allow allows allowing
  stop stops keep keeps give gives take takes put go goes ensure ensuring provide providing create creating
  increase increasing decrease reduce reducing raise raising lower lowering ban banning end ending
  protect protecting fund funding require requiring remove removing eliminate eliminating abolish repeal
  overturn pass impeach fight fighting hold bring bringing address addressing promote promoting
  continue encourage expand improve improving invest investing focus work working vote voted elect
  understand learn teach listen care love hate combat tackle address addresses addressed defend
  save fix solve solves stand join help start begin live discriminate thinking develop restore conserve preserve
  win wins does continuing year years month months week weeks day days
  implement consider enforce regulate establish maintain prevent prioritise prioritize guide achieve build enable feel felt found seems done doing dont don't can't won't
  isn't aren't please thank thanks yes ok okay`.split(/\s+/),
);
/** Words a phrase never ends with: adverbs and verb forms that leave it hanging ("funding now"). */
const BAD_END: ReadonlySet<string> = new Set(
  `today now anymore ever first also instead overall especially etc asap
  needed required allowed based related involved included given done getting making old
  speaks matters exists happens seems came went agreed identify ends understood does continuing addressing term
  should must more most less very really`.split(/\s+/),
);
/**
 * Adjectives and prefixes: they start good phrases ("Public education", "Pro-choice", "Social
 * security") but a phrase neither ends with one ("clear concise") nor is one alone.
 */
const MODIFIERS: ReadonlySet<string> = new Set(
  `pro anti non pre post multi bi co semi sub un real clear concise free public political social national
  natural local human equal wild new old big small high low large great common true false fair strong
  different current due main major basic whole full poor rich federal global general personal private
  economic environmental legal illegal moral open fine far long short hard easy possible necessary
  available wrong key top sure ready universal higher lower single multiple various several bad
  central certain specific serious fundamental basic overall entire native indigenous introduced sustainable mental racist welcoming`.split(/\s+/),
);
/**
 * Words that are no topic on their own though they belong in phrases: generic nouns, nationalities
 * ("White women", "African American", "New Zealand"), verbs of opinion comments.
 */
const NOT_ALONE: ReadonlySet<string> = new Set(
  `white black american americans country countries world kiwi kiwis nz zealand zealanders everyone
  right thank thanks hi hello yes including regarding concerning against year years day days month
  months week weeks live living lives person persons identify identified identifying came went supporting speaks
  imagine matter matters happen happens exist exists seem agreed`.split(/\s+/),
);
/** Adjective endings: a phrase does not end with a word ending so ("dangerous", "sustainable", "political"). */
const ADJECTIVE_ENDING = /(?:ous|ful|less|able|ible|ical)$/;
/** Words in -ly that are nouns; any other word in -ly is an adverb ("clearly") and ends no phrase. */
const LY_NOUNS: ReadonlySet<string> = new Set(
  'family supply ally rally italy july assembly monopoly anomaly butterfly reply bully belly holly lily'.split(' '),
);
const isAdverb = (word: string) => word.length > 4 && word.endsWith('ly') && !LY_NOUNS.has(word);
/** Plurals that do not end in -s: a phrase in one number is the same candidate as in the other ("woman", "women"). */
const IRREGULAR_PLURALS: Readonly<Record<string, string>> = {
  women: 'woman', men: 'man', children: 'child', feet: 'foot', teeth: 'tooth', mice: 'mouse', geese: 'goose',
  oxen: 'ox', wives: 'wife', knives: 'knife', wolves: 'wolf', halves: 'half', shelves: 'shelf',
};
const SINGULAR_TO_PLURAL: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(IRREGULAR_PLURALS).map(([plural, singular]) => [singular, plural]));
/**
 * The stem a phrase is matched by: `lightStem`, one stem for both numbers of an irregular plural and
 * of a plural in -es ("taxes" and "tax", "churches" and "church", which `lightStem` leaves apart).
 */
export function phraseStem(lower: string): string {
  const singular = IRREGULAR_PLURALS[lower] ?? lower;
  const stem = lightStem(singular);
  return /(?:x|ch|sh|ss|zz)e$/.test(stem) && /es$/.test(singular) ? stem.slice(0, -1) : stem;
}
const isModifier = (word: string) => MODIFIERS.has(word) || ADJECTIVE_ENDING.test(word);

let partsOfSpeech: Readonly<Record<string, string | undefined>> | undefined;
/**
 * The Penn tags of an English word by the en-lexicon package (about 110,000 words, most likely tag
 * first: "future" JJ|NN, "plant" NN|VB); undefined for a word it does not know (a name, an
 * abbreviation, a compound). Loaded on first use: only the steps that make label phrases pay for it.
 */
function tagsOf(word: string): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  partsOfSpeech ??= (require('en-lexicon') as { lexicon: Record<string, string> }).lexicon;
  return Object.hasOwn(partsOfSpeech, word) ? partsOfSpeech[word] : undefined;
}

/** Whether an English word can be a noun ("abundant" JJ, "identify" VB, "older" JJR: no; "species" NNS: yes; unknown: may be). */
function canBeNoun(word: string): boolean {
  const tags = tagsOf(word);
  return tags === undefined || /(?:^|\|)NN/.test(tags);
}

/** Words the lexicon tags as adjectives first that comments use as nouns ("the military"). */
const NOUNS_FIRST: ReadonlySet<string> = new Set(['military']);
/** Whether a word is most often an adjective ("progressive" JJ|NN, "young", "female"): no topic alone, though its plural is ("progressives"). */
export function mostlyAdjective(word: string): boolean {
  return /^JJ/.test(tagsOf(word) ?? '') && !NOUNS_FIRST.has(word);
}

/**
 * Whether a word can stand inside a noun phrase: a noun, an adjective, a participle or a number by
 * its tags (unknown words may); not a verb or adverb only ("deserve", "expect", "disproportionately"),
 * which make the run a clause ("Dreamers deserve to stay", "survey fails statistical polling").
 */
function canBeNominal(word: string): boolean {
  const tags = tagsOf(word);
  // Most often a finite verb ("fails" VBZ|NNS, "affects", "raises"): a clause, though the lexicon allows a noun.
  return tags === undefined || (/(?:^|\|)(?:NN|JJ|VBG|VBN|CD|FW)/.test(tags) && !/^VB[ZD]/.test(tags));
}

/**
 * A word: letters, combining marks and digits with inner apostrophes, as `tokenRuns` reads them
 * (shared/algorithms/text.ts); a hyphen or whitespace between two words keeps them in one phrase,
 * any other punctuation ends it.
 */
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*/gu;
const PHRASE_GAP = /^(?:\s+|[-‐‑])$/u;
const SENTENCE_END = /[.!?;:\n]/u;

export interface Token {
  /** As written ("Trump's", "NZ"). */
  surface: string;
  /** Lower case, possessive removed ("trump", "nz"). */
  lower: string;
  stem: string;
  /** A stop word, or one character long. */
  stop: boolean;
  /** First word of a sentence (its capital says nothing). */
  initial: boolean;
  /** The separator before it inside a run: ' ' or '-', '' between words of a script without spaces (and before the first word of a run). */
  joiner: string;
  /** The language of a word not read by the English rules (ISO 639-1); absent: English. */
  language?: string;
  /** A weak word of that language (see WEAK_WORDS_BY_LANGUAGE); English tokens use {@link WEAK_LABEL_WORDS}. */
  weak?: boolean;
}

/**
 * Weak words of other languages (see {@link WEAK_LABEL_WORDS}): opinion verbs and generic nouns
 * that the stop word lists keep.
 */
const WEAK_WORDS_BY_LANGUAGE: Record<string, ReadonlySet<string>> = {
  de: new Set(
    `sollte sollten soll sollen muss müssen müsste braucht brauchen gibt geben machen wichtig besser gut finde
    meinung frage thema möglich mehr weniger viele menschen leute sinnvoll`.split(/\s+/),
  ),
  zh: new Set('覺得 觉得 認為 认为 應該 应该 希望 需要 問題 问题 支持 反對 反对 大家 我們 我们 東西 东西 方式 事情 部分 可能 必須 必须'.split(' ')),
};
/** Sentence punctuation of scripts without spaces too ("。", "！"). */
const WIDE_SENTENCE_END = /[.!?;:\n。！？；：]/u;
/** Scripts in which a word of one or two characters can name a topic (司機, 稅). */
const LOGOGRAPHIC = /[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const hasCase = (word: string) => word.toUpperCase() !== word.toLowerCase();

/**
 * Runs of words not broken by punctuation other than a hyphen; stop words are kept. `language`
 * (ISO 639-1): the words, stop words and stems of that language; none or "en": English.
 */
export function phraseRuns(text: string, language?: string): Token[][] {
  if (!isEnglish(language)) return profilePhraseRuns(text, language!);
  const runs: Token[][] = [];
  let current: Token[] = [];
  let previousEnd = 0;
  let firstWord = true;
  const normalised = withoutLinks(text.normalize('NFC'));
  for (const match of normalised.matchAll(WORD)) {
    const start = match.index ?? 0;
    const gap = normalised.slice(previousEnd, start);
    const initial = firstWord || SENTENCE_END.test(gap);
    firstWord = false;
    previousEnd = start + match[0].length;
    const joined = PHRASE_GAP.test(gap) && current.length > 0;
    if (!joined && current.length > 0) {
      runs.push(current);
      current = [];
    }
    const surface = match[0].replace(/’/g, "'");
    let lower = surface.toLowerCase();
    if (lower.endsWith("'s") && !ENGLISH_STOP_WORDS.has(lower)) lower = lower.slice(0, -2);
    const stop = ENGLISH_STOP_WORDS.has(lower) || [...lower].length < 2;
    current.push({
      surface,
      lower,
      stem: stop ? lower : phraseStem(lower),
      stop,
      initial,
      joiner: joined ? (/^\s+$/u.test(gap) ? ' ' : '-') : '',
    });
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/** {@link phraseRuns} for a language other than English: its segmenter or word pattern, stop words and stems. */
function profilePhraseRuns(text: string, language: string): Token[][] {
  const profile = languageProfile(language);
  const weak = WEAK_WORDS_BY_LANGUAGE[language];
  const source = withoutLinks(prepareText(text, language));
  const runs: Token[][] = [];
  let current: Token[] = [];
  let previousEnd = 0;
  let firstWord = true;
  for (const { word, start, end } of profileWords(source, profile)) {
    const gap = source.slice(previousEnd, start);
    const initial = firstWord || WIDE_SENTENCE_END.test(gap);
    firstWord = false;
    previousEnd = end;
    const joined = (gap === '' || PHRASE_GAP.test(gap)) && current.length > 0;
    if (!joined && current.length > 0) {
      runs.push(current);
      current = [];
    }
    const surface = word.replace(/’/g, "'");
    const lower = surface.toLowerCase();
    const stop = profile.stopWords.has(lower) || ([...lower].length < 2 && !LOGOGRAPHIC.test(lower));
    current.push({
      surface,
      lower,
      stem: stop ? lower : profile.stem(lower),
      stop,
      initial,
      joiner: joined ? (gap === '' ? '' : /^\s+$/u.test(gap) ? ' ' : '-') : '',
      language,
      weak: weak?.has(lower) ?? false,
    });
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/** A word of digits only ("55", "2070"). */
export const isNumber = (word: string) => /^\p{N}+$/u.test(word);
const ORDINAL = /^\p{N}+(?:st|nd|rd|th)$/u;
const isWeak = (token: Token) => (token.language === undefined ? WEAK_LABEL_WORDS.has(token.lower) : token.weak === true);

/** Capitalised where a sentence does not start: a name ("Citizens United", "Black Lives Matter"). */
const writtenAsName = (token: Token) => /^\p{Lu}/u.test(token.surface) && !token.initial;

/** Whether tokens[i..j] may be a label phrase (see the module comment and the word lists above). */
function acceptable(tokens: Token[], i: number, j: number): boolean {
  const first = tokens[i];
  const last = tokens[j];
  if (first.stop || last.stop) return false;
  if (first.language !== undefined) return !isWeak(first) && !isWeak(last) && acceptableInLanguage(tokens, i, j);
  const groupOfPeople = (k: number) =>
    PERSON_HEADS.has(tokens[k].lower) && j > i &&
    (k === i ? INNER_WORDS.has(tokens[i + 1].lower) && tokens[i + 1].lower !== 'and' : isModifier(tokens[k - 1].lower) || mostlyAdjective(tokens[k - 1].lower));
  if ((isWeak(first) && !groupOfPeople(i)) || (isWeak(last) && !groupOfPeople(j))) return false;
  if (BAD_START.has(first.lower) || BAD_END.has(last.lower) || isNumber(first.lower) || isNumber(last.lower)) return false;
  // A date ("Feb 8th") or a rank ends no name; an ordinal before its noun starts one ("2nd Amendment").
  if (ORDINAL.test(last.lower)) return false;
  if (isModifier(last.lower) || isAdverb(first.lower) || isAdverb(last.lower)) return false;
  // A phrase ends with its head noun: not "abundant", "older", "identify" ("Species and abundant");
  // a name may end otherwise ("Citizens United").
  const nameAtEnd = j > i && writtenAsName(last);
  if (!canBeNoun(last.lower) && !nameAtEnd) return false;
  // A gerund that is nothing else starts a clause ("reforming criminal justice"), not a name ("housing costs").
  if (tagsOf(first.lower) === 'VBG') return false;
  // A verb form at the end ("officials elected") — unless it is a name ("Citizens United").
  if (j > i && /[^e]ed$/.test(last.lower) && !/^\p{Lu}/u.test(last.surface)) return false;
  // …or a word that is most often a finite verb ("countries equals", "country means": a clause).
  if (j > i && /^VB[ZD]/.test(tagsOf(last.lower) ?? '') && !writtenAsName(last)) return false;
  let inner = 0;
  let content = 0;
  for (let k = i; k <= j; k++) {
    const token = tokens[k];
    if (token.stop) {
      const afterInner = k > i && INNER_WORDS.has(tokens[k - 1].lower) && tokens[k - 1].lower !== 'and';
      // "and" pairs two words ("checks and balances", "social and economic justice"), not two phrases of a list.
      if (token.lower === 'and' && k !== i + 1) return false;
      // A participle before "to" opens a clause ("unemployment projected to reach"), a noun a phrase ("right to vote").
      if (token.lower === 'to' && k > i && /^VB[ND]/.test(tagsOf(tokens[k - 1].lower) ?? '')) return false;
      if (INNER_WORDS.has(token.lower)) inner++;
      else if (!(ARTICLES.has(token.lower) && afterInner)) return false;
    } else if (!isWeak(token) && !isNumber(token.lower)) {
      content++;
    }
    // A name keeps its words ("Black Lives Matter"); a verb or an adverb inside makes a clause.
    if (k < j && !token.stop && !writtenAsName(token) && !canBeNominal(token.lower)) return false;
    if (k > i && tokens[k].joiner === '-' && token.stop) return false;
  }
  if (inner > 1 || content === 0) return false;
  if (i === j) {
    // Most often an adjective ("progressive", "young") or a verb ("look", "works"; not a gerund, "farming"): no topic alone.
    if (NOT_ALONE.has(first.lower) || mostlyAdjective(first.lower) || /^VB[ZDP]?(?:\||$)/.test(tagsOf(first.lower) ?? '')) return false;
    // A participle alone ("impeached", "elected") is no topic; a name is ("United").
    if (/[^e]ed$/.test(first.lower) && !/^\p{Lu}/u.test(first.surface)) return false;
    // Lone abbreviations ("BG", "US") and two-letter words say little to a reader.
    if ([...first.lower].length <= 3 && first.surface === first.surface.toUpperCase()) return false;
    if ([...first.lower].length <= 2) return false;
  }
  return true;
}

/**
 * {@link acceptable} for a language other than English, whose word lists it does not have: no stop
 * word at either end (checked), none inside, at least one content word that is not a number, in
 * German a noun (capitalised) at the end; a lone
 * word of a cased script is no short abbreviation and has 3 letters at least (one or two characters
 * name a thing in Chinese: 稅, 司機).
 */
function acceptableInLanguage(tokens: Token[], i: number, j: number): boolean {
  let content = 0;
  for (let k = i; k <= j; k++) {
    const token = tokens[k];
    if (token.stop) return false;
    if (!isWeak(token) && !isNumber(token.lower)) content++;
  }
  if (content === 0 || isNumber(tokens[i].lower) || isNumber(tokens[j].lower)) return false;
  // German capitalises nouns: a phrase ends with one ("erneuerbare Energieträger", not "verpflichtend").
  if (tokens[j].language === 'de' && !/^\p{Lu}/u.test(tokens[j].surface)) return false;
  // An adjective in -em is in the dative ("von neuem Bauland"): a name is in the nominative, so the noun alone names it.
  if (tokens[j].language === 'de' && tokens.slice(i, j).some((t) => t.lower.endsWith('em') && !/^\p{Lu}/u.test(t.surface))) return false;
  if (i === j) {
    const word = tokens[i];
    if (hasCase(word.lower)) {
      if ([...word.lower].length <= 3 && word.surface === word.surface.toUpperCase()) return false;
      if ([...word.lower].length <= 2) return false;
    } else if (!LOGOGRAPHIC.test(word.lower) && [...word.lower].length <= 2) {
      return false;
    }
  }
  return true;
}

/** The candidate's identity: light stems of its content words, inner words as they are. */
const keyOf = (tokens: Token[], i: number, j: number) => tokens.slice(i, j + 1).map((t) => t.stem).join(' ');

/**
 * One candidate as a comment writes it; `head`: no content word follows it in its run (it is the
 * head noun); `oblique`: a German word that asks for the dative stands before it ("in Städten").
 */
export interface Occurrence {
  tokens: Token[];
  head: boolean;
  oblique: boolean;
}

/**
 * German prepositions and articles after which a noun is mostly in the dative ("in Städten", "mit
 * den Kindern"): a name is shown in the form the comments use elsewhere, the nominative ("Städte").
 */
const GERMAN_DATIVE_CUES: ReadonlySet<string> = new Set(
  'in im an am auf aus bei beim mit nach seit von vom zu zum zur dem den einem einer'.split(' '),
);
/** How much an occurrence after such a word counts when choosing a written form. */
const OBLIQUE_WEIGHT = 0.25;

/** Every distinct candidate of a comment, as first seen (a head-noun occurrence preferred). */
export function commentCandidates(text: string, language?: string): Map<string, Occurrence> {
  return runCandidates(phraseRuns(text, language));
}

function runCandidates(runs: Token[][]): Map<string, Occurrence> {
  const found = new Map<string, Occurrence>();
  for (const run of runs) {
    for (let i = 0; i < run.length; i++) {
      for (let j = i; j < Math.min(run.length, i + MAX_PHRASE_WORDS + 1); j++) {
        // Up to 4 words, not counting an article after an inner word ("freedom of the press").
        const words = run.slice(i, j + 1).filter((t, k, all) => !(k > 0 && ARTICLES.has(t.lower) && INNER_WORDS.has(all[k - 1].lower))).length;
        if (words > MAX_PHRASE_WORDS) break;
        if (insideHyphenated(run, i, j) || verbPhrase(run, i, j) || !acceptable(run, i, j)) continue;
        const key = keyOf(run, i, j);
        const head = j === run.length - 1 || run[j + 1].stop;
        const oblique = i > 0 && run[i].language === 'de' && GERMAN_DATIVE_CUES.has(run[i - 1].lower);
        const seen = found.get(key);
        if (!seen || (head && !seen.head)) found.set(key, { tokens: run.slice(i, j + 1), head, oblique });
      }
    }
  }
  return found;
}

/**
 * Whether tokens[i..j] starts or ends inside a hyphenated word: "self" of "self-employed", "choice"
 * of "pro-choice", "care costs" of "health-care costs" are parts of a word, not phrases.
 */
function insideHyphenated(run: Token[], i: number, j: number): boolean {
  return run[i].joiner === '-' || (j + 1 < run.length && run[j + 1].joiner === '-');
}

/** Words after which a word that can be a verb is one ("to share accountability", "should tax the rich"). */
const VERB_CUES: ReadonlySet<string> = new Set('to should must will would can could may might shall'.split(' '));

/**
 * Whether English tokens[i..j], of several words, open with a verb and its object: after "to" or a
 * modal, a first word the lexicon allows as a verb in the base form ("Everyone has to share
 * accountability for moving" gives no "share accountability for moving"). A lone word stays ("to vote").
 */
function verbPhrase(run: Token[], i: number, j: number): boolean {
  if (j === i || i === 0 || run[i].language !== undefined || writtenAsName(run[i])) return false;
  return VERB_CUES.has(run[i - 1].lower) && /(?:^|\|)VBP?(?:\||$)/.test(tagsOf(run[i].lower) ?? '');
}

/** Whether the stems occur in `stems` in order, at most MAX_GAP other words apart. */
export function containsInOrder(stems: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0) return false;
  for (let start = 0; start < stems.length; start++) {
    if (stems[start] !== phrase[0]) continue;
    let at = start;
    let k = 1;
    while (k < phrase.length) {
      let next = -1;
      for (let p = at + 1; p <= Math.min(stems.length - 1, at + 1 + MAX_GAP); p++) {
        if (stems[p] === phrase[k]) {
          next = p;
          break;
        }
      }
      if (next < 0) break;
      at = next;
      k++;
    }
    if (k === phrase.length) return true;
  }
  return false;
}

/** How a word is shown: all caps (NZ, LGBTQ), capitalised (Trump, Māori) or lower case, by majority. */
export class Casing {
  private readonly counts = new Map<string, { upper: number; capital: number; lower: number }>();
  /** The same by stem. */
  private readonly stems = new Map<string, { upper: number; capital: number; lower: number }>();

  see(token: Token): void {
    if (token.initial && !/^\p{Lu}{2,}/u.test(token.surface)) return;
    const letters = token.surface.replace(/'s$/i, '');
    const kind =
      [...letters].length >= 2 && letters === letters.toUpperCase() && letters !== letters.toLowerCase() ? 'upper' : /^\p{Lu}/u.test(letters) ? 'capital' : 'lower';
    for (const [counts, key] of [[this.counts, token.lower], [this.stems, token.stem]] as const) {
      let count = counts.get(key);
      if (!count) {
        count = { upper: 0, capital: 0, lower: 0 };
        counts.set(key, count);
      }
      count[kind]++;
    }
  }

  show(token: Token): string {
    // A German word seen only at the start of sentences is cased as its other forms are mid-sentence ("thermische" as "thermischer").
    const count = this.counts.get(token.lower) ?? (token.language === 'de' ? this.stems.get(token.stem) : undefined);
    const word = token.surface.toLowerCase();
    // German capitalises every noun: a word seen only at the start of sentences keeps its capital.
    if (!count) return token.language === 'de' ? token.surface : word;
    // Shouting ("CORPORATIONS") is not an acronym: all caps are kept for short words only.
    if (count.upper > count.lower + count.capital && [...token.lower].length <= 5) return token.surface.toUpperCase();
    if (count.capital + count.upper > count.lower) return word.charAt(0).toUpperCase() + word.slice(1);
    return word;
  }
}

interface Candidate {
  key: string;
  stems: string[];
  /** Stems of every spelling merged into it ("healthcare", "health care"), its own first. */
  spellings: string[][];
  words: number;
  /** Comments of the cluster containing it as written. */
  count: number;
  ctfidf: number;
  coverage: number;
  breadth: number;
  score: number;
  /** Lower-case written forms ("women's rights") and how often each was seen. */
  forms: Map<string, { tokens: Token[]; count: number }>;
  /** Exact written forms (capitals kept) of occurrences that do not start a sentence, and their counts. */
  cased: Map<string, number>;
  /** Mean share of the cluster's comments that contain each of its content words: how much its words recur there. */
  recurrence: number;
}

/** What `clusterLabelPhrases` reads of the comments, prepared once for all layers of a job. */
export interface PhraseCorpus {
  perComment: Map<string, Occurrence>[];
  /** Light stems of each comment's content words, in order (what coverage is matched against). */
  contentStems: string[][];
  /** The same words in lower case. */
  contentWords: string[][];
  /** Each comment's runs of words, stop words kept (what the context of a word is read from). */
  runs: Token[][][];
  /** Stems of the content words of every candidate key. */
  keyStems: Map<string, string[]>;
  casing: Casing;
}

/** `languages`: each text's language (aligned with the texts); absent: English for all. */
export function phraseCorpus(texts: string[], options: { languages?: readonly string[] } = {}): PhraseCorpus {
  const { languages } = options;
  if (languages && languages.length !== texts.length) throw new RangeError(`phraseCorpus: ${texts.length} texts but ${languages.length} languages`);
  const casing = new Casing();
  const keyStems = new Map<string, string[]>();
  const perComment: Map<string, Occurrence>[] = [];
  const contentStems: string[][] = [];
  const contentWords: string[][] = [];
  const allRuns: Token[][][] = [];
  for (const [i, text] of texts.entries()) {
    const runs = phraseRuns(text, languages?.[i]);
    allRuns.push(runs);
    const candidates = runCandidates(runs);
    for (const [key, { tokens }] of candidates) {
      if (!keyStems.has(key)) keyStems.set(key, tokens.filter((t) => !t.stop).map((t) => t.stem));
    }
    perComment.push(candidates);
    const content = runs.flat().filter((t) => !t.stop);
    for (const token of content) casing.see(token);
    contentStems.push(content.map((t) => t.stem));
    contentWords.push(content.map((t) => t.lower));
  }
  return { perComment, contentStems, contentWords, runs: allRuns, keyStems, casing };
}

/**
 * The `topN` best label phrases of every cluster of one layer (label −1 is noise: it counts in the
 * c-TF-IDF weights, as in `clusterKeywords`, but gets no phrases):
 * 1. candidates are counted once per comment; c-TF-IDF(t, c) = n(t, c) / Σₜ n(t, c) × ln(1 + A / f(t)),
 *    A the average count per class and f(t) the count over all classes;
 * 2. the SHORTLIST best by c-TF-IDF get their coverage measured;
 * 3. score = c-TF-IDF / (the cluster's best c-TF-IDF) × √coverage × (½ + ½ breadth), where breadth
 *    (coarse clusters only, with `childLabels`) is the share of the cluster's comments that lie in
 *    children where the phrase covers at least CHILD_COVERAGE — what the children share ranks above
 *    what one child says;
 * 4. a phrase of several words takes the place of a shorter phrase it contains when it covers
 *    nearly as much ({@link NEARLY_AS_MUCH}) and as many children: "Climate change" rather than
 *    "Climate".
 * Ties are broken by key, so the output never depends on input order.
 */
export function clusterLabelPhrases(
  corpus: string[] | PhraseCorpus,
  labels: ArrayLike<number>,
  options: LabelPhraseOptions = {},
): Map<number, LabelPhrase[]> {
  const prepared = Array.isArray(corpus) ? phraseCorpus(corpus) : corpus;
  const { perComment, casing, keyStems, contentStems, contentWords, runs } = prepared;
  if (labels.length !== perComment.length) {
    throw new RangeError(`clusterLabelPhrases: ${perComment.length} texts but ${labels.length} labels`);
  }
  const topN = Math.max(0, Math.floor(options.topN ?? DEFAULT_TOP_N));
  const members = new Map<number, number[]>();
  const classCounts = new Map<number, Map<string, number>>();
  const frequency = new Map<string, number>();
  let all = 0;
  perComment.forEach((candidates, i) => {
    const label = labels[i];
    if (!members.has(label)) {
      members.set(label, []);
      classCounts.set(label, new Map());
    }
    members.get(label)!.push(i);
    const counts = classCounts.get(label)!;
    for (const key of candidates.keys()) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      frequency.set(key, (frequency.get(key) ?? 0) + 1);
      all++;
    }
  });
  const average = classCounts.size > 0 ? Math.trunc(all / classCounts.size) : 0;
  const stemsAt = (i: number) => contentStems[i];

  const result = new Map<number, LabelPhrase[]>();
  const clusterIds = [...members.keys()].filter((id) => id !== NOISE).sort((a, b) => a - b);
  for (const id of clusterIds) {
    const inCluster = members.get(id)!;
    const counts = classCounts.get(id)!;
    let total = 0;
    for (const count of counts.values()) total += count;
    const candidates: Candidate[] = [...counts].map(([key, count]) => ({
      key,
      stems: keyStems.get(key)!,
      spellings: [keyStems.get(key)!],
      words: key.split(' ').filter((w) => !ARTICLES.has(w)).length,
      count,
      ctfidf: total > 0 ? (count / total) * Math.log(1 + average / (frequency.get(key) ?? count)) : 0,
      coverage: 0,
      breadth: 1,
      score: 0,
      forms: new Map(),
      cased: new Map(),
      recurrence: 0,
    }));
    candidates.sort((a, b) => b.ctfidf - a.ctfidf || compareCodeUnits(a.key, b.key));
    const shortlist = candidates.slice(0, SHORTLIST);
    if (shortlist.length === 0) {
      result.set(id, []);
      continue;
    }
    const byKey = new Map(shortlist.map((candidate) => [candidate.key, candidate]));
    for (const i of inCluster) {
      for (const [key, { tokens, head, oblique }] of perComment[i]) {
        const candidate = byKey.get(key);
        if (!candidate) continue;
        const form = tokens.map((t, k) => (k > 0 ? t.joiner : '') + t.surface.toLowerCase()).join('');
        // A word shown alone takes the form it has as a head noun ("guns"), not as a modifier ("gun control").
        const weight = (head ? 1 : HEADLESS_WEIGHT) * (oblique ? OBLIQUE_WEIGHT : 1);
        const seen = candidate.forms.get(form);
        if (seen) seen.count += weight;
        else candidate.forms.set(form, { tokens, count: weight });
        if (!tokens[0].initial) {
          const exact = tokens.map((t, k) => (k > 0 ? t.joiner : '') + t.surface).join('');
          candidate.cased.set(exact, (candidate.cased.get(exact) ?? 0) + 1);
        }
      }
    }
    const children = childGroups(inCluster, options.childLabels);
    const best = shortlist[0].ctfidf || 1;
    const hitsOf = new Map(shortlist.map((candidate) => [candidate.key, inCluster.map((i) => containsInOrder(stemsAt(i), candidate.stems))]));
    mergeSpellings(shortlist, hitsOf);
    dropLoneWordsInContext(shortlist, inCluster.map(stemsAt), inCluster.map((i) => contentWords[i]), inCluster.map((i) => runs[i]));
    const stemShare = stemShares(inCluster.map(stemsAt));
    for (const candidate of shortlist) {
      candidate.recurrence = recurrence(candidate, stemShare);
      const hits = hitsOf.get(candidate.key)!;
      candidate.coverage = hits.filter(Boolean).length / inCluster.length;
      if (children.length > 1) {
        let covered = 0;
        for (const child of children) {
          const share = child.filter((k) => hits[k]).length / child.length;
          if (share >= CHILD_COVERAGE) covered += child.length;
        }
        candidate.breadth = covered / inCluster.length;
      }
      candidate.score = (candidate.ctfidf / best) * Math.sqrt(candidate.coverage) * (0.5 + 0.5 * candidate.breadth);
    }
    // Ties (phrases of one comment each, in a small topic): the phrase whose words recur in the topic's other comments.
    shortlist.sort((a, b) => b.score - a.score || b.recurrence - a.recurrence || compareCodeUnits(a.key, b.key));
    const kept = choosePhrases(shortlist, shortlist.length)
      .map((candidate) => ({ candidate, phrase: display(candidate, casing) }))
      .filter(({ candidate, phrase }) => !isAbbreviation(phrase) && (languageOf(candidate) !== 'de' || germanNounPhrase(phrase)));
    const phrases = echoesLast(kept, ({ candidate }) => hitsOf.get(candidate.key)!)
      .map(({ candidate, phrase }) => ({ phrase, score: round(candidate.score, 1e6), coverage: round(candidate.coverage, 1e4) }));
    result.set(id, phrases.slice(0, topN));
  }
  return result;
}

const languageOf = (candidate: Candidate) => candidate.forms.values().next().value?.tokens[0].language;

/** Words after which a noun names what it relates to ("access to health care", "cost of living"). */
const COMPLEMENT_WORDS: ReadonlySet<string> = new Set(['to', 'of', 'for']);
/** Verbs of which a noun is the object in a set phrase ("take action", "make progress", "pay attention"). */
const LIGHT_VERBS: ReadonlySet<string> = new Set('take takes taking took make makes making made have has having get gets getting give gives giving pay paying show showing'.split(' '));
/** A word is dependent when at least this share of its occurrences in the topic stand so. */
const DEPENDENT_SHARE = 0.75;

/** What the cluster's comments show of the context of a lone English word (see {@link dropLoneWordsInContext}). */
interface WordContext {
  /** Comments that contain it. */
  comments: number;
  occurrences: number;
  /** Stems of the content words that follow it (none: ''). */
  next: Set<string>;
  /** Whether every word that follows it can stand in a noun phrase. */
  nominalNext: boolean;
  /** Occurrences before a complement or after a light verb. */
  dependent: number;
}

/**
 * Removes (in place) English words that two or more of the cluster's comments contain and that are
 * no topic alone there:
 * - each time followed by the same word of a noun phrase: the first half of a compound ("self" of
 *   "self employed" and "self-employed", "household" of "household income"); a verb after it makes
 *   it the subject ("parents came"), not a compound;
 * - in {@link DEPENDENT_SHARE} of their occurrences before a complement ("access to …": the topic is
 *   what follows) or the object of a light verb ("take action").
 * (Other languages write compounds as one word, or no spaces at all.)
 */
function dropLoneWordsInContext(shortlist: Candidate[], stemsOf: readonly string[][], wordsOf: readonly string[][], runsOf: readonly Token[][][]): void {
  const lone = (candidate: Candidate) => candidate.stems.length === 1 && languageOf(candidate) === undefined;
  const contexts = new Map<string, WordContext>(shortlist.filter(lone).map((c) => [c.stems[0], { comments: 0, occurrences: 0, next: new Set(), nominalNext: true, dependent: 0 }]));
  if (contexts.size === 0) return;
  stemsOf.forEach((stems, c) => {
    const seen = new Set<string>();
    stems.forEach((stem, k) => {
      const context = contexts.get(stem);
      if (!context) return;
      seen.add(stem);
      context.next.add(stems[k + 1] ?? '');
      if (k + 1 >= stems.length || !canBeNominal(wordsOf[c][k + 1])) context.nominalNext = false;
    });
    for (const stem of seen) contexts.get(stem)!.comments++;
    for (const run of runsOf[c]) {
      run.forEach((token, k) => {
        const context = token.stop ? undefined : contexts.get(token.stem);
        if (!context) return;
        context.occurrences++;
        const complemented = k + 2 < run.length && COMPLEMENT_WORDS.has(run[k + 1].lower);
        const verb = k > 0 && ARTICLES.has(run[k - 1].lower) ? run[k - 2] : run[k - 1];
        if (complemented || (verb && LIGHT_VERBS.has(verb.lower))) context.dependent++;
      });
    }
  });
  for (let i = shortlist.length - 1; i >= 0; i--) {
    const context = lone(shortlist[i]) ? contexts.get(shortlist[i].stems[0]) : undefined;
    if (!context || context.comments < 2) continue;
    const compound = context.next.size === 1 && context.nominalNext;
    if (compound || context.dependent >= DEPENDENT_SHARE * context.occurrences) shortlist.splice(i, 1);
  }
}

/**
 * Mean share of the cluster's comments that contain each word of the candidate that could name a
 * topic alone (no weak word, modifier or {@link NOT_ALONE} word: "country" recurs anywhere).
 */
function recurrence(candidate: Candidate, stemShare: ReadonlyMap<string, number>): number {
  const tokens = candidate.forms.values().next().value?.tokens ?? [];
  const topical = tokens.filter((t) => !t.stop && !isWeak(t) && (t.language !== undefined || (!NOT_ALONE.has(t.lower) && !isModifier(t.lower))));
  return topical.length === 0 ? 0 : topical.reduce((sum, t) => sum + (stemShare.get(t.stem) ?? 0), 0) / topical.length;
}

/** Share of the comments (their content stems) that contain each stem. */
function stemShares(comments: readonly string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const stems of comments) for (const stem of new Set(stems)) counts.set(stem, (counts.get(stem) ?? 0) + 1);
  for (const [stem, count] of counts) counts.set(stem, count / Math.max(1, comments.length));
  return counts;
}

/**
 * The phrases in order, those found in exactly the comments of a phrase before them moved to the end:
 * two parts of one sentence ("klimafreundliche Maßnahmen", "funktionierende Gasheizung" of a comment
 * posted twice) say one thing, and the next phrase of other comments is the second theme to join.
 */
function echoesLast<T>(phrases: T[], hitsOf: (phrase: T) => boolean[]): T[] {
  const seen = new Set<string>();
  const first: T[] = [];
  const echoes: T[] = [];
  for (const phrase of phrases) {
    const comments = hitsOf(phrase).flatMap((hit, k) => (hit ? [k] : [])).join(',');
    if (seen.has(comments)) echoes.push(phrase);
    else {
      seen.add(comments);
      first.push(phrase);
    }
  }
  return [...first, ...echoes];
}

/**
 * A German noun phrase as shown (each word cased as the comments mostly write it mid-sentence): its
 * last word a noun, capitalised, the words before it not ("erneuerbare Energieträger"). A word seen
 * only at the start of sentences keeps its capital, so "Verpflichtende" alone, "Städten Autos" and
 * "Klimaschutz radikale Massnahmen" (two nouns: two parts of a clause) are none.
 */
function germanNounPhrase(shown: string): boolean {
  const words = shown.split(' ');
  const capitalised = (word: string) => /^\p{Lu}/u.test(word);
  return capitalised(words[words.length - 1]) && words.slice(0, -1).every((word) => !capitalised(word));
}

/** A lone abbreviation as shown ("BG", "US", "NZ"): all capitals, 3 letters at most. */
export function isAbbreviation(phrase: string): boolean {
  return /^\p{Lu}{1,3}$/u.test(phrase);
}

/**
 * One phrase written as one word or as several ("healthcare", "health care", "health-care") is one
 * candidate: the spelling with the best c-TF-IDF stays, with the comments of all spellings.
 * Removes the other spellings from `shortlist` (in place).
 */
function mergeSpellings(shortlist: Candidate[], hitsOf: Map<string, boolean[]>): void {
  const compact = (candidate: Candidate) => {
    let best = '';
    let count = -1;
    for (const [form, seen] of candidate.forms) if (seen.count > count) [best, count] = [form, seen.count];
    return best.replace(/[\s\-'’]/gu, '');
  };
  const keep = new Map<string, Candidate>();
  for (let i = 0; i < shortlist.length; i++) {
    const candidate = shortlist[i];
    const spelling = compact(candidate);
    const kept = keep.get(spelling);
    if (!kept) {
      keep.set(spelling, candidate);
      continue;
    }
    const hits = hitsOf.get(kept.key)!;
    hitsOf.get(candidate.key)!.forEach((hit, k) => {
      if (hit) hits[k] = true;
    });
    kept.count += candidate.count;
    kept.spellings.push(...candidate.spellings);
    kept.words = Math.max(kept.words, candidate.words);
    shortlist.splice(i--, 1);
  }
}

/** Positions (into the cluster's member list) of the members of each child, children of 2+ members. */
function childGroups(inCluster: number[], childLabels: ArrayLike<number> | undefined): number[][] {
  if (!childLabels) return [];
  const groups = new Map<number, number[]>();
  inCluster.forEach((i, k) => {
    const child = childLabels[i];
    if (child === NOISE) return;
    const group = groups.get(child);
    if (group) group.push(k);
    else groups.set(child, [k]);
  });
  return [...groups.values()].filter((group) => group.length >= 2);
}

/**
 * The best phrases in score order, a phrase of several words moved up to the place of a shorter
 * phrase it contains when it covers nearly as much, and phrases contained in a kept longer one with
 * about the same coverage dropped (they would say the same thing twice).
 */
function choosePhrases(ranked: Candidate[], topN: number): Candidate[] {
  const chosen: Candidate[] = [];
  const used = new Set<string>();
  for (const candidate of ranked) {
    if (chosen.length >= topN) break;
    if (used.has(candidate.key)) continue;
    let pick = candidate;
    const longer = ranked.filter(
      (other) =>
        !used.has(other.key) && other.words > pick.words && contains(other, pick) &&
        other.coverage >= NEARLY_AS_MUCH * pick.coverage && other.breadth >= SAME_BREADTH * pick.breadth,
    );
    // The longest such phrase, then the one covering most.
    longer.sort((a, b) => b.words - a.words || b.coverage - a.coverage || b.score - a.score || compareCodeUnits(a.key, b.key));
    if (longer.length > 0) pick = longer[0];
    used.add(pick.key);
    used.add(candidate.key);
    // Shorter phrases inside the pick that cover no more than it does add nothing.
    for (const other of ranked) {
      if (other.words < pick.words && contains(pick, other) && pick.coverage >= NEARLY_AS_MUCH * other.coverage) used.add(other.key);
    }
    chosen.push(pick);
  }
  return chosen;
}

/** Whether a spelling of `inner` is a contiguous part of a spelling of `outer`. */
function contains(outer: Candidate, inner: Candidate): boolean {
  return outer.spellings.some((o) => inner.spellings.some((i) => containsStems(o, i)));
}

/** Whether `inner` is a contiguous part of `outer` (stems of content words). */
function containsStems(outer: string[], inner: string[]): boolean {
  if (inner.length === 0 || inner.length > outer.length) return false;
  for (let start = 0; start + inner.length <= outer.length; start++) {
    if (inner.every((stem, k) => outer[start + k] === stem)) return true;
  }
  return false;
}

/**
 * The most frequent written form (ties: the longer, then the first in code-unit order), cased as most occurrences
 * that do not start a sentence write it when at least two do and more than half agree ("Biodiversity
 * Strategy", "Citizens United"), else word by word ({@link Casing}: "NZ", "Trump", "climate change").
 */
function display(candidate: Candidate, casing: Casing): string {
  let best: { tokens: Token[]; count: number; form: string } | undefined;
  for (const [form, seen] of candidate.forms) {
    // Ties: the longer form (the plural: "Democrats and Republicans"), then code-unit order.
    const preferred = !best || seen.count > best.count || (seen.count === best.count && (form.length - best.form.length || compareCodeUnits(best.form, form)) > 0);
    if (preferred) best = { ...seen, form };
  }
  if (!best) return candidate.key;
  // Topics about people and things read in the plural ("Democrats", "Guns") when comments use it too.
  const plural = best.tokens[0].language === undefined ? pluralForm(candidate, best.form) : undefined;
  if (plural && plural.count >= PLURAL_SHARE * best.count) best = plural;
  let total = 0;
  let top = '';
  let topCount = 0;
  for (const [exact, count] of candidate.cased) {
    if (exact.toLowerCase() !== best.form) continue;
    total += count;
    if (count > topCount || (count === topCount && compareCodeUnits(exact, top) < 0)) [top, topCount] = [exact, count];
  }
  // Shouting ("CLIMATE CHANGE") is not how a phrase is spelled.
  const shouted = top === top.toUpperCase() && [...top.replace(/[^\p{L}]/gu, '')].length > 5;
  if (topCount >= 2 && topCount > total / 2 && !shouted) return top;
  const shown = best.tokens.map((t) => (t.stop ? t.surface.toLowerCase() : casing.show(t)));
  // A word written capitalised before a name is part of it ("New Zealand", though "new" is mostly lower case).
  for (let k = shown.length - 2; k >= 0; k--) {
    const token = best.tokens[k];
    if (!token.stop && writtenAsName(token) && /^\p{Lu}/u.test(shown[k + 1]) && hasCase(token.lower)) shown[k] = shown[k].charAt(0).toUpperCase() + shown[k].slice(1);
  }
  return best.tokens.map((t, k) => (k > 0 ? t.joiner : '') + shown[k]).join('');
}

/** The form of `form` with its last word in the plural, if the comments write it ("tax" → "taxes", "woman" → "women"). */
function pluralForm(candidate: Candidate, form: string): { tokens: Token[]; count: number; form: string } | undefined {
  const last = /[\p{L}\p{M}\p{N}']+$/u.exec(form)?.[0] ?? '';
  const stem = form.slice(0, form.length - last.length);
  for (const plural of [SINGULAR_TO_PLURAL[last], `${last}s`, `${last}es`]) {
    const seen = plural ? candidate.forms.get(stem + plural) : undefined;
    if (seen) return { ...seen, form: stem + plural };
  }
  return undefined;
}

function round(value: number, scale: number): number {
  const rounded = Math.round(value * scale) / scale;
  return rounded === 0 ? 0 : rounded;
}
