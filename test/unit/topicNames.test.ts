import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { clusterKeywords } from '../../shared/algorithms/keywords';
import { ENGLISH_STOP_WORDS } from '../../shared/algorithms/text';
import { clusterLabelPhrases, type LabelPhrase } from '../../shared/algorithms/phrases';
import {
  CHILDREN_SHARE,
  TAKEN_SPECIFIC_SHARE,
  COARSE_JOIN_COVERAGE,
  JOIN_COVERAGE,
  JOIN_MIN_COMMENTS,
  THEME_SHARE,
  MISCELLANEOUS_LABEL,
  SPECIFIC_COVERAGE,
  cleanTopicLabel,
  joinable,
  keywordTopicNames,
  phraseTopicNames,
  type PhraseNamingInput,
} from '../../shared/algorithms/topicNames';

const nameOf = (keywords: string[]) => keywordTopicNames([{ clusterId: 0, keywords }]).get(0);

describe('keywordTopicNames', () => {
  it('joins the two best unrelated phrases in sentence case', () => {
    expect(nameOf(['water quality', 'rivers', 'farming'])).toBe('Water quality and rivers');
    expect(nameOf(['climate change', 'fossil fuels', 'coal'])).toBe('Climate change and fossil fuels');
  });

  it('prefers a bigram containing the top word over the bare word', () => {
    expect(nameOf(['cats', 'traps', 'feral cats', 'dogs'])).toBe('Feral cats and traps');
  });

  it('does not pair forms of the same word, nor lead with generic opinion words', () => {
    expect(nameOf(['vote', 'voting', 'voter', 'gerrymandering'])).toBe('Vote and gerrymandering');
    expect(nameOf(['need', 'believe', 'government', 'people', 'americans'])).toBe('Government and americans');
    expect(nameOf(['women', 'woman rights', 'march'])).toBe('Women and march');
    expect(nameOf(['immigrants', 'immigration', 'dreamers'])).toBe('Immigrants and dreamers');
  });

  it('gives short keyword lists a readable label of at least two words', () => {
    expect(nameOf(['water quality'])).toBe('Water quality');
    expect(nameOf(['dogs'])).toBe('Comments about dogs');
    expect(nameOf(['need', 'want'])).toBe('Need and want');
  });

  it('strips stop words from phrases and falls back to a fixed label without keywords', () => {
    expect(nameOf(['the river', 'of pollution'])).toBe('River and pollution');
    expect(nameOf([])).toBe(MISCELLANEOUS_LABEL);
    expect(nameOf(['the', 'and of'])).toBe('Miscellaneous comments');
  });

  it('takes no keyword that starts or ends with a number, nor an adjective alone', () => {
    expect(nameOf(['age', '30 years', 'income'])).toBe('Age and income');
    expect(nameOf(['55', 'age', 'income'])).toBe('Age and income');
    expect(nameOf(['age', 'older', 'income'])).toBe('Age and income');
  });

  it('never gives two clusters of one sibling group the same label', () => {
    // Prepare: three clusters whose preferred label is the same, one in another group.
    const clusters = [
      { clusterId: 4, keywords: ['water quality', 'rivers', 'farming'], siblingGroup: 'layer0' },
      { clusterId: 7, keywords: ['water quality', 'rivers', 'lakes'], siblingGroup: 'layer0' },
      { clusterId: 9, keywords: ['Water Quality', 'rivers'], siblingGroup: 'layer0' },
      { clusterId: 2, keywords: ['water quality', 'rivers'], siblingGroup: 'layer1' },
    ];

    // Act
    const names = keywordTopicNames(clusters);

    // Assess: the first keeps its label, the others fall back to other phrase pairs.
    expect(names.get(4)).toBe('Water quality and rivers');
    expect(names.get(7)).toBe('Water quality and lakes');
    expect(names.get(9)).toBe('Rivers and water quality');
    expect(names.get(2)).toBe('Water quality and rivers');
  });

  it('disambiguates identical keyword lists with a keyword, then with the cluster id', () => {
    const same = ['dogs', 'beaches'];
    const names = keywordTopicNames([
      { clusterId: 1, keywords: same },
      { clusterId: 2, keywords: same },
      { clusterId: 3, keywords: same },
      { clusterId: 4, keywords: same },
      { clusterId: 5, keywords: [] },
      { clusterId: 6, keywords: [] },
    ]);

    expect([...names.values()]).toEqual([
      'Dogs and beaches',
      'Beaches and dogs',
      'Comments about dogs',
      'Comments about beaches',
      'Miscellaneous comments',
      'Miscellaneous comments (cluster 6)',
    ]);
    const again = keywordTopicNames(Array.from({ length: 8 }, (_, i) => ({ clusterId: i, keywords: ['dogs'] })));
    expect(new Set(again.values()).size).toBe(8);
  });

  it('labels real clusters with 2–5 content words, unique per layer (march-on)', () => {
    // Prepare: c-TF-IDF keywords of theme clusters of real comments.
    const rows = parse(
      readFileSync(join(__dirname, '..', 'fixtures', 'march-on.operation-marchin-orders', 'comments.csv'), 'utf8'),
      { columns: true },
    ) as Record<string, string>[];
    const texts = rows.filter((row) => row.moderated !== '-1').map((row) => row['comment-body']);
    const themes = [/gun/i, /climate/i, /health ?care/i, /vot(e|ing)/i, /women/i, /immigra/i, /educat|school/i, /trump/i];
    const labels = texts.map((text) => themes.findIndex((theme) => theme.test(text)));
    const keywords = clusterKeywords(texts, labels);

    // Act
    const names = keywordTopicNames(
      [...keywords].map(([clusterId, entry]) => ({ clusterId, keywords: entry.keywords, siblingGroup: 'layer0' })),
    );

    // Assess
    expect(names.size).toBe(themes.length);
    expect(new Set([...names.values()].map((name) => name.toLowerCase())).size).toBe(themes.length);
    for (const [id, name] of names) {
      const words = name.split(' ');
      expect(words.length, name).toBeGreaterThanOrEqual(2);
      expect(words.length, name).toBeLessThanOrEqual(5);
      expect(name[0], name).toBe(name[0].toUpperCase());
      expect(name.toLowerCase(), name).toMatch(themes[id]);
      for (const word of words) if (word !== 'and') expect(ENGLISH_STOP_WORDS.has(word.toLowerCase()), name).toBe(false);
    }
  });
});

const p = (phrase: string, coverage: number, score = coverage): LabelPhrase => ({ phrase, coverage, score });
const cluster = (key: string, phrases: LabelPhrase[], more: Partial<PhraseNamingInput> = {}): PhraseNamingInput => ({
  key,
  clusterId: Number(key.split('_')[1] ?? 0),
  size: 10,
  phrases,
  keywords: [],
  ...more,
});
const nameOne = (phrases: LabelPhrase[]) => phraseTopicNames([cluster('layer0_0', phrases)]).get('layer0_0');

describe('phraseTopicNames', () => {
  it('joins two phrases only when each covers at least 15 % and they share no word', () => {
    expect(JOIN_COVERAGE).toBe(0.15);
    expect(nameOne([p('gun control', 0.4), p('assault weapons', 0.2)])).toBe('Gun control and assault weapons');
    // The second covers too little: the best phrase alone.
    expect(nameOne([p('gun control', 0.4), p('assault weapons', 0.1)])).toBe('Gun control');
    expect(nameOne([p('gun control', 0.1), p('assault weapons', 0.1)])).toBe('Gun control');
    // A shared word or a form of one: not joined.
    expect(nameOne([p('gun control', 0.4), p('gun laws', 0.3)])).toBe('Gun control');
    expect(nameOne([p('immigrants', 0.5), p('immigration reform', 0.3)])).toBe('Immigrants');
    // The second says too little next to the first (score under 40 % of it).
    expect(nameOne([p('healthcare', 1, 1), p('rights', 0.26, 0.04)])).toBe('Healthcare');
    expect(joinable(p('water', 0.2), p('rivers', 0.2))).toBe(true);
  });

  it('uses the phrase that says two words together rather than joining them', () => {
    expect(nameOne([p('management', 0.9, 0.9), p('biodiversity', 0.8, 0.5), p('biodiversity management', 0.44, 0.5), p('water', 0.44, 0.47)]))
      .toBe('Biodiversity management and water');
  });

  it('keeps the casing of the phrase and sentence-cases the name', () => {
    expect(nameOne([p('climate change', 0.5), p('Donald Trump', 0.3)])).toBe('Climate change and Donald Trump');
    expect(nameOne([p('NZ rivers', 0.6)])).toBe('NZ rivers');
  });

  it('gives unique names within a layer, larger clusters choosing first', () => {
    const same = [p('climate change', 0.8), p('energy', 0.05)];
    const names = phraseTopicNames([
      cluster('layer0_0', same, { size: 5 }),
      cluster('layer0_1', same, { size: 50 }),
      cluster('layer0_2', same, { size: 1 }),
    ]);
    expect(names.get('layer0_1')).toBe('Climate change');
    expect(names.get('layer0_0')).toBe('Energy');
    expect(names.get('layer0_2')).toBe('Climate change (cluster 2)');
    expect(new Set([...names.values()].map((n) => n.toLowerCase())).size).toBe(3);
  });

  it("never reuses a child's name unless the child has the same members", () => {
    const phrases = [p('women', 0.8), p('equal pay', 0.1)];
    const split = phraseTopicNames([
      cluster('layer1_0', phrases, { children: [{ key: 'layer0_0', name: 'Women', sameMembers: false }, { key: 'layer0_1', name: 'Equal pay', sameMembers: false }] }),
    ]);
    expect(split.get('layer1_0')).not.toBe('Women');
    expect(split.get('layer1_0')).not.toBe('Equal pay');
    const same = phraseTopicNames([cluster('layer1_0', phrases, { children: [{ key: 'layer0_3', name: 'Women and work', sameMembers: true }] })]);
    expect(same.get('layer1_0')).toBe('Women and work');
  });

  it("leaves an ancestor's best phrase to it when a more specific phrase covers the child", () => {
    const phrases = [p('rights', 0.8, 0.9), p('human rights', 0.17, 0.2), p('healthcare', 0.1)];
    expect(phraseTopicNames([cluster('layer0_0', phrases, { ancestorPhrases: ['rights'] })]).get('layer0_0')).toBe('Human rights');
    expect(phraseTopicNames([cluster('layer0_0', phrases)]).get('layer0_0')).toBe('Rights');
    // An eighth of the comments is enough, if that is two comments or more.
    expect(SPECIFIC_COVERAGE).toBe(0.125);
    const women = [p('women', 0.78, 0.88), p('March', 0.29, 0.42), p("women's rights", 0.13, 0.19), p("Women's March", 0.07, 0.11)];
    expect(phraseTopicNames([cluster('layer0_2', women, { size: 83, ancestorPhrases: ['women'] })]).get('layer0_2')).toBe("Women's rights");
    expect(phraseTopicNames([cluster('layer0_2', women, { size: 8, ancestorPhrases: ['women'] })]).get('layer0_2')).toBe('Women');
  });

  it('counts names that differ only in number or case as the same name, within a layer and against children', () => {
    const names = phraseTopicNames([
      cluster('layer0_0', [p('women', 0.8), p('equal pay', 0.05)], { size: 50 }),
      cluster('layer0_1', [p('woman', 0.5), p('ancestors', 0.05)], { size: 20 }),
    ]);
    expect(names.get('layer0_0')).toBe('Women');
    expect(names.get('layer0_1')).toBe('Ancestors');
    const taxes = phraseTopicNames([cluster('layer0_2', [p('taxes', 0.5), p('rates', 0.05)], { size: 10 }), cluster('layer0_3', [p('tax', 0.9), p('flat tax', 0.3)], { size: 5 })]);
    expect(taxes.get('layer0_2')).toBe('Taxes');
    expect(taxes.get('layer0_3')).toBe('Flat tax');
    const parent = phraseTopicNames([
      cluster('layer1_0', [p('woman', 0.6), p('rights', 0.05)], { children: [{ key: 'layer0_0', name: 'Women', sameMembers: false }] }),
    ]);
    expect(parent.get('layer1_0')).toBe('Rights');
  });

  it('does not join two words that a phrase of the topic says together', () => {
    // "March" is the march of "Women's March": one theme, not two.
    expect(nameOne([p('women', 0.78, 0.88), p('March', 0.29, 0.42), p("Women's March", 0.07, 0.11)])).toBe('Women');
    expect(nameOne([p('women', 0.78, 0.88), p('March', 0.29, 0.42), p('equal pay', 0.2, 0.4), p("Women's March", 0.07, 0.11)])).toBe('Women and equal pay');
    // A pair the comments write with "and" is one phrase, joined with nothing more.
    expect(nameOne([p('checks and balances', 0.3), p('government', 0.3)])).toBe('Checks and balances');
    expect(joinable(p('checks and balances', 0.3), p('government', 0.3))).toBe(false);
  });

  it('names a topic by a specific phrase rather than a word about the conversation itself', () => {
    expect(nameOne([p('views', 0.13, 0.4), p('compromise', 0.13, 0.3), p('middle ground', 0.09, 0.29)])).toBe('Compromise');
    // Nothing specific covers half as much: the generic words are what the comments share.
    expect(nameOne([p('statements', 0.2, 0.2), p('perspectives', 0.15, 0.17), p('action', 0.06, 0.2)])).toBe('Statements and perspectives');
    // A generic word is not joined to a specific phrase.
    expect(nameOne([p('compromise', 0.3, 0.5), p('views', 0.2, 0.4)])).toBe('Compromise');
  });

  it('joins two phrases only when each is in at least two of the comments, and leads with a phrase several comments share', () => {
    expect(JOIN_MIN_COMMENTS).toBe(2);
    const tiny = (phrases: LabelPhrase[], size: number) => phraseTopicNames([cluster('layer0_0', phrases, { size })]).get('layer0_0');
    expect(tiny([p('civility', 0.2, 0.5), p('respect', 0.2, 0.4)], 5)).toBe('Civility');
    expect(tiny([p('civility', 0.4, 0.5), p('respect', 0.4, 0.4)], 5)).toBe('Civility and respect');
    expect(tiny([p('20km of a freshwater body', 0.083, 0.3), p('town', 0.17, 0.2)], 12)).toBe('Town');
  });

  it("lets the word of the layer's theme yield to what tells siblings apart", () => {
    expect(THEME_SHARE).toBe(0.5);
    const names = phraseTopicNames([
      cluster('layer0_0', [p('Uber', 0.45, 0.5), p('government', 0.24, 0.3), p('ministry', 0.16, 0.2)], { size: 38 }),
      cluster('layer0_1', [p('taxis', 0.7, 0.6), p('Uber', 0.66, 0.5)], { size: 24 }),
      cluster('layer0_2', [p('Uber', 0.56, 0.5), p('choice', 0.26, 0.3)], { size: 23 }),
      cluster('layer0_3', [p('passengers', 0.67, 0.7), p('safety', 0.27, 0.4)], { size: 15 }),
      cluster('layer0_4', [p('Uber', 0.9, 0.9), p('drivers', 0.16, 0.3)], { size: 12 }),
    ]);
    expect(names.get('layer0_0')).toBe('Government and ministry');
    expect(names.get('layer0_1')).toBe('Taxis');
    expect(names.get('layer0_2')).toBe('Choice');
    expect(names.get('layer0_3')).toBe('Passengers and safety');
    // Nothing else covers 40 % of what the theme covers: it names the topic, alone.
    expect(names.get('layer0_4')).toBe('Uber');
    // A phrase with a theme word and another is specific ("housing units" beside "housing").
    const housing = phraseTopicNames(
      ['housing units', 'rent control', 'zoning rules'].map((own, i) => cluster(`layer0_${i}`, [p('housing', 0.6, 0.6), p(own, 0.3, 0.5)])),
    );
    expect(housing.get('layer0_0')).toBe('Housing units');
    expect(housing.get('layer0_1')).toBe('Rent control');
    // The word counts wherever it is said: "housing" of "housing units" and "housing affordability" too.
    const words = phraseTopicNames([
      cluster('layer0_0', [p('housing', 0.47, 0.7), p('property', 0.23, 0.4)]),
      cluster('layer0_1', [p('housing units', 0.4, 0.6), p('rent', 0.1, 0.2)]),
      cluster('layer0_2', [p('housing affordability', 0.8, 0.8), p('development', 0.3, 0.2)]),
    ]);
    expect(words.get('layer0_0')).toBe('Property');
  });

  it('names a coarse topic whose best phrase is a child\'s name by its two largest children', () => {
    expect(CHILDREN_SHARE).toBe(0.6);
    // "energy" scores too little to be joined to "climate change" by the phrases alone.
    const phrases = [p('climate change', 0.25, 0.45), p('energy', 0.149, 0.15), p('fossil fuels', 0.09, 0.12)];
    const children = (sizes: number[]) => [
      { key: 'layer0_3', name: 'Energy', sameMembers: false, size: sizes[0] },
      { key: 'layer0_8', name: 'Climate change', sameMembers: false, size: sizes[1] },
      { key: 'layer0_9', name: 'National parks', sameMembers: false, size: sizes[2] },
    ];
    const name = (sizes: number[]) => phraseTopicNames([cluster('layer1_2', phrases, { size: 147, children: children(sizes) })]).get('layer1_2');
    expect(name([78, 58, 11])).toBe('Energy and climate change');
    // The two hold too little of it, or the second is no real share: its phrases name it.
    expect(name([50, 30, 20])).toBe('Fossil fuels');
    expect(name([120, 15, 12])).toBe('Fossil fuels');
    // A child's name that is none of the topic's own phrases does not name it.
    const renamed = children([78, 58, 11]).map((child) => (child.name === 'Energy' ? { ...child, name: 'Power' } : child));
    expect(phraseTopicNames([cluster('layer1_2', phrases, { size: 147, children: renamed })]).get('layer1_2')).toBe('Energy');
  });

  it('names a topic whose best phrase a larger sibling took by a more specific phrase of it', () => {
    expect(TAKEN_SPECIFIC_SHARE).toBe(0.4);
    const names = phraseTopicNames([
      cluster('layer0_0', [p('women', 0.5, 0.7)], { size: 185 }),
      cluster('layer0_1', [p('woman', 0.177, 0.42), p('man', 0.063, 0.17), p('Christian', 0.05, 0.17), p('white woman', 0.076, 0.14)], { size: 79 }),
    ]);
    expect(names.get('layer0_1')).toBe('White woman');
    // One covering too little of what the taken name covers does not.
    const few = phraseTopicNames([
      cluster('layer0_0', [p('women', 0.5, 0.7)], { size: 185 }),
      cluster('layer0_1', [p('woman', 0.177, 0.42), p('man', 0.063, 0.17), p('white woman', 0.06, 0.14)], { size: 79 }),
    ]);
    expect(few.get('layer0_1')).toBe('Man');
  });

  it("names a coarse topic by its children's names only when several of its comments contain each", () => {
    const phrases = [p('business', 0.08, 0.18), p('highest qualification', 0.04, 0.09), p('secondary school', 0.04, 0.09)];
    const children = [
      { key: 'layer0_10', name: 'Highest qualification', sameMembers: false, size: 18 },
      { key: 'layer0_17', name: 'Business', sameMembers: false, size: 7 },
    ];
    expect(phraseTopicNames([cluster('layer1_7', phrases, { size: 25, children })]).get('layer1_7')).not.toBe('Highest qualification and business');
  });

  it('joins, in a coarse topic, two phrases that each name a smaller share of it', () => {
    expect(COARSE_JOIN_COVERAGE).toBe(0.125);
    const phrases = [p('health care', 0.13, 0.15), p('education', 0.135, 0.22), p('government', 0.07, 0.08)];
    const children = [
      { key: 'layer1_0', name: 'Medicare', sameMembers: false, size: 165 },
      { key: 'layer1_1', name: 'Schools', sameMembers: false, size: 88 },
    ];
    expect(phraseTopicNames([cluster('layer2_0', phrases, { size: 451, children })]).get('layer2_0')).toBe('Health care and education');
    // A topic of one child's members, or of none, is no mixture.
    expect(phraseTopicNames([cluster('layer0_0', phrases, { size: 451 })]).get('layer0_0')).toBe('Health care');
  });

  it('names rows without phrases (older jobs) from their keywords', () => {
    const names = phraseTopicNames([cluster('layer0_0', [], { keywords: ['water quality', 'rivers'] }), cluster('layer0_1', [])]);
    expect(names.get('layer0_0')).toBe('Water quality and rivers');
    expect(names.get('layer0_1')).toBe(MISCELLANEOUS_LABEL);
  });

  it('names real clusters with phrases of their comments, no lone abbreviation or number (march-on)', () => {
    const rows = parse(
      readFileSync(join(__dirname, '..', 'fixtures', 'march-on.operation-marchin-orders', 'comments.csv'), 'utf8'),
      { columns: true },
    ) as Record<string, string>[];
    const texts = rows.filter((row) => row.moderated !== '-1').map((row) => row['comment-body']);
    const themes = [/gun/i, /climate/i, /health ?care/i, /vot(e|ing)/i, /women/i, /immigra/i, /educat|school/i, /trump/i];
    const labels = texts.map((text) => themes.findIndex((theme) => theme.test(text)));
    const phrases = clusterLabelPhrases(texts, labels);

    const names = phraseTopicNames([...phrases].map(([id, list]) => cluster(`layer0_${id}`, list)));

    expect(new Set([...names.values()].map((n) => n.toLowerCase())).size).toBe(themes.length);
    const flat = (text: string) => text.toLowerCase().replace(/\s+/g, ' ');
    for (const [key, name] of names) {
      const id = Number(key.split('_')[1]);
      expect(name, name).toMatch(themes[id]);
      expect(name).not.toMatch(/^(\p{Lu}{1,3}|\d+)$/u);
      const own = texts.filter((_, i) => labels[i] === id).map(flat);
      for (const part of name.split(' and ')) expect(own.some((text) => text.includes(flat(part))), part).toBe(true);
    }
  });
});

describe('cleanTopicLabel', () => {
  it.each([
    ['Water quality', 'Water quality'],
    ['"Water quality"', 'Water quality'],
    ['“Water quality.”', 'Water quality'],
    ["'Water quality'", 'Water quality'],
    ['Topic: Water quality', 'Water quality'],
    ['topic name - Water quality', 'Water quality'],
    ['Label - Water quality', 'Water quality'],
    ['Label: "Water quality".', 'Water quality'],
    ['**Topic:** Water quality', 'Water quality'],
    ['**Water quality**', 'Water quality'],
    ['## Water quality', 'Water quality'],
    ['`Water quality`', 'Water quality'],
    ['1. Water quality', 'Water quality'],
    ['2) Water quality', 'Water quality'],
    ['- Water quality', 'Water quality'],
    ['0_3: Water quality', 'Water quality'],
    ['Water quality.', 'Water quality'],
    ['  Water \t  quality  ', 'Water quality'],
    ['Water quality\nThis cluster is about rivers and lakes.', 'Water quality'],
    ['Here is a short label:\n\n"Water quality"', 'Water quality'],
    ['```\nWater quality\n```', 'Water quality'],
    ['Protecting rivers, lakes and wetlands from farm runoff and pollution', 'Protecting rivers, lakes and wetlands'],
    ['Farmers\' rights', "Farmers' rights"],
    ['Pro-choice vs. pro-life?', 'Pro-choice vs. pro-life?'],
    ['', ''],
    ['"  "', ''],
  ])('cleans %j to %j', (raw, expected) => {
    expect(cleanTopicLabel(raw)).toBe(expected);
  });

  it('cuts to at most 80 characters at a word boundary', () => {
    const long = 'Supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopic considerations';
    const cleaned = cleanTopicLabel(long);
    expect(cleaned.length).toBeLessThanOrEqual(80);
    expect(cleaned).toBe('Supercalifragilisticexpialidocious antidisestablishmentarianism');
    expect(cleanTopicLabel('x'.repeat(200))).toHaveLength(80);
  });
});
