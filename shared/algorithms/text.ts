/**
 * Tokenisation shared by the LSA embedder, c-TF-IDF keywords, features and evaluation, so that a
 * keyword found by one of them is recognised by the others. Every function takes the text's
 * language (ISO 639-1, shared/algorithms/language.ts); without one, or with "en", the English rules
 * below apply unchanged. Other languages take their stop words, stems and word boundaries from
 * languageProfiles.ts.
 */
import { languageProfile, type LanguageProfile } from './languageProfiles';

/**
 * scikit-learn's `ENGLISH_STOP_WORDS` (318 words, from the Glasgow IR group list, typos such as
 * "amoungst" included) — the list the Python original uses through `stop_words='english'`.
 */
const SKLEARN_ENGLISH_STOP_WORDS = `
a about above across after afterwards again against all almost alone along already also although
always am among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere
are around as at back be became because become becomes becoming been before beforehand behind being
below beside besides between beyond bill both bottom but by call can cannot cant co con could couldnt
cry de describe detail do done down due during each eg eight either eleven else elsewhere empty
enough etc even ever every everyone everything everywhere except few fifteen fifty fill find fire
first five for former formerly forty found four from front full further get give go had has hasnt
have he hence her here hereafter hereby herein hereupon hers herself him himself his how however
hundred i ie if in inc indeed interest into is it its itself keep last latter latterly least less
ltd made many may me meanwhile might mill mine more moreover most mostly move much must my myself
name namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere of
off often on once one only onto or other others otherwise our ours ourselves out over own part per
perhaps please put rather re same see seem seemed seeming seems serious several she should show side
since sincere six sixty so some somehow someone something sometime sometimes somewhere still such
system take ten than that the their them themselves then thence there thereafter thereby therefore
therein thereupon these they thick thin third this those though three through throughout thru thus
to together too top toward towards twelve twenty two un under until up upon us very via was we well
were what whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever
whether which while whither who whoever whole whom whose why will with within without would yet you
your yours yourself yourselves`;

/**
 * Contractions, which scikit-learn never sees because its tokenizer splits them at the apostrophe
 * ("don't" → "don" + "t"). We keep apostrophes inside words, so the contracted forms of stop words
 * are stop words too, with and without the apostrophe as people type them ("dont", "weve").
 * Spellings that are also ordinary words ("ill", "wed", "shed", "hell", "id", "wont") are left out.
 */
const CONTRACTION_STOP_WORDS = `
i'm i've i'd i'll you're you've you'd you'll he's he'd he'll she's she'd she'll it's it'd it'll
we're we've we'd we'll they're they've they'd they'll that's that'd that'll there's there'd there'll
here's what's what'd what'll who's who'd who'll where's when's why's how's let's isn't aren't wasn't
weren't hasn't haven't hadn't doesn't don't didn't won't wouldn't shan't shouldn't can't couldn't
mustn't mightn't needn't ain't y'all should've would've could've might've must've
im ive youre youve theyre theyve weve thats whats theres heres isnt arent wasnt werent havent hadnt
doesnt dont didnt wouldnt shouldnt mustnt aint shouldve wouldve couldve`;

function wordSet(...lists: string[]): ReadonlySet<string> {
  return new Set(lists.flatMap((list) => list.split(/\s+/).filter((word) => word.length > 0)));
}

/** scikit-learn's English stop words plus English contractions (see above). */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = wordSet(
  SKLEARN_ENGLISH_STOP_WORDS,
  CONTRACTION_STOP_WORDS,
);

/** Shortest token kept, in code points (scikit-learn's default pattern keeps 2+ characters). */
const MIN_TOKEN_LENGTH = 2;

/**
 * A word: letters, combining marks (Māori macrons, Devanagari vowel signs) and digits, with inner
 * apostrophes; anything else separates words. A hyphen separates words too, but unlike other
 * punctuation keeps them in one phrase ({@link PHRASE_GAP}): "pest-free" gives "pest free".
 */
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*/gu;
/**
 * What may stand between two words without breaking a phrase: whitespace, or a hyphen joining them
 * directly (" - " with spaces is a dash, like "–").
 */
const PHRASE_GAP = /^(?:\s+|[-‐‑])$/u;
/** A web address ("http://bit.ly/taxavoiders12", "www.example.org"): its parts are no words of the comment ("http", "bit"). */
const LINK = /(?:https?:\/\/|www\.)\S+|\b[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+\/\S*/giu;
/** The text without its web addresses, each replaced by a full stop on a line of its own (it ends the run and the sentence it stood in). */
export const withoutLinks = (text: string): string => text.replace(LINK, '\n.\n');
/**
 * The text with each web address's words set apart ("ird.govt.nz/gst" → "ird . govt . nz . gst"),
 * so that the tokenizers, which drop links, read them as single words: for the embedding, where a
 * link's domain tells what the comment is about, not for keywords and names, which a reader sees.
 */
export const linkWordsApart = (text: string): string => text.replace(LINK, (link) => ` ${link.split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean).join(' . ')} `);

/**
 * Lower-cases one raw word and decides whether it is kept: stop words (with or without a
 * possessive "'s") and one-character words are dropped. Returns the normalised token or null.
 */
function normaliseWord(raw: string): string | null {
  let word = raw.toLowerCase().replace(/’/g, "'");
  if (ENGLISH_STOP_WORDS.has(word)) return null;
  // Possessive: "america's" → "america", "everyone's" → "everyone" (a stop word).
  if (word.endsWith("'s")) {
    word = word.slice(0, -2);
    if (ENGLISH_STOP_WORDS.has(word)) return null;
  }
  if ([...word].length < MIN_TOKEN_LENGTH) return null;
  return word;
}

/** Whether the English rules apply: no language given, or English. */
export function isEnglish(language: string | undefined): boolean {
  return language === undefined || language === 'en';
}

/**
 * Runs of kept tokens that stand next to each other in the text: a stop word, a dropped short
 * token, or punctuation other than a hyphen ends a run. Bigrams are built inside runs only, so
 * "dogs on the beach, kept on a leash" gives "dogs", "beach", "kept", "leash" but no bigram, while
 * "native species" stays a phrase. In a language written without spaces, words the segmenter finds
 * side by side ("計程車司機" → "計程車", "司機") stand next to each other too.
 */
export function tokenRuns(text: string, language?: string): string[][] {
  if (!isEnglish(language)) return profileRuns(text, languageProfile(language!));
  const runs: string[][] = [];
  let current: string[] = [];
  let previousEnd = 0;
  const normalised = withoutLinks(text.normalize('NFC'));
  for (const match of normalised.matchAll(WORD)) {
    const start = match.index ?? 0;
    const gap = normalised.slice(previousEnd, start);
    previousEnd = start + match[0].length;
    if (!PHRASE_GAP.test(gap) && current.length > 0) {
      runs.push(current);
      current = [];
    }
    const token = normaliseWord(match[0]);
    if (token === null) {
      if (current.length > 0) runs.push(current);
      current = [];
      continue;
    }
    current.push(token);
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/**
 * Lower-cased words of the text in order, without stop words and without tokens shorter than two
 * characters. Unicode letters and digits count as word characters; an apostrophe inside a word
 * keeps it whole ("don't" is then dropped as a stop word, "o'brien" stays), a possessive "'s" is
 * removed ("nz's" → "nz"), and hyphens split words ("pest-free" → "pest", "free"). Web addresses
 * give no words ({@link withoutLinks}; {@link linkWordsApart} first, where they should).
 */
export function tokenize(text: string, language?: string): string[] {
  return tokenRuns(text, language).flat();
}

/** One word of a text and where it stands (code units). */
export interface WordMatch {
  word: string;
  start: number;
  end: number;
}

/**
 * The text as the tokenizers of a language read it: NFC, and in German the gender forms
 * ("Bürger:innen", "BürgerInnen") as the base noun, so that they share its terms.
 */
export function prepareText(text: string, language?: string): string {
  const normalised = text.normalize('NFC');
  return language === 'de' ? normalised.replace(GERMAN_GENDER, '$1') : normalised;
}

/**
 * The words of a prepared text ({@link prepareText}) in a language other than English: the
 * segmenter's word-like segments for scripts without spaces, else the {@link WORD} expression.
 */
export function profileWords(text: string, profile: LanguageProfile): WordMatch[] {
  if (profile.segmenter) {
    const words: WordMatch[] = [];
    for (const segment of profile.segmenter.segment(text)) {
      if (!segment.isWordLike) continue;
      words.push({ word: segment.segment, start: segment.index, end: segment.index + segment.segment.length });
    }
    return words;
  }
  return [...text.matchAll(WORD)].map((match) => ({ word: match[0], start: match.index ?? 0, end: (match.index ?? 0) + match[0].length }));
}

/** "Bürger:innen", "Bürger*innen", "Bürger_innen", "BürgerInnen" → "Bürger" (same length or shorter: positions are re-read). */
const GERMAN_GENDER = /(\p{L})(?:[:*_·/]innen|Innen)(?![\p{L}\p{M}])/gu;
/** Elided articles and pronouns of French, Italian and Catalan ("l'eau" → "eau"). */
const ELISION: Record<string, RegExp> = {
  fr: /^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)'(?=\p{L})/u,
  it: /^(?:l|d|un|dell|all|dall|nell|sull|coll|c|m|t|s|v|gl)'(?=\p{L})/u,
  ca: /^(?:l|d|s|m|t)'(?=\p{L})/u,
};
/** Han characters, one of which can be a word (Chinese 車, 稅): not dropped as too short. */
const LOGOGRAPHIC = /\p{Script=Han}/u;

/** Lower case, elision removed; null for a stop word or a word too short (see {@link normaliseWord}). */
export function normaliseProfileWord(raw: string, profile: LanguageProfile): string | null {
  let word = raw.toLowerCase().replace(/’/g, "'");
  if (profile.stopWords.has(word)) return null;
  const elision = ELISION[profile.code];
  if (elision && elision.test(word)) {
    word = word.replace(elision, '');
    if (profile.stopWords.has(word)) return null;
  }
  if ([...word].length < MIN_TOKEN_LENGTH && !LOGOGRAPHIC.test(word)) return null;
  return word;
}

/** {@link tokenRuns} for a language other than English. */
function profileRuns(text: string, profile: LanguageProfile): string[][] {
  const runs: string[][] = [];
  let current: string[] = [];
  let previousEnd = 0;
  const source = withoutLinks(prepareText(text, profile.code));
  for (const { word, start, end } of profileWords(source, profile)) {
    const gap = source.slice(previousEnd, start);
    previousEnd = end;
    if (gap !== '' && !PHRASE_GAP.test(gap) && current.length > 0) {
      runs.push(current);
      current = [];
    }
    const token = normaliseProfileWord(word, profile);
    if (token === null) {
      if (current.length > 0) runs.push(current);
      current = [];
      continue;
    }
    current.push(token);
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/** The stem function of a language: {@link lightStem} for English, its Snowball stemmer (or none) otherwise. */
export function stemmerFor(language?: string): (word: string) => string {
  return isEnglish(language) ? lightStem : languageProfile(language!).stem;
}

/**
 * Unigrams followed by the n-grams up to `maxN` of consecutive tokens, joined by a space. Give it
 * one run from {@link tokenRuns} (or use {@link documentTerms}) so that n-grams never span a stop
 * word or punctuation.
 */
export function ngrams(tokens: readonly string[], maxN = 2): string[] {
  const terms = [...tokens];
  for (let n = 2; n <= maxN; n++) {
    for (let i = 0; i + n <= tokens.length; i++) terms.push(tokens.slice(i, i + n).join(' '));
  }
  return terms;
}

/**
 * Every term of a document, with repeats: its unigrams and the n-grams (up to `maxN`) of words
 * that stand next to each other in the text (see {@link tokenRuns}), each word first passed through
 * `fold` (e.g. {@link lightStem}; by default the word itself).
 */
export function documentTerms(text: string, maxN = 2, fold?: (word: string) => string, language?: string): string[] {
  const runs = fold ? tokenRuns(text, language).map((run) => run.map(fold)) : tokenRuns(text, language);
  const terms = runs.flat();
  for (const run of runs) {
    for (const term of ngrams(run, maxN).slice(run.length)) terms.push(term);
  }
  return terms;
}

const PLURALS: ReadonlyArray<[RegExp, string]> = [
  [/ies$/, 'y'],
  [/sses$/, 'ss'],
  [/([^s])s$/, '$1'],
];
const SUFFIXES: ReadonlyArray<[RegExp, string]> = [
  [/ational$/, 'ate'], [/ation$/, 'ate'], [/ization$/, 'ize'], [/isation$/, 'ize'], [/fulness$/, 'ful'],
  [/ousness$/, 'ous'], [/iveness$/, 'ive'], [/ments?$/, ''], [/ingly$/, ''], [/edly$/, ''], [/ing$/, ''],
  [/ed$/, ''], [/ly$/, ''], [/al$/, ''], [/er$/, ''], [/ity$/, ''], [/ive$/, ''], [/ness$/, ''],
];

/**
 * A light English suffix stripper (not Porter's algorithm): a plural ending, then the first
 * matching derivational or inflectional suffix if at least 3 letters remain, then a final "e" of a
 * word still longer than 4 letters: "communities"/"community" → "commun", "education"/"educating" →
 * "educat", "trapped"/"trapping" → "trapp". The stems are features, never shown, so oddities such as
 * "nation"/"national" → "nate" or "water" → "wat" do no harm: they only need to map the forms of one
 * word together more often than they join different words. Words of 3 letters or fewer and words
 * with digits are kept as they are.
 */
export function lightStem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let stem = word;
  for (const [suffix, replacement] of PLURALS) {
    if (suffix.test(stem)) {
      stem = stem.replace(suffix, replacement);
      break;
    }
  }
  for (const [suffix, replacement] of SUFFIXES) {
    if (suffix.test(stem)) {
      const stripped = stem.replace(suffix, replacement);
      if (stripped.length >= 3) stem = stripped;
      break;
    }
  }
  return stem.endsWith('e') && stem.length > 4 ? stem.slice(0, -1) : stem;
}

/**
 * Character n-grams of every kept word ({@link tokenize}: stop words and one-letter words are not
 * used), as scikit-learn's `analyzer='char_wb'`: each word is padded with a space on both sides and
 * cut into its n-grams for n = `minN` … `maxN`, counted in code points; a padded word shorter than n
 * gives itself once. "birds" gives " bi", "bir", "ird", "rds", "ds ", " bir", …, " birds ". They
 * let inflections and compounds share features ("predator" / "predators", "conserve" /
 * "conservation") that whole words do not.
 */
export function characterNgrams(text: string, minN = 3, maxN = 5, language?: string): string[] {
  const grams: string[] = [];
  for (const word of tokenize(text, language)) {
    const padded = [...` ${word} `];
    for (let n = minN; n <= maxN; n++) {
      if (padded.length <= n) {
        grams.push(padded.join(''));
        continue;
      }
      for (let i = 0; i + n <= padded.length; i++) grams.push(padded.slice(i, i + n).join(''));
    }
  }
  return grams;
}

/** Locale-independent string order (UTF-16 code units), for output that must not depend on the machine. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
