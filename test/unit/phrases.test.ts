import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { clusterLabelPhrases, commentCandidates, containsInOrder, isAbbreviation, phraseCorpus, phraseStem } from '../../shared/algorithms/phrases';
import { ENGLISH_STOP_WORDS } from '../../shared/algorithms/text';
import { WEAK_LABEL_WORDS } from '../../shared/algorithms/topicNames';

const flat = (text: string) => text.toLowerCase().replace(/’/g, "'").replace(/\s+/g, ' ');

/** Two clusters: parking in Bowling Green (with "BG" and numbers) and rivers in NZ. */
const TEXTS = [
  'Downtown parking in BG is a nightmare',
  'We need more downtown parking, 18 spaces is not enough',
  'Downtown parking should be free after 6',
  'BG needs downtown parking garages',
  'Parking tickets in BG are too expensive',
  'NZ rivers are too polluted to swim in',
  'We must clean up NZ rivers',
  'Dairy farming is ruining NZ rivers',
  'I want to swim in NZ rivers again',
  'Water quality in our rivers keeps falling',
];
const LABELS = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];

describe('clusterLabelPhrases', () => {
  it('takes phrases from the comments, as most often written, scored by c-TF-IDF and coverage', () => {
    const phrases = clusterLabelPhrases(TEXTS, LABELS);

    const parking = phrases.get(0)!;
    const rivers = phrases.get(1)!;
    // "parking" is in all 5 comments, "downtown parking" in 4: the longer phrase leads.
    expect(parking[0]).toMatchObject({ phrase: 'downtown parking', coverage: 0.8 });
    // "NZ" keeps its capitals inside a longer phrase.
    expect(rivers[0]).toMatchObject({ phrase: 'NZ rivers', coverage: 0.8 });
    for (const [id, list] of phrases) {
      const own = TEXTS.filter((_, i) => LABELS[i] === id).map(flat);
      for (const { phrase, coverage, score } of list) {
        expect(own.some((text) => text.includes(flat(phrase))), phrase).toBe(true);
        expect(coverage).toBeGreaterThan(0);
        expect(coverage).toBeLessThanOrEqual(1);
        expect(score).toBeGreaterThan(0);
      }
      const scores = list.map((p) => p.score);
      expect(list.length).toBeLessThanOrEqual(10);
      expect(new Set(list.map((p) => p.phrase.toLowerCase())).size).toBe(list.length);
      expect(scores.length).toBeGreaterThan(0);
    }
  });

  it('gives no lone abbreviation, number, stop word, weak word or clause', () => {
    const all = [...clusterLabelPhrases(TEXTS, LABELS).values()].flat().map((p) => p.phrase);
    for (const phrase of all) {
      expect(isAbbreviation(phrase), phrase).toBe(false);
      expect(phrase, phrase).not.toMatch(/^\d+$/);
      const words = phrase.toLowerCase().split(/[\s-]+/);
      for (const edge of [words[0], words[words.length - 1]]) {
        expect(ENGLISH_STOP_WORDS.has(edge), phrase).toBe(false);
        expect(WEAK_LABEL_WORDS.has(edge), phrase).toBe(false);
      }
      expect(['should', 'must', 'more'].includes(words[0]), phrase).toBe(false);
    }
    expect(all).not.toContain('BG');
    expect(all).not.toContain('18');
  });

  it('reads candidates as noun phrases: inner "of"/"to" kept, clauses and adjectives cut', () => {
    const keys = (text: string) => [...commentCandidates(text).values()].map((o) => o.tokens.map((t) => t.surface).join(' '));
    expect(keys('Freedom of the press matters')).toContain('Freedom of the press');
    expect(keys('the right to vote at 18')).toContain('right to vote');
    const clause = keys('We should ban assault weapons now, it is clear');
    expect(clause).toContain('assault weapons');
    expect(clause.some((k) => /^(should|ban)\b/i.test(k))).toBe(false);
    expect(clause).not.toContain('clear');
    expect(keys('Vote at 18')).not.toContain('18');
    expect(keys('BG')).not.toContain('BG');
  });

  it('ends a phrase with a word that can be a noun, by the lexicon: no lone adjective or verb', () => {
    const keys = (text: string) => [...commentCandidates(text).values()].map((o) => o.tokens.map((t) => t.surface).join(' '));
    const species = keys('Native species were abundant and the older forests healthy');
    expect(species).toEqual(expect.arrayContaining(['Native species', 'species', 'older forests']));
    for (const adjective of ['abundant', 'older', 'healthy']) expect(species).not.toContain(adjective);
    expect(keys('Identify the country of origin')).not.toContain('Identify');
    // Words the lexicon does not know may be names: they stay.
    expect(keys('Aotearoa')).toContain('Aotearoa');
  });

  it('reads a pair the comments write with "and" as one phrase, a list of phrases not', () => {
    const keys = (text: string) => [...commentCandidates(text).values()].map((o) => o.tokens.map((t) => t.surface).join(' '));
    expect(keys('We need checks and balances in government')).toContain('checks and balances');
    expect(keys('Separation of church and state')).toContain('church and state');
    expect(keys('elected officials and housing costs')).not.toContain('elected officials and housing');
    const texts = ['Checks and balances matter', 'Restore checks and balances', 'The checks and balances failed', 'Fix roads', 'Potholes on roads'];
    expect(clusterLabelPhrases(texts, [0, 0, 0, 1, 1]).get(0)![0]).toMatchObject({ phrase: 'checks and balances', coverage: 1 });
  });

  it('reads no clause as a phrase: no verb or adverb inside, by the lexicon', () => {
    const keys = (text: string) => [...commentCandidates(text).values()].map((o) => o.tokens.map((t) => t.surface).join(' '));
    expect(keys('Dreamers deserve to stay')).toEqual(['Dreamers']);
    expect(keys('Expect civil discourse from leaders')).not.toContain('Expect civil discourse');
    expect(keys('The survey fails statistical polling')).not.toContain('survey fails statistical polling');
    expect(keys('hazardous waste disproportionately affects poor communities')).not.toContain('waste disproportionately affects poor communities');
    // Nouns, adjectives and participles stay; so does a name.
    expect(keys('the right to vote for elected officials on housing costs')).toEqual(expect.arrayContaining(['right to vote', 'elected officials', 'housing costs']));
    expect(keys('Black Lives Matter')).toContain('Black Lives Matter');
    // A gerund that is nothing else opens a clause; one that is also a noun names a thing.
    expect(keys('Reforming criminal justice')).not.toContain('Reforming criminal justice');
    expect(keys('Housing costs and drinking water')).toEqual(expect.arrayContaining(['Housing costs', 'drinking water']));
  });

  it('takes no word alone that is most often an adjective or a verb, but a group of people named by one', () => {
    const keys = (text: string) => [...commentCandidates(text).values()].map((o) => o.tokens.map((t) => t.surface).join(' '));
    for (const word of ['progressive', 'young', 'female', 'look', 'works']) expect(keys(`I think ${word}`), word).not.toContain(word);
    expect(keys('I am a progressive woman')).toContain('progressive woman');
    expect(keys('we need progressives')).toContain('progressives');
    for (const noun of ['military', 'farming', 'abortion']) expect(keys(`I think ${noun}`), noun).toContain(noun);
    expect(keys('young people vote')).toContain('young people');
    expect(keys('people of color')).toContain('people of color');
    expect(keys('many people')).not.toContain('people');
  });

  it('takes the singular and the plural, regular or not, as one phrase, shown as the comments mostly write it', () => {
    const texts = ['Women lead', 'women vote', 'I am a woman', 'Taxes are high', 'Cut the tax', 'taxes again', 'Fix roads', 'Potholes on roads'];
    const phrases = clusterLabelPhrases(texts, [0, 0, 0, 1, 1, 1, 2, 2]);
    expect(phrases.get(0)![0]).toMatchObject({ phrase: 'women', coverage: 1 });
    expect(phrases.get(0)!.map((p) => p.phrase)).not.toContain('woman');
    expect(phrases.get(1)![0]).toMatchObject({ phrase: 'taxes', coverage: 1 });
    expect(phraseStem('women')).toBe(phraseStem('woman'));
    expect(phraseStem('churches')).toBe(phraseStem('church'));
  });

  it('lets a name end a phrase with a word that is no noun ("Citizens United")', () => {
    const keys = (text: string) => [...commentCandidates(text).values()].map((o) => o.tokens.map((t) => t.surface).join(' '));
    expect(keys('Overturn Citizens United now')).toContain('Citizens United');
    expect(keys('the citizens united behind her')).not.toContain('citizens united');
  });

  it('keeps German phrases whose last word only is a noun, as the comments case it mid-sentence', () => {
    const texts = ['Verpflichtende Dächer für Neubauten', 'In Städten Autos verbieten', 'Wir brauchen erneuerbare Energieträger', 'Mehr erneuerbare Energieträger', 'Radwege bauen', 'Mehr Radwege'];
    const phrases = clusterLabelPhrases(phraseCorpus(texts, { languages: texts.map(() => 'de') }), [0, 0, 0, 0, 1, 1]).get(0)!.map((p) => p.phrase);
    expect(phrases).toContain('erneuerbare Energieträger');
    expect(phrases).not.toContain('Verpflichtende');
    expect(phrases).not.toContain('Städten Autos');
  });

  it('keeps the capital of a word written capitalised before a name, though the word is mostly lower case ("New Zealand")', () => {
    const texts = ['Feral cats in New Zealand are a pest', 'Possums in Aotearoa New Zealand forests', 'We need new ideas', 'I want new laws', 'Build new roads', 'Try new things', 'Fix roads', 'Potholes on roads'];
    const phrases = clusterLabelPhrases(texts, [0, 0, 0, 0, 0, 0, 1, 1]).get(0)!.map((p) => p.phrase);
    expect(phrases).toContain('cats in New Zealand');
    expect(phrases).toContain('Aotearoa New Zealand forests');
  });

  it('shows, of two forms written as often, the longer (the plural)', () => {
    const texts = ['Both Democrats and Republicans are corrupt', 'Stop calling them Democrat and Republican!', 'Fix roads', 'Potholes on roads'];
    const phrases = clusterLabelPhrases(texts, [0, 0, 1, 1]).get(0)!;
    expect(phrases[0].phrase).toBe('Democrats and Republicans');
  });

  it('counts a comment as covered when it has the words in order, by light stem, a few words apart', () => {
    expect(containsInOrder(['rais', 'minimum', 'wage'], ['minimum', 'wage'])).toBe(true);
    expect(containsInOrder(['minimum', 'hourly', 'wage'], ['minimum', 'wage'])).toBe(true);
    expect(containsInOrder(['wage', 'minimum'], ['minimum', 'wage'])).toBe(false);
    expect(containsInOrder(['minimum', 'a', 'b', 'c', 'wage'], ['minimum', 'wage'])).toBe(false);
  });

  it('merges one-word and two-word spellings ("healthcare", "health care")', () => {
    const texts = ['Healthcare for all', 'health care is a right', 'Universal healthcare now', 'Fix roads', 'Potholes on roads'];
    const phrases = clusterLabelPhrases(texts, [0, 0, 0, 1, 1]).get(0)!;
    expect(phrases[0]).toMatchObject({ phrase: 'healthcare', coverage: 1 });
    expect(phrases.map((p) => p.phrase)).not.toContain('health care');
  });

  it('prefers, in a coarse cluster, a phrase several children share over one child\'s', () => {
    // Prepare: parent 0 has children 0 (trap possums) and 1 (poison possums); "possums" is in both.
    const texts = [
      'trap possums in reserves', 'traps for possums work', 'trap lines catch possums', 'more traps',
      'poison possums with 1080', 'poison kills possums', 'possums eat poison baits', '1080 poison drops',
      'clean rivers', 'rivers are dirty', 'swim in rivers', 'rivers and lakes',
    ];
    const coarse = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
    const fine = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];

    // Act
    const phrases = clusterLabelPhrases(phraseCorpus(texts), coarse, { childLabels: fine }).get(0)!;

    // Assess
    expect(phrases[0].phrase).toBe('possums');
  });

  it('reads no web address, no part of a hyphenated word and no date as a phrase', () => {
    const keys = (text: string) => [...commentCandidates(text).values()].map((o) => o.tokens.map((t, k) => (k > 0 ? t.joiner : '') + t.lower).join(''));
    expect(keys('Tax them. http://bit.ly/taxavoiders12')).not.toEqual(expect.arrayContaining(['bit']));
    expect(keys('See www.example.org/tax-avoiders for more')).not.toContain('example');
    expect(keys('I am self-employed and pro-choice')).not.toEqual(expect.arrayContaining(['self']));
    expect(keys('I am self-employed and pro-choice')).not.toContain('choice');
    expect(keys('I am self-employed and pro-choice')).toContain('pro-choice');
    expect(keys('health-care costs')).not.toContain('care costs');
    expect(keys('Protect Dreamers before Feb 8th')).not.toContain('feb 8th');
    expect(keys('Defend 2nd Amendment rights')).toContain('2nd amendment');
    // Ending with a word that is most often a finite verb makes a clause.
    expect(keys('corruption in other countries equals lobbying')).not.toContain('countries equals');
  });

  it('takes "age" alone, but no phrase that opens with a span of time ("years of age")', () => {
    const keys = (text: string) => [...commentCandidates(text).values()].map((o) => o.tokens.map((t, k) => (k > 0 ? t.joiner : '') + t.lower).join(''));
    expect(keys('I am under 30 years of age')).toContain('age');
    expect(keys('I am under 30 years of age')).not.toContain('years of age');
    expect(keys('Lower the voting age')).toContain('voting age');
  });

  it('drops a word that the comments write only as the first half of one compound ("self employed")', () => {
    const texts = ['I am self employed', 'I am self employed or own a business', 'My parents came from a different country', 'My parents came here fleeing war', 'Fix roads', 'Potholes on roads'];
    const phrases = clusterLabelPhrases(texts, [0, 0, 1, 1, 2, 2]);
    expect(phrases.get(0)!.map((p) => p.phrase)).not.toContain('self');
    // Followed by a verb each time, a word is the subject, not half of a compound.
    expect(phrases.get(1)!.map((p) => p.phrase)).toContain('parents');
  });

  it('reads no verb and its object after "to" or a modal as a phrase, but the noun phrase after it', () => {
    const keys = (text: string) => [...commentCandidates(text).values()].map((o) => o.tokens.map((t, k) => (k > 0 ? t.joiner : '') + t.lower).join(''));
    expect(keys('Everyone has to share accountability for moving forward')).not.toContain('share accountability');
    expect(keys('Everyone has to share accountability for moving forward')).toContain('accountability');
    expect(keys('We should tax the rich and fund schools')).not.toContain('tax the rich');
    expect(keys('We need a fair share of tax revenue')).toContain('tax revenue');
    expect(keys('It is our right to vote')).toContain('right to vote');
    expect(keys('Unemployment projected to reach ten percent')).not.toContain('unemployment projected to reach');
  });

  it('drops a word that stands before a complement or after a light verb in most of its occurrences ("access to …", "take action")', () => {
    const texts = [
      'Access to health care is a right', 'We need access to education', 'Everyone deserves access to clean water', 'Health care costs too much',
      'It is time to take action', 'We must take action now', 'Take action on climate', 'Climate change is real',
      'Rights of workers', 'Our rights matter', 'Protect our rights', 'Rights for all',
      'Fix roads', 'Potholes on roads',
    ];
    const phrases = clusterLabelPhrases(texts, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
    expect(phrases.get(0)!.map((p) => p.phrase)).not.toContain('access');
    expect(phrases.get(0)![0].phrase).toMatch(/health care/);
    expect(phrases.get(1)!.map((p) => p.phrase)).not.toContain('action');
    // A word alone as often as before a complement stays.
    expect(phrases.get(2)!.map((p) => p.phrase)).toContain('rights');
  });

  it('breaks ties of equal score by how much the phrase\'s words recur in the topic', () => {
    const texts = ['Apple orchards', 'Water rights', 'Our rights!', 'Rights.', 'Fix roads', 'Potholes on roads'];
    const phrases = clusterLabelPhrases(texts, [0, 0, 0, 0, 1, 1]).get(0)!.map((p) => p.phrase);
    expect(phrases.indexOf('water rights')).toBeGreaterThanOrEqual(0);
    expect(phrases.indexOf('water rights')).toBeLessThan(phrases.indexOf('apple orchards'));
  });

  it('puts a phrase found in exactly the comments of a better one after the phrases of other comments', () => {
    const texts = ['Solar panels, heat pumps', 'Solar panels, heat pumps', 'Wind turbines', 'Wind turbines', 'Fix roads', 'Potholes on roads'];
    const phrases = clusterLabelPhrases(texts, [0, 0, 0, 0, 1, 1]).get(0)!.map((p) => p.phrase);
    expect(phrases.slice(0, 2)).toEqual(['heat pumps', 'wind turbines']);
    expect(phrases).toContain('solar panels');
  });

  it('shows a German noun in the form the comments use outside the dative, cased as its other forms mid-sentence', () => {
    const texts = [
      'Mehr Bäume in Städten', 'Begrünung in Städten', 'Fassaden in Städten', 'Städte sollen grüner werden', 'Städte für Menschen',
      'Förderung von thermischer Sanierung', 'Zuschläge nach thermischer Sanierung', 'Thermische Sanierung ist wichtig', 'Thermische Sanierung ist teuer',
      'Radwege bauen', 'Mehr Radwege',
    ];
    const phrases = clusterLabelPhrases(phraseCorpus(texts, { languages: texts.map(() => 'de') }), [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
    expect(phrases.get(0)![0].phrase).toBe('Städte');
    const german = (text: string) => [...commentCandidates(text, 'de').values()].map((o) => o.tokens.map((t) => t.surface).join(' '));
    expect(german('Kein Verbrauch von neuem Bauland')).not.toContain('neuem Bauland');
    expect(german('Kein Verbrauch von neuem Bauland')).toContain('Bauland');
    // "thermische" opens sentences only: it is lower case mid-sentence as "thermischer" is.
    expect(phrases.get(1)![0].phrase).toBe('thermische Sanierung');
  });

  it('labels real clusters with phrases from their own comments (march-on)', () => {
    const rows = parse(
      readFileSync(join(__dirname, '..', 'fixtures', 'march-on.operation-marchin-orders', 'comments.csv'), 'utf8'),
      { columns: true },
    ) as Record<string, string>[];
    const texts = rows.filter((row) => row.moderated !== '-1').map((row) => row['comment-body']);
    const themes = [/gun/i, /climate/i, /health ?care/i, /immigra/i, /educat|school/i];
    const labels = texts.map((text) => themes.findIndex((theme) => theme.test(text)));

    const phrases = clusterLabelPhrases(texts, labels);

    expect(phrases.get(1)![0].phrase).toBe('climate change');
    expect(phrases.get(2)![0].phrase.toLowerCase()).toMatch(/health ?care/);
    for (const [id, list] of phrases) {
      expect(list[0].phrase, String(themes[id])).toMatch(themes[id]);
      const own = texts.filter((_, i) => labels[i] === id).map(flat);
      for (const { phrase } of list) expect(own.some((text) => text.includes(flat(phrase))), phrase).toBe(true);
    }
  });
});
