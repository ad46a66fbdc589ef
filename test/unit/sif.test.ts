import { describe, expect, it } from 'vitest';
import { embedHybrid } from '../../shared/algorithms/hybrid';
import { firstPrincipalDirection, sifEmbed, sifWords } from '../../shared/algorithms/sif';
import { loadWordVectors } from '../../shared/algorithms/wordVectors';
import { loadComments } from './support/conversationVectors';

const words = loadWordVectors();
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((sum, x, d) => sum + x * b[d], 0);

describe('SIF sentence vectors', () => {
  const probes = ['The kitten sleeps on the mat', 'A cat naps on a rug', 'Taxes on income should rise', 'Lower the income tax rate', 'zzqx vbnm'];
  const corpus = loadComments('scoop-hivemind.biodiversity');
  const { vectors, coverage } = sifEmbed([...probes, ...corpus], words);

  it('put sentences about the same thing together, even with no word in common', () => {
    const [kitten, cat, taxes, lower] = vectors as Float64Array[];
    expect(dot(kitten, cat)).toBeGreaterThan(dot(kitten, taxes));
    expect(dot(taxes, lower)).toBeGreaterThan(dot(cat, lower));
  });

  it('give unit vectors, none for a text with no known word, and count the coverage', () => {
    for (const vector of vectors.filter((v, i) => i !== 4)) expect(Math.hypot(...(vector as Float64Array))).toBeCloseTo(1, 9);
    expect(vectors[4]).toBeNull();
    expect(coverage).toBeGreaterThan(0.9);
    expect(coverage).toBeLessThan(1);
  });

  it('remove the common component: every vector is orthogonal to the removed direction', () => {
    const few = sifEmbed(corpus.slice(0, 20), words); // below 30 comments nothing is removed
    expect(Array.from(few.commonComponent).every((x) => x === 0)).toBe(true);
    const raw = few.vectors as Float64Array[];
    const direction = firstPrincipalDirection(raw, 100);
    expect(Math.hypot(...direction)).toBeCloseTo(1, 9);
    expect(raw.some((vector) => Math.abs(dot(vector, direction)) > 0.1)).toBe(true);

    const all = sifEmbed(corpus, words);
    expect(Math.hypot(...all.commonComponent)).toBeCloseTo(1, 9);
    const removed = all.vectors.filter((v) => v !== null) as Float64Array[];
    expect(removed.length).toBeGreaterThan(100);
    for (const vector of removed) expect(Math.abs(dot(vector, all.commonComponent))).toBeLessThan(1e-9);
    // Deterministic: the power iteration starts from a fixed vector.
    expect(sifEmbed(corpus, words).commonComponent).toEqual(all.commonComponent);
  });

  it('look up the English tokenizer\'s words, unstemmed, and words with diacritics without them', () => {
    expect(sifWords("The pest-free islands' kiwi, Māori land, NZ's 2050")).toEqual(['pest', 'free', 'islands', 'kiwi', 'māori', 'land', 'nz', '2050']);
    const [accented, plain] = sifEmbed(['Māori', 'maori'], words).vectors as Float64Array[];
    expect(accented).not.toBeNull();
    expect(Array.from(accented)).toEqual(Array.from(plain));
    const [cats, cat] = sifEmbed(['cats', 'cat'], words).vectors as Float64Array[];
    expect(dot(cats, cat)).toBeLessThan(1 - 1e-6); // not stemmed to one word
  });
});

describe('the hybrid embedding', () => {
  const texts = loadComments('scoop-hivemind.biodiversity');

  it('is deterministic, of unit length, and records its model', () => {
    const first = embedHybrid(texts, words);
    const second = embedHybrid(texts, words);
    expect(second.vectors).toEqual(first.vectors);
    expect(first.model).toBe('hybrid-lsa100-glove100-sif');
    expect(first.dimensions).toBe(200);
    for (const vector of first.vectors) expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    expect(first.wordCoverage).toBeGreaterThan(0.9);
  });

  it('gives a comment with no known word its LSA half alone, still a unit vector', () => {
    const { vectors, adjustments } = embedHybrid([...texts.slice(0, 20), 'zzqx vbnm zzqx'], words);
    const last = vectors[vectors.length - 1];
    expect(Math.hypot(...last)).toBeCloseTo(1, 5);
    expect(Array.from(last.subarray(100)).every((x) => x === 0)).toBe(true);
    expect(adjustments.join('\n')).toMatch(/1 of 21 comments have no word with a pretrained vector/);
  });
});
