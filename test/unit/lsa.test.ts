import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { buildTfidf, embedLsa } from '../../shared/algorithms/lsa';
import { documentTerms } from '../../shared/algorithms/text';

/** A fixture conversation's comments (moderated-out ones dropped) and their Polis ids, by id. */
function loadConversation(name: string): { ids: string[]; texts: string[] } {
  const rows = parse(readFileSync(join(__dirname, '..', 'fixtures', name, 'comments.csv'), 'utf8'), {
    columns: true,
  }) as Record<string, string>[];
  const kept = rows
    .filter((row) => row.moderated !== '-1' && row['comment-body'].trim() !== '')
    .sort((a, b) => Number(a['comment-id']) - Number(b['comment-id']));
  return { ids: kept.map((row) => row['comment-id']), texts: kept.map((row) => row['comment-body']) };
}

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);

function expectUnitVectors(vectors: Float32Array[], dimensions: number) {
  for (const vector of vectors) {
    expect(vector).toBeInstanceOf(Float32Array);
    expect(vector).toHaveLength(dimensions);
    expect(vector.every(Number.isFinite)).toBe(true);
    expect(Math.sqrt(cosine(vector, vector))).toBeCloseTo(1, 5);
  }
}

const biodiversity = loadConversation('scoop-hivemind.biodiversity');

describe('buildTfidf', () => {
  it("computes scikit-learn's smooth idf, optional sublinear tf and L2-normalised rows", () => {
    // Prepare: "apple" in 2 of 3 documents, twice in the first.
    const docs = [['apple', 'apple', 'banana'], ['apple', 'cherry'], []];

    // Act
    const raw = buildTfidf(docs);
    const sublinear = buildTfidf(docs, { sublinearTf: true });

    // Assess: idf = ln((1 + n) / (1 + df)) + 1.
    expect(raw.vocabulary).toEqual(['apple', 'banana', 'cherry']);
    expect(Array.from(raw.documentFrequency)).toEqual([2, 1, 1]);
    const idfApple = Math.log(4 / 3) + 1;
    const idfBanana = Math.log(4 / 2) + 1;
    const norm = Math.hypot(2 * idfApple, idfBanana);
    expect(Array.from(raw.indptr)).toEqual([0, 2, 4, 4]);
    expect(raw.values[0]).toBeCloseTo((2 * idfApple) / norm, 12);
    expect(raw.values[1]).toBeCloseTo(idfBanana / norm, 12);
    const sublinearNorm = Math.hypot((1 + Math.log(2)) * idfApple, idfBanana);
    expect(sublinear.values[0]).toBeCloseTo(((1 + Math.log(2)) * idfApple) / sublinearNorm, 12);
  });

  it('drops terms below min_df and keeps the max_features most frequent', () => {
    const docs = [['a1', 'b1', 'b1'], ['a1', 'c1'], ['a1']];
    expect(buildTfidf(docs, { minDf: 2 }).vocabulary).toEqual(['a1']);
    expect(buildTfidf(docs, { maxFeatures: 2 }).vocabulary).toEqual(['a1', 'b1']);
  });
});

describe('embedLsa', () => {
  it('gives every real comment a unit Float32Array vector of the reported dimension', () => {
    const embedding = embedLsa(biodiversity.texts);

    expect(embedding.dimensions).toBe(100);
    expect(embedding.model).toBe('lsa-tfidf-svd-100');
    expect(embedding.vocabularySize).toBeGreaterThan(200);
    expect(embedding.vectors).toHaveLength(biodiversity.texts.length);
    expectUnitVectors(embedding.vectors, 100);
  });

  it('places comments about the same thing closer than unrelated ones (biodiversity)', () => {
    // Prepare
    const { vectors } = embedLsa(biodiversity.texts);
    const at = (id: string) => vectors[biodiversity.ids.indexOf(id)];

    // Assess: 204 and 50 both ask for farming practices; 305 is about cats.
    expect(cosine(at('204'), at('50'))).toBeGreaterThan(0.3);
    expect(cosine(at('204'), at('50'))).toBeGreaterThan(cosine(at('204'), at('305')) + 0.2);
    // 37 and 39 both want Māori in roles; 254 is about urban waterways.
    expect(cosine(at('37'), at('39'))).toBeGreaterThan(cosine(at('37'), at('254')) + 0.2);

    // Comments sharing a theme word are, on average, much closer than comments of different themes.
    const themes = [/farm/i, /water/i, /1080|poison/i, /māori|maori/i].map((pattern) =>
      biodiversity.texts.flatMap((text, i) => (pattern.test(text) ? [i] : [])),
    );
    const within: number[] = [];
    const between: number[] = [];
    themes.forEach((theme, t) => {
      for (const a of theme) {
        for (const b of theme) if (a < b) within.push(cosine(vectors[a], vectors[b]));
        themes.forEach((other, o) => {
          if (o !== t) for (const b of other) if (!theme.includes(b)) between.push(cosine(vectors[a], vectors[b]));
        });
      }
    });
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(mean(within)).toBeGreaterThan(2 * mean(between));
    expect(mean(within) - mean(between)).toBeGreaterThan(0.1);
  });

  it('equals the exact SVD of the TF-IDF matrix when the sketch spans it', () => {
    // Prepare: 30 comments, 29 dimensions (the sketch has all 30 columns), min_df 1, no stems; the
    // exact U·Σ² of the same TF-IDF matrix by ml-matrix, rows L2-normalised.
    const texts = biodiversity.texts.slice(0, 30);
    const tfidf = buildTfidf(texts.map((text) => documentTerms(text, 2)), { minDf: 1, sublinearTf: true });
    const dense = new Matrix(tfidf.rows, tfidf.vocabulary.length);
    for (let i = 0; i < tfidf.rows; i++) {
      for (let p = tfidf.indptr[i]; p < tfidf.indptr[i + 1]; p++) dense.set(i, tfidf.indices[p], tfidf.values[p]);
    }
    const exact = new SingularValueDecomposition(dense, { computeRightSingularVectors: false, autoTranspose: true });
    const exactVectors = texts.map((_, i) => {
      const row = Array.from({ length: 29 }, (_, c) => exact.leftSingularVectors.get(i, c) * exact.diagonal[c] ** 2);
      const norm = Math.hypot(...row);
      return row.map((x) => x / norm);
    });

    // Act
    const { vectors, dimensions } = embedLsa(texts, { minDf: 1, stem: false });

    // Assess: every coordinate, up to the sign of each singular vector.
    expect(dimensions).toBe(29);
    for (let c = 0; c < 29; c++) {
      const sign = Math.sign(exactVectors.reduce((sum, row, i) => sum + row[c] * vectors[i][c], 0));
      for (let i = 0; i < texts.length; i++) expect(vectors[i][c]).toBeCloseTo(sign * exactVectors[i][c], 4);
    }
  });

  it('is bit-for-bit deterministic for the same input and seed', () => {
    const first = embedLsa(biodiversity.texts, { seed: 7 });
    const second = embedLsa(biodiversity.texts, { seed: 7 });

    expect(second.vectors.map((v) => Buffer.from(v.buffer).toString('base64'))).toEqual(
      first.vectors.map((v) => Buffer.from(v.buffer).toString('base64')),
    );
  });

  it('fixes singular vector signs: another seed gives the same vectors when the sketch is exact', () => {
    // Prepare: 30 comments, 29 dimensions: the 30-column sketch spans the whole row space, so the
    // SVD is exact and only the signs the solver happens to return could differ between seeds.
    const texts = biodiversity.texts.slice(0, 30);

    // Act
    const first = embedLsa(texts, { seed: 1, minDf: 1 });
    const second = embedLsa(texts, { seed: 2, minDf: 1 });

    // Assess
    expect(first.dimensions).toBe(29);
    for (let i = 0; i < texts.length; i++) {
      for (let c = 0; c < 29; c++) expect(second.vectors[i][c]).toBeCloseTo(first.vectors[i][c], 4);
    }
  });

  it('does not depend on the order of the comments', () => {
    const texts = biodiversity.texts.slice(0, 80);
    const forward = embedLsa(texts, { dimensions: 20 });

    const backward = embedLsa([...texts].reverse(), { dimensions: 20 });

    // Only summation order differs, so coordinates (not just cosines) agree closely.
    const reversed = [...backward.vectors].reverse();
    for (let i = 0; i < texts.length; i++) {
      for (let c = 0; c < 20; c++) expect(reversed[i][c]).toBeCloseTo(forward.vectors[i][c], 4);
    }
  });

  it('gives comments without vocabulary a valid, deterministic fallback vector', () => {
    // Prepare: a stop-word-only comment, an empty one and one in a script nobody else uses.
    const texts = [...biodiversity.texts.slice(0, 40), 'And the of it is', '', '   ', '他们 的'];

    // Act
    const embedding = embedLsa(texts);
    const again = embedLsa(texts);

    // Assess
    expectUnitVectors(embedding.vectors, embedding.dimensions);
    expect(embedding.adjustments).toContain('4 of 44 comments have no vocabulary term: fallback vectors used');
    expect(Array.from(again.vectors[40])).toEqual(Array.from(embedding.vectors[40]));
    // Equal (whitespace-only) texts share a fallback; different ones do not.
    expect(Array.from(embedding.vectors[42])).toEqual(Array.from(embedding.vectors[41]));
    expect(cosine(embedding.vectors[40], embedding.vectors[41])).toBeLessThan(0.9);
  });

  it('handles an empty vocabulary, an empty corpus and tiny corpora', () => {
    const empty = embedLsa(['the and', 'of it', '']);
    expect(empty.vocabularySize).toBe(0);
    expect(empty.dimensions).toBe(1);
    expect(empty.model).toBe('lsa-tfidf-svd-1');
    expectUnitVectors(empty.vectors, 1);

    expect(embedLsa([]).vectors).toEqual([]);

    const one = embedLsa(['Protect native birds']);
    expect(one.dimensions).toBe(1);
    expect(Array.from(one.vectors[0])).toEqual([1]);

    const two = embedLsa(['Protect native birds', 'Tax carbon emissions']);
    expect(two.dimensions).toBe(1);
    expectUnitVectors(two.vectors, 1);

    const three = embedLsa(['Protect native birds', 'Protect native forests', 'Tax carbon emissions']);
    expect(three.dimensions).toBe(2);
    expectUnitVectors(three.vectors, 2);
    expect(cosine(three.vectors[0], three.vectors[1])).toBeGreaterThan(cosine(three.vectors[0], three.vectors[2]));
  });

  it('maps identical comments to identical vectors', () => {
    const texts = ['Stop poisoning forests', 'Stop poisoning forests', 'Stop poisoning forests'];
    const { vectors, dimensions } = embedLsa(texts);
    expectUnitVectors(vectors, dimensions);
    // Rank one: the first component carries everything, the second is exactly zero.
    expect(Array.from(vectors[0])).toEqual([1, 0]);
    expect(Array.from(vectors[1])).toEqual(Array.from(vectors[0]));
    expect(Array.from(vectors[2])).toEqual(Array.from(vectors[0]));
  });

  it('records every adjustment it makes to fit a small corpus', () => {
    const embedding = embedLsa(['Protect native birds', 'Protect native forests', 'Tax carbon emissions']);
    expect(embedding.adjustments).toEqual([
      'min_df lowered from 2 to 1 for a corpus of 3 comments',
      `dimensions clamped from 100 to 2 (3 comments, ${embedding.vocabularySize} terms, 0 character n-grams)`,
    ]);
    expect(embedLsa(biodiversity.texts, { dimensions: 50 }).adjustments).toEqual([]);
  });

  describe('with character n-grams (characterWeight)', () => {
    it('adds the character n-grams of the words as features and still gives unit vectors', () => {
      const words = embedLsa(biodiversity.texts);
      const both = embedLsa(biodiversity.texts, { characterWeight: 0.8 });

      expect(words.characterFeatures).toBe(0);
      expect(both.vocabularySize).toBe(words.vocabularySize);
      expect(both.characterFeatures).toBeGreaterThan(1000);
      expect(both.dimensions).toBe(100);
      expectUnitVectors(both.vectors, 100);
    });

    it('brings together comments that share only inflected forms of a word', () => {
      // Prepare: two comments about predators that share no word form, among unrelated ones.
      const texts = [
        'Predators must be trapped across the whole region',
        'Trapping predator species should be funded',
        'Public transport needs cheaper fares',
        'Cheaper fares would get people onto buses',
        'Funding for regional buses',
        'The whole region needs better buses',
      ];

      // Act
      const words = embedLsa(texts, { characterWeight: 0, minDf: 1, stem: false });
      const both = embedLsa(texts, { characterWeight: 0.8, minDf: 1, stem: false });

      // Assess: "predators"/"predator" and "trapped"/"trapping" only match through their n-grams.
      expect(cosine(both.vectors[0], both.vectors[1])).toBeGreaterThan(cosine(words.vectors[0], words.vectors[1]) + 0.2);
    });

    it('is deterministic and falls back to words when no n-gram is shared', () => {
      const first = embedLsa(biodiversity.texts.slice(0, 60), { characterWeight: 0.8 });
      const second = embedLsa(biodiversity.texts.slice(0, 60), { characterWeight: 0.8 });
      expect(second.vectors).toEqual(first.vectors);

      const empty = embedLsa(['the and', 'of it', ''], { characterWeight: 0.8 });
      expect(empty.characterFeatures).toBe(0);
      expectUnitVectors(empty.vectors, 1);
    });
  });

  it('embeds the 1,767 comments of march-on as 100-dimensional unit vectors (its speed: npm run bench)', () => {
    const { texts } = loadConversation('march-on.operation-marchin-orders');

    const embedding = embedLsa(texts);

    expect(texts).toHaveLength(1767);
    expectUnitVectors(embedding.vectors, 100);
  });
});
