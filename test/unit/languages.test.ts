import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterLayers } from '../../shared/algorithms/clustering';
import { embedHybrid } from '../../shared/algorithms/hybrid';
import { clusterKeywords } from '../../shared/algorithms/keywords';
import { detectLanguage, detectLanguages } from '../../shared/algorithms/language';
import { chineseScript, languageProfile } from '../../shared/algorithms/languageProfiles';
import { embedLsa } from '../../shared/algorithms/lsa';
import { clusterLabelPhrases, phraseCorpus } from '../../shared/algorithms/phrases';
import { documentTerms, ENGLISH_STOP_WORDS, prepareText, profileWords, stemmerFor, tokenize } from '../../shared/algorithms/text';
import { phraseTopicNames } from '../../shared/algorithms/topicNames';
import { loadWordVectors } from '../../shared/algorithms/wordVectors';
import { providerOptions } from '../../shared/local/providerFlags';
import { parseOptions } from '../../shared/pipeline';
import { labelLanguage, topicPrompt, type ClusterToName } from '../../shared/providers/naming/namer';
import { loadSource } from '../../shared/sources';
import { languageWarnings } from '../../shared/steps/embed';
import { commentLanguages } from '../../shared/steps/jobData';

const FIXTURES = path.resolve(__dirname, '../fixtures');
const ENGLISH = [
  'scoop-hivemind.biodiversity',
  'scoop-hivemind.affordable-housing',
  'scoop-hivemind.freshwater',
  'scoop-hivemind.taxes',
  'scoop-hivemind.ubi',
  'march-on.operation-marchin-orders',
];
const texts = async (folder: string) => (await loadSource(path.join(FIXTURES, folder))).comments.map((comment) => comment.text);

describe('detectLanguage', () => {
  it('tells the language of short comments', () => {
    const short: Array<[string, string]> = [
      ['Mehr Radwege in der Stadt', 'de'],
      ['Die Mieten sind viel zu hoch', 'de'],
      ['Il faut plus de pistes cyclables.', 'fr'],
      ['Les loyers sont trop chers', 'fr'],
      ['Los alquileres son muy caros', 'es'],
      ['De huur is veel te hoog', 'nl'],
      ['Vuokrat ovat liian korkeita', 'fi'],
      ['Gli affitti sono troppo cari', 'it'],
      ['We need more bike lanes', 'en'],
      ['計程車司機的權利與義務', 'zh'],
      ['Uberx信用卡扣款不用掏零找零', 'zh'],
      ['家賃が高すぎる', 'ja'],
    ];
    for (const [text, language] of short) expect(detectLanguage(text), text).toBe(language);
  });

  it('reads English with few stop words as English, though tinyld alone takes it for Dutch', () => {
    expect(detectLanguage('The GST rate should be reduced as GST is a regressive tax that impacts low income families most.')).toBe('en');
  });
});

describe('detectLanguages', () => {
  it('finds English in every bundled English conversation, every comment', async () => {
    for (const folder of ENGLISH) {
      const detection = detectLanguages(await texts(folder));
      expect(detection.conversation, folder).toBe('en');
      expect(detection.shares, folder).toEqual({ en: 1 });
    }
  });

  it('finds German in the Klimarat conversation and Chinese in vTaiwan', async () => {
    expect(detectLanguages(await texts('austria-climate.wohnen-trimmed'))).toMatchObject({ conversation: 'de', shares: { de: 1 } });
    expect(detectLanguages(await texts('vtaiwan.uberx'))).toMatchObject({ conversation: 'zh', shares: { zh: 1 } });
  });

  it('gives a comment that alone reads as another language the conversation\'s, and one without letters too', () => {
    const english = ['We need more bike lanes in the city', 'Rents are far too high for young people', 'Public transport should be free'];
    const { languages } = detectLanguages([...english, ...english, 'Trump is evil.', '+1 !!!']);
    expect(languages).toEqual(Array(8).fill('en'));
  });

  it('keeps each comment\'s own language in a mixed conversation', () => {
    const german = ['Mehr Radwege in der Stadt', 'Die Mieten sind viel zu hoch', 'Der öffentliche Verkehr sollte gratis sein', 'Leerstehende Wohnungen besteuern'];
    const english = ['We need more bike lanes in the city', 'Rents are far too high for young people', 'Public transport should be free', 'Tax empty homes'];
    const detection = detectLanguages([...german, ...english]);
    expect(detection.languages).toEqual([...german.map(() => 'de'), ...english.map(() => 'en')]);
    expect(detection.shares).toEqual({ de: 0.5, en: 0.5 });
  });

  it('is read back from the embedding rows by the later steps, and detected again only when rows lack it', () => {
    const texts = ['We need more bike lanes in the city', 'Mehr Radwege in der Stadt'];
    // Stored codes win even where detection would say otherwise: the steps never detect twice.
    expect(commentLanguages({ texts, languages: ['fr', 'fr'] })).toEqual(['fr', 'fr']);
    expect(commentLanguages({ texts, languages: undefined })).toEqual(detectLanguages(texts).languages);
  });
});

describe('words in every script', () => {
  it('segments a Chinese sentence into words (Intl.Segmenter), without function words', () => {
    expect(tokenize('Uber的出現因服務內容明確，計程車司機的權利與義務', 'zh')).toEqual(['uber', '出現', '服務', '內容', '明確', '計程車', '司機', '權利', '義務']);
    // The English rules keep a run of Han characters as one word: why the language matters.
    expect(tokenize('計程車司機的權利與義務')).toEqual(['計程車司機的權利與義務']);
    // Words the segmenter finds side by side form bigrams; punctuation ends a run.
    expect(documentTerms('計程車司機，乘客', 2, undefined, 'zh')).toEqual(['計程車', '司機', '乘客', '計程車 司機']);
  });

  it('segments Japanese and Thai too', () => {
    expect(tokenize('公共交通機関をもっと増やすべきだ', 'ja')).toEqual(expect.arrayContaining(['公共', '交通', '機関', '増やす']));
    expect(tokenize('ค่าเช่าบ้านแพงเกินไปสำหรับคนรุ่นใหม่', 'th')).toEqual(expect.arrayContaining(['ค่า', 'เช่า', 'คน', 'ใหม่']));
  });

  it('drops German stop words and merges the forms of a word by its Snowball stem', () => {
    expect(tokenize('Wir sollten die leerstehenden Wohnungen in der Stadt nutzen', 'de')).toEqual(['leerstehenden', 'wohnungen', 'stadt', 'nutzen']);
    const stem = stemmerFor('de');
    expect(new Set(['wohnung', 'wohnungen'].map(stem)).size).toBe(1);
    expect(new Set(['windrad', 'windräder'].map(stem)).size).toBe(1);
    expect(documentTerms('Die Wohnungen und die Wohnung', 2, stem, 'de')).toEqual(['wohnung', 'wohnung']);
    // Gender forms count as the base noun.
    expect(tokenize('Eigentümer:innen und Bürger*innen, MieterInnen', 'de')).toEqual(['eigentümer', 'bürger', 'mieter']);
  });

  it('removes elided articles in French', () => {
    expect(tokenize("L'eau de la rivière est polluée", 'fr')).toEqual(['eau', 'rivière', 'polluée']);
  });

  it('knows Chinese stop words in traditional characters too', () => {
    const stop = languageProfile('zh').stopWords;
    for (const word of ['我們', '這個', '因為', '的', '覺得']) expect(stop.has(word), word).toBe(true);
    expect(chineseScript(['計程車司機的權利與義務'])).toBe('Hant');
    expect(chineseScript(['出租车司机的权利与义务'])).toBe('Hans');
  });
});

describe('a mixed-language conversation', () => {
  it('reads every comment with its own stop words', () => {
    // "die" is an English verb and a German article.
    const comments = ['Bees die from pesticides', 'Bees die when the hives are poisoned', 'Die Bienen sterben an Pestiziden', 'Die Bienen brauchen Blumen'];
    const keywords = clusterKeywords(comments, [0, 0, 1, 1], { topN: 10, languages: ['en', 'en', 'de', 'de'] });
    const saysDie = (terms: string[]) => terms.some((term) => term.split(' ').includes('die'));
    expect(saysDie(keywords.get(0)!.keywords)).toBe(true);
    expect(saysDie(keywords.get(1)!.keywords)).toBe(false);
    expect(saysDie(documentTerms('Die Bienen sterben', 2, undefined, 'en'))).toBe(true);
  });

  it('gives the English word vectors to English comments only', () => {
    const comments = ['Protect native birds from predators', 'Native forests need protection', 'Schützt die heimischen Vögel', 'Heimische Wälder brauchen Schutz'];
    const words = loadWordVectors();
    const { vectors, dimensions } = embedHybrid(comments, words, { languages: ['en', 'en', 'de', 'de'] });
    const lsaDimensions = dimensions - words.dimensions;
    const wordHalf = (v: Float32Array) => Math.hypot(...v.subarray(lsaDimensions));
    expect(wordHalf(vectors[0])).toBeGreaterThan(0.5);
    expect(wordHalf(vectors[2])).toBe(0);
    expect(wordHalf(vectors[3])).toBe(0);
  });

  it('says so on the job when comments skip the pretrained vectors', () => {
    const detection = detectLanguages(['Mehr Radwege in der Stadt', 'Die Mieten sind viel zu hoch', 'Leerstehende Wohnungen besteuern']);
    const warning = '3 of 3 comments are not in English (de 100 %): the pretrained vectors are English, so these comments rely on LSA alone';
    expect(languageWarnings(detection, 'hybrid')).toEqual([warning]);
    expect(languageWarnings(detection, 'sentence')).toEqual([warning]);
    expect(languageWarnings(detection, 'lsa')).toEqual([]);
    expect(languageWarnings(detectLanguages(['We need more bike lanes in the city']), 'hybrid')).toEqual([]);
  });
});

describe('English analysis with languages', () => {
  it('is unchanged: the same LSA vectors, keywords and label phrases as without languages', async () => {
    for (const folder of ['scoop-hivemind.biodiversity', 'scoop-hivemind.taxes']) {
      const comments = await texts(folder);
      const { languages } = detectLanguages(comments);
      const labels = comments.map((_, i) => i % 4);
      expect(embedLsa(comments, { languages }).vectors).toEqual(embedLsa(comments).vectors);
      expect(embedLsa(comments, { languages, characterWeight: 0.8 }).vectors).toEqual(embedLsa(comments, { characterWeight: 0.8 }).vectors);
      expect(clusterKeywords(comments, labels, { languages })).toEqual(clusterKeywords(comments, labels));
      expect(clusterLabelPhrases(phraseCorpus(comments, { languages }), labels)).toEqual(clusterLabelPhrases(phraseCorpus(comments), labels));
    }
  });
});

describe.each([
  ['austria-climate.wohnen-trimmed', 'de'],
  ['vtaiwan.uberx', 'zh'],
])('the offline analysis of %s', (folder, language) => {
  it('leaves no comment without vocabulary, and no stop word in the top keywords or the names', async () => {
    const comments = await texts(folder);
    const { languages, conversation } = detectLanguages(comments);
    expect(conversation).toBe(language);
    const lsa = embedLsa(comments, { languages });
    expect(lsa.adjustments.filter((note) => note.includes('fallback'))).toEqual([]);

    const options = parseOptions({});
    const { layers } = clusterLayers({ vectors: lsa.vectors }, { nNeighbors: options.n_neighbors, minClusterSize: options.min_cluster_size, maxLayers: options.max_layers });
    const stop = languageProfile(language).stopWords;
    const corpus = phraseCorpus(comments, { languages });
    for (const labels of layers) {
      const keywords = clusterKeywords(comments, labels, { topN: 10, languages });
      const phrases = clusterLabelPhrases(corpus, labels, { topN: 10 });
      const ids = [...keywords.keys()];
      const names = phraseTopicNames(
        ids.map((id) => ({
          key: String(id),
          clusterId: id,
          size: labels.filter((label) => label === id).length,
          phrases: phrases.get(id) ?? [],
          keywords: keywords.get(id)!.keywords,
          language,
        })),
      );
      for (const id of ids) {
        const top = keywords.get(id)!.keywords.slice(0, 5);
        for (const word of top.flatMap((keyword) => keyword.split(' '))) {
          expect(stop.has(word), `keyword ${word}`).toBe(false);
          expect(ENGLISH_STOP_WORDS.has(word) && language === 'zh', `keyword ${word}`).toBe(false);
        }
        // The name's words, its "and" (und, 與) aside, are no stop words.
        const name = names.get(String(id))!;
        const profile = languageProfile(language);
        for (const part of name.split(profile.wordJoiner === '' ? profile.and : ` ${profile.and} `)) {
          for (const { word } of profileWords(prepareText(part, language), profile)) expect(stop.has(word.toLowerCase()), `name ${name}: ${word}`).toBe(false);
        }
        if (language === 'zh') {
          // Words, not whole sentences: each keyword term is a segmenter word found in the comments.
          for (const word of top.flatMap((keyword) => keyword.split(' '))) {
            expect([...word].length, word).toBeLessThanOrEqual(8);
            expect(comments.some((comment) => comment.toLowerCase().includes(word)), word).toBe(true);
          }
        }
      }
    }
  });
});

describe('LLM names', () => {
  const cluster = (samples: string[]): ClusterToName => ({ key: 'layer0_0', layer: 0, clusterId: 0, keywords: ['x'], sampleComments: samples, childNames: [] });

  it('are asked in the language of the comments, or the one the caller chose', () => {
    const german = [cluster(['Mehr Radwege in der Stadt', 'Die Mieten sind viel zu hoch'])];
    expect(labelLanguage(german)).toBe('de');
    expect(topicPrompt(german[0], labelLanguage(german)).system).toMatch(/Write the label in German\.$/);
    expect(labelLanguage([cluster(['計程車司機的權利與義務'])])).toBe('zh-Hant');
    expect(topicPrompt(german[0], 'zh-Hant').system).toMatch(/Write the label in Traditional Chinese\.$/);
    expect(labelLanguage(german, 'en')).toBe('en');
  });

  it('keep the English prompt as it was for English comments', () => {
    const english = [cluster(['We need more bike lanes in the city'])];
    expect(labelLanguage(english)).toBeUndefined();
    expect(topicPrompt(english[0], undefined).system).not.toMatch(/Write the label in/);
  });

  it('take options.label_language as a BCP 47 tag, also from delphi run --label-language', () => {
    expect(parseOptions({ label_language: 'zh-Hant' }).label_language).toBe('zh-Hant');
    expect(providerOptions({ 'label-language': 'de' })).toEqual({ label_language: 'de' });
    expect(() => parseOptions({ label_language: 'German please' })).toThrow(/label_language/);
  });
});
