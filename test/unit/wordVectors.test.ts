import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../shared/errors';
import { decodeWordVectors, loadWordVectors, wordVectorsPath } from '../../shared/algorithms/wordVectors';
// The writer is the install-time build script itself.
// @ts-expect-error a plain .mjs module without types
import { encodeWordVectors } from '../../scripts/build-word-vectors.mjs';

const cosine = (a: Float64Array, b: Float64Array) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < a.length; d++) {
    dot += a[d] * b[d];
    na += a[d] * a[d];
    nb += b[d] * b[d];
  }
  return dot / Math.sqrt(na * nb);
};

describe('the word-vector binary', () => {
  it('round-trips words, ranks and vectors within the int8 quantisation', () => {
    const words = ['the', 'cat', "don't"];
    const vectors = [
      [0.5, -1.25, 2],
      [0, 0, 0],
      [-3, 1e-3, 0.75],
    ];
    const decoded = decodeWordVectors(encodeWordVectors(words, vectors, 3, { source: 'test', version: '0' }));
    expect(decoded.size).toBe(3);
    expect(decoded.dimensions).toBe(3);
    expect([...decoded.rank]).toEqual([['the', 0], ['cat', 1], ["don't", 2]]);
    vectors.forEach((vector, rank) => {
      const max = Math.max(...vector.map(Math.abs));
      Array.from(decoded.vector(rank)).forEach((x, d) => expect(Math.abs(x - vector[d])).toBeLessThanOrEqual(max / 254 + 1e-12));
    });
  });

  it('refuses a file that is not one, and a truncated one', () => {
    expect(() => decodeWordVectors(Buffer.from('{"words":[]}'))).toThrow(/not a word-vector file/);
    const whole = encodeWordVectors(['the', 'cat'], [[1, 2], [3, 4]], 2, { source: 'test', version: '0' }) as Buffer;
    expect(() => decodeWordVectors(whole.subarray(0, whole.length - 12))).toThrow(/truncated/);
  });

  it('is a ConfigurationError naming the file and the build command when the file is missing', () => {
    expect(() => loadWordVectors('/nonexistent/glove.bin')).toThrow(ConfigurationError);
    expect(() => loadWordVectors('/nonexistent/glove.bin')).toThrow(/\/nonexistent\/glove\.bin: run `npm run build:word-vectors`/);
  });

  it('is found under the repository (or the bundle root) unless DELPHI_WORD_VECTORS says where', () => {
    expect(wordVectorsPath('/x/y.bin')).toBe('/x/y.bin');
    expect(wordVectorsPath()).toBe(path.resolve(__dirname, '../../models/glove-100d.bin'));
  });
});

describe('the installed GloVe vectors', () => {
  const words = loadWordVectors();

  it('hold the common English words in frequency order', () => {
    expect(words.dimensions).toBe(100);
    expect(words.size).toBeGreaterThan(100_000);
    expect(words.rank.get('the')).toBe(0);
    expect(words.rank.get('biodiversity')).toBeGreaterThan(words.rank.get('water') as number);
  });

  it('put "kitten" nearer "cat" than "tax"', () => {
    const v = (word: string) => words.vector(words.rank.get(word) as number);
    expect(cosine(v('kitten'), v('cat'))).toBeGreaterThan(cosine(v('kitten'), v('tax')) + 0.3);
    expect(cosine(v('rent'), v('housing'))).toBeGreaterThan(cosine(v('rent'), v('river')));
  });
});
