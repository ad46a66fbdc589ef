import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { besideLsa } from '../../shared/algorithms/hybrid';
import { embedLsa } from '../../shared/algorithms/lsa';
import { SENTENCE_VECTOR_WEIGHT } from '../../shared/algorithms/sentenceHybrid';
import { ConfigurationError } from '../../shared/errors';
import { SentenceEmbedder } from '../../shared/providers/embedding/sentence';
import { loadSentenceEncoder, SENTENCE_ENCODER, sentenceEncoderFolder } from '../../shared/providers/embedding/sentenceEncoder';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);
const norm = (v: Float32Array) => Math.sqrt(dot(v, v));

describe('the sentence encoder (Universal Sentence Encoder lite, from models/use-lite)', () => {
  it('loads from the folder npm ci writes and puts a kitten nearer a cat than a tax', async () => {
    expect(sentenceEncoderFolder()).toBe(path.resolve(__dirname, '../../models/use-lite'));
    const encoder = await loadSentenceEncoder();
    const [kitten, cat, tax] = await encoder.encode(['a small kitten', 'my cat', 'the income tax rate']);
    expect(kitten).toHaveLength(SENTENCE_ENCODER.dimensions);
    expect(norm(kitten)).toBeCloseTo(1, 5);
    expect(dot(kitten, cat)).toBeGreaterThan(dot(kitten, tax));
  });

  it('gives a comment the same vector whatever comes with it and however often it runs', async () => {
    const encoder = await loadSentenceEncoder();
    const comment = 'Public transport should be free for students and pensioners';
    const alone = (await encoder.encode([comment]))[0];
    const again = (await encoder.encode([comment]))[0];
    const amongOthers = (await encoder.encode(['Tax sugar.', comment, 'We need far more housing near the railway stations in every city']))[1];
    expect(again).toEqual(alone);
    for (let d = 0; d < alone.length; d++) expect(amongOthers[d]).toBeCloseTo(alone[d], 4);
  });

  it('names the missing file when its folder is not found', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'delphi-no-encoder-'));
    expect(() => sentenceEncoderFolder([empty])).toThrow(ConfigurationError);
    expect(() => sentenceEncoderFolder([empty])).toThrow(/models\/use-lite\/model\.json .*copy-sentence-encoder/);
  });
});

describe('the sentence embedder', () => {
  const texts = [
    'Protect native birds from predators in the national parks',
    'Rates for renters are far too high in Auckland',
    'Die Mieten in Wien sind viel zu hoch für junge Familien',
    'Trap the stoats and the possums before the birds are gone',
    'Build more social housing so that rents come down',
    'A universal basic income would replace the benefits',
    'Mehr Radwege und Busse statt neuer Autobahnen in Österreich',
  ];

  it('puts LSA beside the encoder, 1 : weight, unit length; comments in another language get LSA alone', async () => {
    const result = await new SentenceEmbedder({ dimensions: 3 }).embed(texts);
    expect(result.model).toBe(`sentence-lsa3-${SENTENCE_ENCODER.name}${SENTENCE_ENCODER.dimensions}`);
    expect(result.dimensions).toBe(3 + SENTENCE_ENCODER.dimensions);
    for (const vector of result.vectors) expect(norm(vector)).toBeCloseTo(1, 5);
    for (const german of [result.vectors[2], result.vectors[6]]) expect(german.subarray(3).every((x) => x === 0)).toBe(true);
    const english = result.vectors[0];
    const lsaShare = norm(english.subarray(0, 3)) / norm(english.subarray(3));
    expect(lsaShare).toBeCloseTo(1 / SENTENCE_VECTOR_WEIGHT, 5);
    // The encoder's half alone sees that the two housing comments belong together.
    const half = (v: Float32Array) => v.subarray(3);
    expect(dot(half(result.vectors[1]), half(result.vectors[4]))).toBeGreaterThan(dot(half(result.vectors[1]), half(result.vectors[3])));
  });

  it('is LSA alone, and named so, when no comment is in English', async () => {
    const german = ['Mehr Radwege und Busse statt neuer Autobahnen', 'Die Mieten in Wien sind viel zu hoch', 'Leerstehende Wohnungen besteuern und vermieten', 'Mehr Bäume in der Stadt pflanzen'];
    let asked = 0;
    const result = await new SentenceEmbedder({}, async () => ({ encode: async (texts) => ((asked += texts.length), texts.map(() => new Float32Array(512))) })).embed(german);
    expect(asked).toBe(0);
    expect(result.model).toBe(`sentence-lsa${result.dimensions}`);
    expect(result.vectors.every((vector) => vector.length === result.dimensions)).toBe(true);
    expect(result.adjustments?.join('\n')).toMatch(/no comment is in English.*LSA alone/);
  });

  it('besideLsa weights the halves and counts the comments that lack the second one', () => {
    const lsa = embedLsa(texts, { dimensions: 2 });
    const second = texts.map((_, i) => (i === 1 ? undefined : Float32Array.of(0, 1)));
    const { vectors, dimensions, missing } = besideLsa(lsa, second, 2, 2, texts.map(() => true));
    expect(dimensions).toBe(4);
    expect(missing).toBe(1);
    expect(Array.from(vectors[1].subarray(0, 2))).toEqual(Array.from(lsa.vectors[1]));
    expect(vectors[0][3]).toBeCloseTo(2 / Math.sqrt(5), 6);
  });
});
