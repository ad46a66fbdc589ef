import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { clusterKeywords } from '../../shared/algorithms/keywords';
import { ENGLISH_STOP_WORDS } from '../../shared/algorithms/text';
import {
  MISCELLANEOUS_LABEL,
  cleanTopicLabel,
  keywordTopicNames,
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
