import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { clusterFeatures } from '../../shared/algorithms/features';
import { embedLsa } from '../../shared/algorithms/lsa';

const vec = (...values: number[]) => Float32Array.from(values);

describe('clusterFeatures', () => {
  // Prepare (shared): two clusters and one noise comment with hand-checkable geometry.
  const texts = [
    'Apple banana',
    'Apple cherry',
    'Apple',
    'Durian smells',
    'Durian tastes good',
    'Nothing to see',
  ];
  const vectors = [vec(1, 0), vec(0, 1), vec(1, 0), vec(0.6, 0.8), vec(0.6, 0.8), vec(-1, 0)];
  const positions = [[0, 0], [2, 0], [1, 3], [10, 10], [12, 14], [50, 50]];
  const labels = [0, 0, 0, 1, 1, -1];

  it('computes size, share, centroid, spread and density of every cluster but noise', () => {
    const features = clusterFeatures({ texts, vectors, positions, labels });

    expect([...features.keys()]).toEqual([0, 1]);
    const first = features.get(0)!;
    expect(first.size).toBe(3);
    expect(first.share).toBe(0.5);
    expect(first.centroid).toEqual({ x: 1, y: 1 });
    // Embedding mean (2/3, 1/3): distances √(1/9 + 1/9) twice and √(4/9 + 4/9) once.
    const expectedSpread = (2 * Math.sqrt(2 / 9) + Math.sqrt(8 / 9)) / 3;
    expect(first.spread).toBe(Number(expectedSpread.toFixed(6)));
    // Pair cosines: (0,1) 0, (0,2) 1, (1,2) 0 → mean 1/3.
    expect(first.density).toBe(0.333333);

    const second = features.get(1)!;
    expect(second).toMatchObject({ size: 2, share: 0.333333, centroid: { x: 11, y: 12 }, spread: 0, density: 1 });
  });

  it("ranks top words by the members' mean TF-IDF (scikit-learn defaults, fitted on all comments)", () => {
    const features = clusterFeatures({ texts, vectors, positions, labels });

    // Six documents; "apple" in 3 of them, "banana" and "cherry" in 1: idf = ln(7 / (1 + df)) + 1.
    const idfApple = Math.log(7 / 4) + 1;
    const idfRare = Math.log(7 / 2) + 1;
    const pairNorm = Math.hypot(idfApple, idfRare);
    const meanApple = (idfApple / pairNorm + idfApple / pairNorm + 1) / 3;
    const meanBanana = idfRare / pairNorm / 3;
    const first = features.get(0)!;
    expect(first.top_words).toEqual(['apple', 'banana', 'cherry']);
    expect(first.top_tfidf_scores).toEqual([
      Number(meanApple.toFixed(6)),
      Number(meanBanana.toFixed(6)),
      Number(meanBanana.toFixed(6)),
    ]);
    expect(features.get(1)!.top_words[0]).toBe('durian');
  });

  it('picks the 3 members nearest the embedding centroid as representatives', () => {
    const features = clusterFeatures({ texts, vectors, positions, labels });

    // Members 0 and 2 sit at (1, 0), nearer the mean (2/3, 1/3) than member 1 at (0, 1).
    expect(features.get(0)!.representative_indices).toEqual([0, 2, 1]);
    expect(features.get(1)!.representative_indices).toEqual([3, 4]);
  });

  it('summarises votes: rates over all votes, consensus and divisiveness over agree/disagree', () => {
    // Prepare: comment 0 is 9–1 (a = 0.9), comment 1 is 5–5 with 10 passes, comment 2 has no votes.
    const votes = [
      { agree: 9, disagree: 1, pass: 0 },
      { agree: 5, disagree: 5, pass: 10 },
      undefined,
      { agree: 0, disagree: 0, pass: 0 },
      undefined,
      { agree: 100, disagree: 0, pass: 0 },
    ];

    // Act
    const features = clusterFeatures({ texts, vectors, positions, labels, votes });

    // Assess: consensus = (10·|2·0.9 − 1| + 10·0) / 20; divisiveness = (10·4·0.9·0.1 + 10·1) / 20.
    expect(features.get(0)!.votes).toEqual({
      agree_rate: 0.466667,
      disagree_rate: 0.2,
      pass_rate: 0.333333,
      total_votes: 30,
      consensus: 0.4,
      divisiveness: 0.68,
    });
    // A cluster without any vote gets no vote features, nor does any cluster without votes input.
    expect(features.get(1)!.votes).toBeUndefined();
    expect(clusterFeatures({ texts, vectors, positions, labels }).get(0)).not.toHaveProperty('votes');
  });

  it('rejects inputs of different lengths', () => {
    expect(() => clusterFeatures({ texts, vectors, positions, labels: [0, 0] })).toThrow(RangeError);
  });

  it('gives bounded, rounded features on a real conversation with votes (biodiversity)', () => {
    // Prepare: real comments, LSA vectors, clusters by theme, per-comment vote counts.
    const dir = join(__dirname, '..', 'fixtures', 'scoop-hivemind.biodiversity');
    const rows = (parse(readFileSync(join(dir, 'comments.csv'), 'utf8'), { columns: true }) as Record<string, string>[])
      .filter((row) => row.moderated !== '-1');
    const counts = new Map<string, { agree: number; disagree: number; pass: number }>();
    for (const vote of parse(readFileSync(join(dir, 'votes.csv'), 'utf8'), { columns: true }) as Record<string, string>[]) {
      const entry = counts.get(vote['comment-id']) ?? { agree: 0, disagree: 0, pass: 0 };
      if (vote.vote === '1') entry.agree++;
      else if (vote.vote === '-1') entry.disagree++;
      else entry.pass++;
      counts.set(vote['comment-id'], entry);
    }
    const realTexts = rows.map((row) => row['comment-body']);
    const embedding = embedLsa(realTexts);
    const themes = [/farm/i, /water/i, /1080|poison|trap/i, /\bm[aā]ori\b|\biwi\b/i];
    const realLabels = realTexts.map((text) => themes.findIndex((theme) => theme.test(text)));

    // Act
    const features = clusterFeatures({
      texts: realTexts,
      vectors: embedding.vectors,
      positions: embedding.vectors.map((v) => [v[0], v[1]]),
      labels: realLabels,
      votes: rows.map((row) => counts.get(row['comment-id'])),
    });

    // Assess
    expect([...features.keys()]).toEqual([0, 1, 2, 3]);
    const rounded = (value: number) => expect(value).toBe(Number(value.toFixed(6)));
    for (const [id, feature] of features) {
      expect(feature.size).toBe(realLabels.filter((label) => label === id).length);
      expect(feature.top_words[0]).toMatch(themes[id]);
      expect(feature.top_words.length).toBeLessThanOrEqual(10);
      expect(feature.representative_indices).toHaveLength(3);
      for (const index of feature.representative_indices) expect(realLabels[index]).toBe(id);
      const votes = feature.votes!;
      expect(votes.total_votes).toBeGreaterThan(100);
      expect(votes.agree_rate + votes.disagree_rate + votes.pass_rate).toBeCloseTo(1, 5);
      for (const value of [votes.agree_rate, votes.consensus, votes.divisiveness, feature.density, feature.share]) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
        rounded(value);
      }
      // Divisiveness 1 − x² is never below 1 − consensus x, per comment and so on average.
      expect(votes.divisiveness).toBeGreaterThanOrEqual(1 - votes.consensus - 1e-6);
      rounded(feature.spread);
      rounded(feature.centroid.x);
    }
  });
});
