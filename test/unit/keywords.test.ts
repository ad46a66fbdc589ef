import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { clusterKeywords, nearestToCentroid } from '../../shared/algorithms/keywords';
import { round6 } from '../../shared/algorithms/rounding';

describe('clusterKeywords', () => {
  it('computes c-TF-IDF exactly as BERTopic does (hand-checked)', () => {
    // Prepare: class 0 = "apple banana", class 1 = "apple cherry".
    // Terms per class: apple, banana/cherry and the bigram: 3 each, so A = 6 / 2 = 3.
    // score(banana, 0) = 1/3 · ln(1 + 3/1); score(apple, 0) = 1/3 · ln(1 + 3/2).
    const texts = ['Apple banana', 'Apple cherry', 'Apple'];

    // Act
    const result = clusterKeywords(texts.slice(0, 2), [0, 1]);
    const withApple = clusterKeywords(['Apple banana', 'Apple'], [0, 1], { topN: 1 });

    // Assess: the bigram ties with "banana", wins on term order, and then says both of its words.
    expect(result.get(0)).toEqual({ keywords: ['apple banana'], scores: [round6(Math.log(4) / 3)] });
    expect(result.get(1)).toEqual({ keywords: ['apple cherry'], scores: [round6(Math.log(4) / 3)] });
    expect(result.get(0)?.scores[0]).toBe(0.462098);
    // Class 1 has just "apple" (1 term), A = trunc(4 / 2) = 2, f(apple) = 2: 1 · ln(1 + 2/2).
    expect(withApple.get(1)).toEqual({ keywords: ['apple'], scores: [round6(Math.log(2))] });
  });

  it('puts the word that defines a cluster first, above words every cluster uses', () => {
    // Prepare: every comment says "people" and "council"; each cluster has its own subject.
    const texts = [
      'People want the council to fix the potholes',
      'Potholes everywhere, people tell the council',
      'The council ignores potholes people report',
      'People ask the council for more buses',
      'Buses late again, people blame the council',
      'Council should fund buses people use',
    ];

    const result = clusterKeywords(texts, [0, 0, 0, 1, 1, 1]);

    expect(result.get(0)?.keywords[0]).toBe('potholes');
    expect(result.get(1)?.keywords[0]).toBe('buses');
    const scores0 = result.get(0)!;
    expect(scores0.scores[0]).toBeGreaterThan(scores0.scores[scores0.keywords.indexOf('people')]);
    expect(scores0.scores[0]).toBeGreaterThan(scores0.scores[scores0.keywords.indexOf('council')]);
  });

  it('leaves noise out of the result but counts its words as used elsewhere', () => {
    // Prepare: "kiwi" and "trees" are used equally in the cluster; the noise talks about trees.
    const clustered = ['Kiwi; trees.', 'Kiwi, trees!'];
    const noise = ['Trees, trees, trees', 'More trees please'];

    // Act
    const alone = clusterKeywords(clustered, [0, 0]);
    const withNoise = clusterKeywords([...clustered, ...noise], [0, 0, -1, -1]);

    // Assess
    expect([...withNoise.keys()]).toEqual([0]);
    const score = (result: typeof alone, term: string) => {
      const entry = result.get(0)!;
      return entry.scores[entry.keywords.indexOf(term)];
    };
    expect(score(alone, 'kiwi')).toBe(score(alone, 'trees'));
    expect(score(withNoise, 'kiwi')).toBeGreaterThan(score(withNoise, 'trees'));
    expect(withNoise.get(0)!.keywords).toEqual(['kiwi', 'trees']);
  });

  it('drops the unigrams a kept bigram already says, but keeps a unigram used far more widely', () => {
    // "climate" and "change" occur only in "climate change"; "species" is used 4×, "native species" 1×.
    const texts = [
      'Climate change is urgent',
      'Act on climate change now',
      'Climate change threatens species',
      'Protect native species and rare species',
      'Species loss is accelerating',
    ];
    const others = ['Fix the roads', 'Build more roads', 'Road tolls are unfair'];

    const result = clusterKeywords([...texts, ...others], [0, 0, 0, 0, 0, 1, 1, 1]);
    const keywords = result.get(0)!.keywords;

    expect(keywords).toContain('climate change');
    expect(keywords).not.toContain('climate');
    expect(keywords).not.toContain('change');
    expect(keywords).toContain('species');
  });

  it('returns at most topN keywords with scores rounded to 6 decimals, best first', () => {
    const texts = Array.from({ length: 12 }, (_, i) => `word${i} shared${i % 3} topic${i % 2} extra${i}`);
    const labels = texts.map((_, i) => i % 2);

    const result = clusterKeywords(texts, labels, { topN: 4 });

    for (const { keywords, scores } of result.values()) {
      expect(keywords).toHaveLength(4);
      expect(scores).toHaveLength(4);
      for (const score of scores) expect(score).toBe(Number(score.toFixed(6)));
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    }
  });

  it('does not depend on the order of the comments', () => {
    const texts = ['Feral cats kill birds', 'Cats need curfews', 'Dogs on leashes', 'Dogs scare birds', 'Cats and dogs'];
    const labels = [0, 0, 1, 1, -1];
    const order = [4, 2, 0, 3, 1];

    const forward = clusterKeywords(texts, labels);
    const shuffled = clusterKeywords(order.map((i) => texts[i]), order.map((i) => labels[i]));

    expect([...shuffled]).toEqual([...forward]);
  });

  it('finds distinct, on-theme keywords for sibling clusters of real comments (biodiversity)', () => {
    // Prepare: comments grouped by theme as a clustering would; everything else is noise.
    const rows = parse(
      readFileSync(join(__dirname, '..', 'fixtures', 'scoop-hivemind.biodiversity', 'comments.csv'), 'utf8'),
      { columns: true },
    ) as Record<string, string>[];
    const texts = rows.filter((row) => row.moderated !== '-1').map((row) => row['comment-body']);
    const themes = [/farm/i, /water/i, /1080|poison|trap/i, /\bm[aā]ori\b|\biwi\b/i];
    const labels = texts.map((text) => themes.findIndex((theme) => theme.test(text)));

    // Act
    const result = clusterKeywords(texts, labels);

    // Assess: each cluster's best keyword names its theme; no top-3 keyword is shared.
    expect([...result.keys()]).toEqual([0, 1, 2, 3]);
    themes.forEach((theme, id) => expect(result.get(id)!.keywords[0]).toMatch(theme));
    const top3 = [...result.values()].flatMap((entry) => entry.keywords.slice(0, 3));
    expect(new Set(top3).size).toBe(top3.length);
  });

  it('rejects labels that do not match the texts', () => {
    expect(() => clusterKeywords(['a b'], [0, 1])).toThrow(RangeError);
  });
});

describe('nearestToCentroid', () => {
  it("orders members by distance to the members' mean, ties by index", () => {
    // Mean of the four is (2.75, 2.75): members 1 and 2 tie, then 0, then the far point 3.
    const vectors = [[0, 0], [1, 0], [0, 1], [10, 10]];

    expect(nearestToCentroid(vectors, [0, 1, 2, 3], 4)).toEqual([1, 2, 0, 3]);
    expect(nearestToCentroid(vectors, [3, 2, 1, 0], 2)).toEqual([1, 2]);
    expect(nearestToCentroid(vectors, [0, 3], 5)).toEqual([0, 3]);
    expect(nearestToCentroid(vectors, [], 3)).toEqual([]);
  });

  it('works on Float32Array vectors', () => {
    const vectors = [Float32Array.from([1, 0]), Float32Array.from([0.8, 0.6]), Float32Array.from([0, 1])];
    expect(nearestToCentroid(vectors, [0, 1, 2], 1)).toEqual([1]);
  });
});
