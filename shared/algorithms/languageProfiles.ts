/**
 * What the tokenizer needs to know of a language: its stop words, how its words are folded to a
 * stem, and whether its words must be found by a dictionary segmenter (Chinese, Japanese, Thai…
 * write no spaces between words).
 *
 * - English keeps the project's own rules (text.ts: scikit-learn's list plus contractions, the
 *   light suffix stripper), so that English analysis does not change.
 * - Other languages: stop words from stopwords-iso; stems by the Snowball stemmer of the language
 *   (snowball-stemmers) where there is one, else the lower-case word; Chinese stop words are also
 *   given in traditional characters (stopwords-iso's list is simplified only). Languages written
 *   in another script than Latin also drop English stop words, since English words turn up inside
 *   such comments ("Uber is ok 但是…").
 * - Word boundaries: Intl.Segmenter (Node's ICU dictionaries) for the scripts without spaces,
 *   the regular expression of text.ts for the others.
 */
import { newStemmer } from 'snowball-stemmers';
import stopwordsIso from 'stopwords-iso';

export interface LanguageProfile {
  /** ISO 639-1 code. */
  code: string;
  /** Lower case. */
  stopWords: ReadonlySet<string>;
  /** Folds a lower-case word to its stem. */
  stem: (word: string) => string;
  /** Finds the words of scripts written without spaces; null: the regular expression does. */
  segmenter: Intl.Segmenter | null;
  /** What joins two words of a phrase when it is shown: '' for scripts without spaces. */
  wordJoiner: string;
  /** "and" of the language, to join two phrases into one name. */
  and: string;
}

/** Languages whose words Intl.Segmenter finds (no spaces between words). */
const SEGMENTED = new Set(['zh', 'ja', 'th', 'lo', 'km', 'my']);
/** Languages not written in Latin script: English stop words are dropped in them too. */
const NON_LATIN = new Set(['zh', 'ja', 'ko', 'th', 'lo', 'km', 'my', 'ar', 'fa', 'he', 'hi', 'bn', 'mr', 'gu', 'ur', 'ru', 'uk', 'bg', 'el', 'hy']);

const SNOWBALL: Record<string, string> = {
  ar: 'arabic', hy: 'armenian', eu: 'basque', ca: 'catalan', cs: 'czech', da: 'danish', nl: 'dutch',
  fi: 'finnish', fr: 'french', de: 'german', hu: 'hungarian', it: 'italian', ga: 'irish', no: 'norwegian',
  nb: 'norwegian', pt: 'portuguese', ro: 'romanian', ru: 'russian', es: 'spanish', sl: 'slovene',
  sv: 'swedish', ta: 'tamil', tr: 'turkish',
};

const AND: Record<string, string> = {
  en: 'and', de: 'und', fr: 'et', es: 'y', it: 'e', pt: 'e', nl: 'en', fi: 'ja', sv: 'och', da: 'og',
  no: 'og', nb: 'og', pl: 'i', cs: 'a', sk: 'a', ru: 'и', uk: 'і', tr: 've', el: 'και', hu: 'és', ro: 'și',
  ca: 'i', zh: '與', ja: 'と', ko: '및', id: 'dan', ms: 'dan', vi: 'và', th: 'และ',
};

/**
 * Simplified → traditional forms of the characters of stopwords-iso's Chinese list that differ, so
 * that a Taiwanese conversation ("我們", "這個", "因為") loses its function words too.
 */
const TRADITIONAL: Record<string, string> = Object.fromEntries(
  (
    '说說 于於 来來 么麼 这這 时時 们們 为為 个個 样樣 儿兒 后後 则則 对對 过過 与與 尔爾 从從 处處 据據 体體 边邊 ' +
    '虽雖 谁誰 还還 随隨 论論 会會 凭憑 关關 几幾 见見 里裡 开開 无無 继繼 设設 诸諸 种種 类類 罢罷 归歸 话話 换換 ' +
    '点點 犹猶 经經 诚誠 较較 连連 顺順 转轉 万萬 仅僅 单單 问問 两兩 临臨 乌烏 旧舊 傥儻 冲衝 区區 却卻 吓嚇 吗嗎 ' +
    '哒噠 呕嘔 呗唄 哗嘩 喽嘍 嗳噯 愿願 将將 岂豈 齐齊 办辦 欤歟 间間 没沒 确確 离離 称稱 简簡 紧緊 结結 给給 综綜 ' +
    '腾騰 让讓 许許 该該 请請 贼賊 赖賴 赶趕 进進 鉴鑒 针針 难難 尽盡 宁寧 总總 着著 当當 并並 别別 应應 认認 觉覺'
  )
    .split(' ')
    .map((pair) => [...pair] as [string, string]),
);

/**
 * Words stopwords-iso lacks that carry no topic in Polis comments: German abbreviations ("etc",
 * "z.B." → "z", "b"), and the Chinese opinion verbs that open most comments ("我覺得", "我認為", "應該").
 */
const EXTRA_STOP_WORDS: Record<string, string> = {
  de: 'etc bzw usw zb ca evtl inkl ggf dh sog',
  zh: '覺得 觉得 認為 认为 應該 应该 應 应 覺 觉',
};

const toTraditional = (word: string) => [...word].map((ch) => TRADITIONAL[ch] ?? ch).join('');

const profiles = new Map<string, LanguageProfile>();

/**
 * The profile of a language other than English (text.ts keeps English's own rules); any code works:
 * one stopwords-iso does not know has no stop words, one Snowball does not know keeps words whole.
 */
export function languageProfile(code: string): LanguageProfile {
  let profile = profiles.get(code);
  if (profile) return profile;
  const lists = stopwordsIso as Record<string, string[]>;
  const own = lists[code] ?? [];
  const words = new Set(own.map((word) => word.normalize('NFC').toLowerCase()));
  if (code === 'zh') for (const word of own) words.add(toTraditional(word));
  if (NON_LATIN.has(code)) for (const word of lists.en ?? []) words.add(word);
  for (const word of (EXTRA_STOP_WORDS[code] ?? '').split(' ')) if (word) words.add(word);
  const algorithm = SNOWBALL[code];
  const stemmer = algorithm ? newStemmer(algorithm) : null;
  const segmented = SEGMENTED.has(code);
  profile = {
    code,
    stopWords: words,
    stem: stemmer ? (word) => stemmer.stem(word) : (word) => word,
    segmenter: segmented ? new Intl.Segmenter(code, { granularity: 'word' }) : null,
    wordJoiner: segmented ? '' : ' ',
    and: AND[code] ?? '&',
  };
  profiles.set(code, profile);
  return profile;
}

/**
 * Whether Chinese texts are written in traditional ("Hant": Taiwan, Hong Kong) or simplified
 * ("Hans") characters, by the characters of {@link TRADITIONAL} that differ; undefined when none occurs.
 */
export function chineseScript(texts: readonly string[]): 'Hant' | 'Hans' | undefined {
  let traditional = 0;
  let simplified = 0;
  for (const text of texts) {
    for (const ch of text) {
      if (SIMPLIFIED_FORMS.has(ch)) simplified++;
      else if (TRADITIONAL_FORMS.has(ch)) traditional++;
    }
  }
  if (traditional === 0 && simplified === 0) return undefined;
  return traditional >= simplified ? 'Hant' : 'Hans';
}
const SIMPLIFIED_FORMS = new Set(Object.keys(TRADITIONAL));
const TRADITIONAL_FORMS = new Set(Object.values(TRADITIONAL));

/** "and" in the language (English "and"; '&' where none is known). */
export function conjunction(code: string | undefined): string {
  return AND[code ?? 'en'] ?? '&';
}
