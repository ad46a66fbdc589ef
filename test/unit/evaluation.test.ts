import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  adjustedRandIndex,
  normalizedMutualInformation,
  npmiCoherence,
  npmiPerTopic,
  purity,
  silhouette,
  topicDiversity,
} from '../../shared/algorithms/evaluation';
import { clusterKeywords } from '../../shared/algorithms/keywords';
import { embedLsa } from '../../shared/algorithms/lsa';

describe('silhouette', () => {
  // Two 1-D clusters {0, 1} and {10, 11}.
  const points = [[0], [1], [10], [11]];
  // s = (b − a) / max(a, b): the outer points have a = 1, b = 10.5; the inner ones a = 1, b = 9.5.
  const expected = (9.5 / 10.5 + 8.5 / 9.5) / 2;

  it('matches the hand-computed mean silhouette', () => {
    expect(silhouette(points, [0, 0, 1, 1])).toBeCloseTo(expected, 12);
    // Swapping the labels of one point from each cluster makes it negative.
    expect(silhouette(points, [0, 1, 0, 1])).toBeLessThan(0);
  });

  it('excludes noise and scores a point alone in its cluster 0, as scikit-learn', () => {
    expect(silhouette([...points, [5]], [0, 0, 1, 1, -1])).toBeCloseTo(expected, 12);
    expect(silhouette([...points, [100]], [0, 0, 1, 1, 2])).toBeCloseTo((4 * expected) / 5, 12);
  });

  it('returns 0 when fewer than two clusters remain', () => {
    expect(silhouette(points, [0, 0, 0, 0])).toBe(0);
    expect(silhouette(points, [0, -1, -1, -1])).toBe(0);
  });

  it('supports cosine distance', () => {
    // Directions near 0° and near 90°: cosine sees two tight clusters whatever the lengths.
    const vectors = [[1, 0.01], [5, 0], [0, 1], [0.02, 7]];
    expect(silhouette(vectors, [0, 0, 1, 1], { metric: 'cosine' })).toBeGreaterThan(0.99);
    expect(silhouette(vectors, [0, 0, 1, 1])).toBeLessThan(0.5);
  });

  it('samples evenly spaced points, deterministically, above maxSamples', () => {
    const many = Array.from({ length: 40 }, (_, i) => [i % 2 === 0 ? i / 100 : 10 + i / 100]);
    const labels = many.map((_, i) => i % 2);

    const sampled = silhouette(many, labels, { maxSamples: 10 });

    // The sample is every 4th point: 0, 4, …, 36, all from cluster 0 → fewer than 2 clusters.
    expect(sampled).toBe(0);
    const stride3 = silhouette(many, labels, { maxSamples: 13 });
    const picked = Array.from({ length: 13 }, (_, k) => Math.floor((k * 40) / 13));
    expect(stride3).toBe(silhouette(picked.map((i) => many[i]), picked.map((i) => labels[i])));
    expect(silhouette(many, labels, { maxSamples: 13 })).toBe(stride3);
  });
});

describe('topicDiversity', () => {
  it('is the share of distinct words among all top-10 words', () => {
    expect(topicDiversity([['a', 'b'], ['b', 'c']])).toBe(0.75);
    expect(topicDiversity([['a', 'b'], ['c', 'd']])).toBe(1);
    expect(topicDiversity([])).toBe(0);
    // Only the first 10 words of a topic count.
    const eleven = Array.from({ length: 11 }, (_, i) => `w${i}`);
    expect(topicDiversity([eleven, ['w10']])).toBe(1);
    expect(topicDiversity([eleven, ['w0']])).toBe(10 / 11);
  });
});

describe('npmiCoherence', () => {
  const texts = ['Apple banana', 'Apple banana', 'Cherry', 'Durian'];

  it('scores words always seen together 1 and never seen together −1', () => {
    // p(apple) = p(banana) = p(apple, banana) = 1/2: ln(0.5 / 0.25) / −ln 0.5 = 1.
    expect(npmiPerTopic([['apple', 'banana'], ['apple', 'cherry'], ['apple']], texts)).toEqual([1, -1, null]);
    expect(npmiCoherence([['apple', 'banana'], ['apple', 'cherry']], texts)).toBe(0);
  });

  it('is 0 for words that co-occur as often as chance predicts', () => {
    // p(apple) = p(banana) = 1/2, p(apple, banana) = 1/4 = p(apple)·p(banana).
    const independent = ['Apple banana', 'Apple cherry', 'Banana', 'Durian'];
    expect(npmiCoherence([['apple', 'banana']], independent)).toBeCloseTo(0, 12);
  });

  it('counts a bigram keyword as present where its two words stand together', () => {
    const bigramTexts = ['Native species matter', 'Species that are native', 'Native species decline', 'Roads'];
    // "native species" stands in comments 0 and 2 (not 1), "matter" in 0: p = 1/2, 1/4, joint 1/4.
    const expected = Math.log(0.25 / (0.5 * 0.25)) / -Math.log(0.25);
    expect(expected).toBeCloseTo(0.5, 12);
    expect(npmiCoherence([['native species', 'matter']], bigramTexts)).toBeCloseTo(expected, 12);
    expect(npmiCoherence([['Native Species', 'decline']], bigramTexts)).toBeCloseTo(expected, 12);
    // As single words, "native" is in three comments: p = 3/4.
    const single = Math.log(0.25 / (0.75 * 0.25)) / -Math.log(0.25);
    expect(npmiCoherence([['native', 'matter']], bigramTexts)).toBeCloseTo(single, 12);
  });

  it('ignores keywords that are only stop words', () => {
    expect(npmiPerTopic([['apple', 'the', 'banana']], texts)).toEqual([1]);
    expect(npmiPerTopic([['apple', 'the']], texts)).toEqual([null]);
  });

  it('rates c-TF-IDF keywords of real theme clusters above shuffled word lists (march-on)', () => {
    // Prepare
    const rows = parse(
      readFileSync(join(__dirname, '..', 'fixtures', 'march-on.operation-marchin-orders', 'comments.csv'), 'utf8'),
      { columns: true },
    ) as Record<string, string>[];
    const comments = rows.filter((row) => row.moderated !== '-1').map((row) => row['comment-body']);
    const themes = [/gun/i, /climate/i, /health ?care/i, /immigra/i];
    const labels = comments.map((text) => themes.findIndex((theme) => theme.test(text)));
    const topics = [...clusterKeywords(comments, labels).values()].map((entry) => entry.keywords);
    // The same words dealt round-robin across topics: each list now mixes themes.
    const all = topics.flat();
    const mixed = topics.map((_, t) => all.filter((__, i) => i % topics.length === t));

    // Act / Assess
    expect(npmiCoherence(topics, comments)).toBeGreaterThan(npmiCoherence(mixed, comments) + 0.2);
    expect(topicDiversity(topics)).toBe(1);
  });
});

describe('adjustedRandIndex', () => {
  it.each([
    [[0, 0, 1, 1], [0, 0, 1, 1], 1],
    [[0, 0, 1, 1], [1, 1, 0, 0], 1],
    [[0, 0, 1, 1], [0, 0, 1, 2], 4 / 7], // scikit-learn's documented 0.57
    [[0, 0, 1, 2], [0, 0, 1, 1], 4 / 7],
    [[0, 0, 1, 1], [0, 1, 0, 1], -0.5],
    [[0, 0, 0, 0], [0, 1, 2, 3], 0],
    [[0, 0, 0, 0], [5, 5, 5, 5], 1],
    [[0, 1, 2, 3], [3, 2, 1, 0], 1],
    [[], [], 1],
  ])('ARI(%j, %j) = %d', (a, b, expected) => {
    expect(adjustedRandIndex(a, b)).toBeCloseTo(expected, 12);
  });

  it('is symmetric and treats −1 as an ordinary label', () => {
    const a = [0, 0, 1, 1, -1, -1, 2, 2, 2];
    const b = [1, 1, 1, 0, 0, -1, 2, 2, 0];
    expect(adjustedRandIndex(a, b)).toBeCloseTo(adjustedRandIndex(b, a), 12);
    expect(adjustedRandIndex(a, a)).toBe(1);
  });

  it('rejects labelings of different lengths', () => {
    expect(() => adjustedRandIndex([0, 1], [0])).toThrow(RangeError);
  });
});

describe('normalizedMutualInformation', () => {
  it.each([
    [[0, 0, 1, 1], [0, 0, 1, 1], 1],
    [[0, 0, 1, 1], [1, 1, 0, 0], 1],
    // b refines a: I = H(a) = ln 2, H(b) = 1.5 ln 2 → ln 2 / (1.25 ln 2).
    [[0, 0, 1, 1], [0, 0, 1, 2], 0.8],
    [[0, 0, 1, 1], [0, 1, 0, 1], 0],
    [[0, 0, 0, 0], [0, 1, 2, 3], 0],
    [[0, 0, 0, 0], [1, 1, 1, 1], 1],
  ])('NMI(%j, %j) = %d', (a, b, expected) => {
    expect(normalizedMutualInformation(a, b)).toBeCloseTo(expected, 12);
  });

  it('matches a hand-computed value with unequal clusters', () => {
    // a = [0,0,0,1,1,1], b = [0,0,1,1,1,1]: contingency [[2,1],[0,3]].
    const a = [0, 0, 0, 1, 1, 1];
    const b = [0, 0, 1, 1, 1, 1];
    const p = (count: number) => count / 6;
    const mi =
      p(2) * Math.log(p(2) / (p(3) * p(2))) + p(1) * Math.log(p(1) / (p(3) * p(4))) + p(3) * Math.log(p(3) / (p(3) * p(4)));
    const ha = Math.log(2);
    const hb = -(p(2) * Math.log(p(2)) + p(4) * Math.log(p(4)));
    expect(normalizedMutualInformation(a, b)).toBeCloseTo(mi / ((ha + hb) / 2), 12);
    expect(normalizedMutualInformation(a, b)).toBeCloseTo(0.478704, 6);
  });
});

describe('purity', () => {
  it("credits each cluster with its majority class", () => {
    expect(purity([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1])).toBeCloseTo(5 / 6, 12);
    expect(purity([0, 0, 1, 1], [7, 7, 8, 8])).toBe(1);
    expect(purity([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0.25);
    expect(purity([], [])).toBe(0);
  });

  it('counts noise as one cluster', () => {
    expect(purity([-1, -1, 0, 0], [1, 2, 3, 3])).toBe(0.75);
  });
});

describe('metrics on real embeddings', () => {
  it('separates theme clusters of real comments better than a random labeling (biodiversity)', () => {
    const rows = parse(
      readFileSync(join(__dirname, '..', 'fixtures', 'scoop-hivemind.biodiversity', 'comments.csv'), 'utf8'),
      { columns: true },
    ) as Record<string, string>[];
    const texts = rows.filter((row) => row.moderated !== '-1').map((row) => row['comment-body']);
    const { vectors } = embedLsa(texts);
    const themes = [/farm/i, /water/i, /1080|poison|trap/i, /\bm[aā]ori\b|\biwi\b/i];
    const labels = texts.map((text) => themes.findIndex((theme) => theme.test(text)));
    const shuffled = labels.map((label, i) => (label === -1 ? -1 : (label + i) % themes.length));

    expect(silhouette(vectors, labels, { metric: 'cosine' })).toBeGreaterThan(
      silhouette(vectors, shuffled, { metric: 'cosine' }) + 0.02,
    );
  });
});
