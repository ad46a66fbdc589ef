/**
 * The language of each comment and of the conversation, as ISO 639-1 codes ("en", "de", "zh"), by
 * tinyld (character n-gram profiles, pure JavaScript). Why tinyld: see docs/analysis-quality.md
 * ("Languages"); eld was more accurate on short texts alone but ships as ES modules for `import`
 * only, which this CommonJS code base cannot load, and franc did worst on short comments.
 *
 * A short comment says little about its language ("Trump is evil." reads as Dutch), so detection
 * runs twice: once per comment, then, for a comment whose language is not one of the
 * conversation's (those of at least {@link MIN_LANGUAGE_SHARE} of its comments), again restricted to
 * them. A comment without letters (an emoji, "+1") takes the conversation's language. Han or kana
 * script decides without n-grams: kana is Japanese, Han alone Chinese (tinyld gives up on short
 * mixes such as "Uberx信用卡扣款"). And tinyld's pick must agree with the comment's function words:
 * it reads some plain English as Dutch ("The GST rate should be reduced…"), so when the stop words
 * of another language (one of {@link VOTING_LANGUAGES}, or of the conversation's) cover at least
 * three of the comment's words and twice as many as those of tinyld's pick, that language wins.
 * When one candidate's stop words already cover three words and twice as many as any other
 * candidate's, that vote is the answer and tinyld is not asked (see clearStopWordLanguage).
 */
import { detect } from 'tinyld';
import { languageProfile } from './languageProfiles';
import { ENGLISH_STOP_WORDS } from './text';

/** The code of a text whose language could not be told. */
export const UNDETERMINED = 'und';
/** The language assumed for a conversation with no detectable language at all. */
export const DEFAULT_LANGUAGE = 'en';
/** A language counts as one of the conversation's from this share of its comments (and 2 comments) on. */
export const MIN_LANGUAGE_SHARE = 0.03;
const MIN_LANGUAGE_COMMENTS = 2;
/** Detection reads this many characters of a comment: enough to tell, and a bound on the cost. */
const SAMPLE_CHARACTERS = 400;

/** Languages whose stop words are counted against tinyld's pick on the first pass. */
export const VOTING_LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'sv', 'da', 'no', 'fi', 'pl'];
const MIN_STOP_WORD_HITS = 3;
const STOP_WORD_MARGIN = 2;
const WORDS = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu;

const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HAN = /\p{Script=Han}/gu;
const LETTER = /\p{L}/gu;

/** The language of one text on its own, or {@link UNDETERMINED}. */
export function detectLanguage(text: string, only?: readonly string[]): string {
  const sample = text.slice(0, SAMPLE_CHARACTERS);
  const byScript = scriptLanguage(sample);
  if (byScript && (!only || only.includes(byScript))) return byScript;
  if (!/\p{L}/u.test(sample)) return UNDETERMINED;
  const candidates = only && only.length > 0 ? only : VOTING_LANGUAGES;
  const words = wordsOf(sample);
  const clear = clearStopWordLanguage(words, candidates);
  if (clear) return clear;
  const code = (only && only.length > 0 ? detect(sample, { only: [...only] }) : detect(sample)) || UNDETERMINED;
  return stopWordVote(words, code, candidates);
}

function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(WORDS) ?? []).map((word) => word.replace(/’/g, "'"));
}

function stopWordHits(words: readonly string[], code: string): number {
  const stop = stopWordsOf(code);
  return words.reduce((sum, word) => sum + (stop.has(word) ? 1 : 0), 0);
}

/**
 * The candidate whose stop words alone decide, before any n-gram is read: at least three of the
 * comment's words and at least twice as many as any other candidate's. The vote below would pick it
 * over tinyld's answer in almost every case, and n-gram scoring is what detection spends its time on.
 */
function clearStopWordLanguage(words: readonly string[], candidates: readonly string[]): string | null {
  if (words.length < MIN_STOP_WORD_HITS) return null;
  let best: string | null = null;
  let bestHits = 0;
  let second = 0;
  for (const code of candidates) {
    const count = stopWordHits(words, code);
    if (count > bestHits) [best, bestHits, second] = [code, count, bestHits];
    else if (count > second) second = count;
  }
  return best && bestHits >= MIN_STOP_WORD_HITS && bestHits >= STOP_WORD_MARGIN * second ? best : null;
}

/** Stop words of a language, English's being the tokenizer's own list (stopwords-iso's holds content words). */
function stopWordsOf(code: string): ReadonlySet<string> {
  return code === 'en' ? ENGLISH_STOP_WORDS : languageProfile(code).stopWords;
}

/** tinyld's pick, or the candidate whose stop words cover clearly more of the text (see the module comment). */
function stopWordVote(words: readonly string[], picked: string, candidates: readonly string[]): string {
  if (words.length < MIN_STOP_WORD_HITS) return picked;
  const own = picked === UNDETERMINED ? 0 : stopWordHits(words, picked);
  let best = picked;
  let bestHits = own;
  for (const code of candidates) {
    if (code === picked) continue;
    const count = stopWordHits(words, code);
    if (count > bestHits) [best, bestHits] = [code, count];
  }
  return best !== picked && bestHits >= MIN_STOP_WORD_HITS && bestHits >= STOP_WORD_MARGIN * own ? best : picked;
}

/** Japanese when kana is present; Chinese when at least a third of the letters are Han. */
function scriptLanguage(text: string): string | null {
  if (KANA.test(text)) return 'ja';
  const han = text.match(HAN)?.length ?? 0;
  if (han === 0) return null;
  const letters = text.match(LETTER)?.length ?? 0;
  return han * 3 >= letters ? 'zh' : null;
}

export interface LanguageDetection {
  /** One code per text, in order; never {@link UNDETERMINED}. */
  languages: string[];
  /** The most common language. */
  conversation: string;
  /** Share of the comments per language, largest first, rounded to 4 decimals. */
  shares: Record<string, number>;
}

/**
 * The last few conversations detected, by a hash of their texts: the Embed step, its embedder and the
 * later steps of a local run ask for the same conversation's languages (about 0.3 ms a comment).
 */
const recent = new Map<string, LanguageDetection>();
const RECENT = 4;

/** Languages of the comments of one conversation (see the module comment). */
export function detectLanguages(texts: readonly string[]): LanguageDetection {
  const key = textsKey(texts);
  let detection = recent.get(key);
  if (!detection) {
    detection = detectUncached(texts);
    recent.set(key, detection);
    if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
  }
  return { languages: [...detection.languages], conversation: detection.conversation, shares: { ...detection.shares } };
}

/** Count and two 32-bit FNV-1a hashes (of the texts and of their lengths) of the texts in order. */
function textsKey(texts: readonly string[]): string {
  let a = 0x811c9dc5;
  let b = 0x811c9dc5;
  for (const text of texts) {
    for (let i = 0; i < text.length; i++) a = Math.imul(a ^ text.charCodeAt(i), 0x01000193);
    a = Math.imul(a ^ 0x1f, 0x01000193);
    b = Math.imul(b ^ text.length, 0x01000193);
  }
  return `${texts.length}:${a >>> 0}:${b >>> 0}`;
}

function detectUncached(texts: readonly string[]): LanguageDetection {
  const first = texts.map((text) => detectLanguage(text));
  const counts = countBy(first.filter((code) => code !== UNDETERMINED));
  const detected = [...counts.values()].reduce((sum, n) => sum + n, 0);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const own = ranked
    .filter(([, n]) => n >= MIN_LANGUAGE_COMMENTS && n >= MIN_LANGUAGE_SHARE * detected)
    .map(([code]) => code);
  const conversation = ranked[0]?.[0] ?? DEFAULT_LANGUAGE;
  const allowed = own.length > 0 ? own : [conversation];
  const languages = first.map((code, i) => {
    if (allowed.includes(code)) return code;
    if (code === UNDETERMINED || allowed.length === 1) return allowed[0];
    const again = detectLanguage(texts[i], allowed);
    return again === UNDETERMINED ? allowed[0] : again;
  });
  const final = [...countBy(languages)].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shares: Record<string, number> = {};
  for (const [code, n] of final) shares[code] = Math.round((n / Math.max(1, texts.length)) * 1e4) / 1e4;
  return { languages, conversation: final[0]?.[0] ?? conversation, shares };
}

/** The most common code (ties: the first in code-unit order); undefined for none. */
export function mostCommon(codes: readonly string[]): string | undefined {
  return [...countBy(codes)].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}

function countBy(codes: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  return counts;
}
