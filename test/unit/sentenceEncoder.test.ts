import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { besideLsa } from '../../shared/algorithms/hybrid';
import { seededRandom } from '../../shared/algorithms/random';
import { embedLsa } from '../../shared/algorithms/lsa';
import { isSentenceModelOf, SENTENCE_VECTOR_WEIGHT, storedSentenceVector } from '../../shared/algorithms/sentenceHybrid';
import { parseEnvironment } from '../../shared/config';
import { ConfigurationError, ProviderError } from '../../shared/errors';
import { SentenceEmbedder } from '../../shared/providers/embedding/sentence';
import {
  createSentenceEncoder, loadSentenceEncoder, MIN_COMMENTS_FOR_WORKERS, SENTENCE_ENCODER, sentenceEncoderFolder, sentenceEncoderThreads, type SentenceEncoder,
} from '../../shared/providers/embedding/sentenceEncoder';

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
    expect(amongOthers).toEqual(alone);
  });

  it('calls the model with texts of one token count at a time, so that none is padded', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { equalLengthCalls } = require('../../shared/providers/embedding/sentenceEncoderWorker.cjs') as { equalLengthCalls(counts: number[], batch: number): number[][] };
    expect(equalLengthCalls([5, 3, 5, 5, 3, 9], 2)).toEqual([[1, 4], [0, 2], [3], [5]]);
    expect(equalLengthCalls([], 16)).toEqual([]);
  });

  it('names the missing file when its folder is not found', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'delphi-no-encoder-'));
    expect(() => sentenceEncoderFolder([empty])).toThrow(ConfigurationError);
    expect(() => sentenceEncoderFolder([empty])).toThrow(/models\/use-lite\/model\.json .*copy-sentence-encoder/);
  });
});

describe('the sentence encoder on worker threads', () => {
  // Comments of many lengths: were a call to pad its shorter comments, a comment that changed call
  // would change its vector.
  const subjects = ['the buses', 'rents in the city', 'native birds', 'the income tax', 'school lunches', 'bike lanes on the main road', 'the hospital'];
  const claims = ['should be free', 'are far too high for young families who work here', 'need protecting from stoats', 'must go down', 'cost too much'];
  const texts = Array.from({ length: 150 }, (_, i) => `${subjects[i % subjects.length]} ${claims[(i * 3) % claims.length]}${' and more of it'.repeat(i % 6)} (${i})`);
  const bytes = (vectors: Float32Array[]) => vectors.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
  const started: SentenceEncoder[] = [];
  const start = (options: Parameters<typeof createSentenceEncoder>[0]) => {
    const encoder = createSentenceEncoder(options);
    started.push(encoder);
    return encoder;
  };
  afterAll(() => Promise.all(started.map((encoder) => encoder.close())));

  it('gives every comment the same bytes in the main thread, on 2 workers and on 3', async () => {
    const inThread = start({ threads: 1, minCommentsForWorkers: 0 });
    const two = start({ threads: 2, minCommentsForWorkers: 0 });
    const three = start({ threads: 3, minCommentsForWorkers: 0 });
    const expected = bytes(await inThread.encode(texts));
    expect(inThread.workers()).toBe(0);
    expect(bytes(await two.encode(texts))).toEqual(expected);
    expect(two.workers()).toBe(2);
    expect(bytes(await three.encode(texts))).toEqual(expected);
    expect(three.workers()).toBe(3);
    // A warm pool, and an input smaller than one worker's share.
    expect(bytes(await three.encode(texts.slice(0, 5)))).toEqual(bytes(await inThread.encode(texts.slice(0, 5))));
  });

  it('gives every comment the bytes it gets alone, whatever else is encoded with it', async () => {
    const inThread = start({ threads: 1, minCommentsForWorkers: 0 });
    const together = bytes(await inThread.encode(texts));
    const reversed = bytes(await inThread.encode([...texts].reverse())).reverse();
    expect(reversed).toEqual(together);
    // Every sixth comment alone: padded among the others, most of them would differ in the last digits.
    for (let i = 0; i < texts.length; i += 6) expect(bytes(await inThread.encode([texts[i]]))[0]).toBe(together[i]);
  });

  it('keeps small inputs in the main thread while no worker runs', async () => {
    const encoder = start({ threads: 2 });
    await encoder.encode(texts.slice(0, MIN_COMMENTS_FOR_WORKERS - 1));
    expect(encoder.workers()).toBe(0);
  });

  it('fails with a named error, not a hang, when a worker cannot load the model or is stopped', async () => {
    const folder = sentenceEncoderFolder();
    const broken = mkdtempSync(path.join(tmpdir(), 'delphi-broken-encoder-'));
    for (const name of readdirSync(folder)) if (name !== 'vocab.json') symlinkSync(path.join(folder, name), path.join(broken, name));
    writeFileSync(path.join(broken, 'vocab.json'), 'not json');
    const onBroken = start({ threads: 2, minCommentsForWorkers: 0, folder: broken });
    await expect(onBroken.encode(texts)).rejects.toThrow(ProviderError);
    await expect(onBroken.encode(texts)).rejects.toThrow(/worker thread \d failed: SyntaxError/);
    await expect(start({ threads: 1, folder: broken }).encode(texts)).rejects.toThrow(/model did not load/);

    const stopped = start({ threads: 2, minCommentsForWorkers: 0 });
    // Awaited after close(), but handled at once: TensorFlow.js's WebAssembly module makes an
    // unhandled rejection fatal in a process where it is loaded.
    const encoding = expect(stopped.encode(texts)).rejects.toThrow(/worker thread \d was stopped/);
    await stopped.close();
    await encoding;
    expect(bytes(await stopped.encode(texts.slice(0, 20))).length).toBe(20); // the next call starts new workers
  });

  it('names the missing code files, and runs from a models/use-lite that is a copy of the source', () => {
    const folder = sentenceEncoderFolder();
    const modelOnly = mkdtempSync(path.join(tmpdir(), 'delphi-model-only-'));
    symlinkSync(path.join(folder, 'model.json'), path.join(modelOnly, 'model.json'));
    expect(() => createSentenceEncoder({ threads: 1, folder: modelOnly })).toThrow(ConfigurationError);
    expect(() => createSentenceEncoder({ threads: 1, folder: modelOnly })).toThrow(/energetic-ai-core\.js, energetic-ai-embeddings\.js .*copy-sentence-encoder/);
    // The bundle runs the copy: a stale one would encode differently from tsx and vitest.
    const source = path.resolve(__dirname, '../../shared/providers/embedding/sentenceEncoderWorker.cjs');
    expect(readFileSync(path.join(folder, 'sentenceEncoderWorker.cjs'), 'utf8'), 'run "node scripts/copy-sentence-encoder.mjs"').toBe(readFileSync(source, 'utf8'));
  });

  it('takes its threads from DELPHI_ENCODER_THREADS, a whole number from 1', () => {
    expect(parseEnvironment({ DELPHI_ENCODER_THREADS: '3' }).DELPHI_ENCODER_THREADS).toBe(3);
    expect(parseEnvironment({}).DELPHI_ENCODER_THREADS).toBeUndefined();
    for (const bad of ['0', 'two', '1.5']) expect(() => parseEnvironment({ DELPHI_ENCODER_THREADS: bad })).toThrow(/DELPHI_ENCODER_THREADS must be an integer/);
    expect(() => createSentenceEncoder({ threads: 0 })).toThrow(ConfigurationError);
  });

  it('by default takes the cores, at most 4, and no more than one per GB (a 1,769 MB Lambda: one, in the main thread)', () => {
    const gb = 2 ** 30;
    expect(sentenceEncoderThreads(16 * gb, 2)).toBe(2);
    expect(sentenceEncoderThreads(64 * gb, 32)).toBe(4);
    expect(sentenceEncoderThreads(1769 * 2 ** 20, 2)).toBe(1);
    expect(sentenceEncoderThreads(3538 * 2 ** 20, 2)).toBe(2);
    expect(sentenceEncoderThreads(512 * 2 ** 20, 2)).toBe(1);
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

describe('reusing an earlier job\'s sentence vectors', () => {
  const bytes = (vector: Float32Array) => Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
  const randomUnit = (random: () => number, dimensions: number) => {
    const vector = Float32Array.from({ length: dimensions }, () => random() * 2 - 1);
    const length = norm(vector);
    return vector.map((x) => x / length);
  };

  it('recovers from a stored vector an encoder vector that besideLsa turns into the same bytes', () => {
    const texts = Array.from({ length: 200 }, (_, i) => `comment ${i} about topic ${i % 7} and word${i % 13}`);
    const lsa = embedLsa(texts, { dimensions: 5 });
    const random = seededRandom(11);
    const encoded = texts.map(() => randomUnit(random, 64));
    const stored = besideLsa(lsa, encoded, 64, SENTENCE_VECTOR_WEIGHT, texts.map(() => true)).vectors;
    const recovered = stored.map((vector) => storedSentenceVector(vector, 64));
    expect(recovered.every((vector) => vector !== undefined)).toBe(true);
    const again = besideLsa(lsa, recovered, 64, SENTENCE_VECTOR_WEIGHT, texts.map(() => true)).vectors;
    again.forEach((vector, i) => expect(bytes(vector).equals(bytes(stored[i])), `comment ${i}`).toBe(true));
  });

  it('finds none where the comment had LSA alone, or the halves were weighted otherwise', () => {
    const texts = ['protect the native birds', 'rents are too high', 'tax the rich more', 'trap the stoats'];
    const lsa = embedLsa(texts, { dimensions: 2 });
    const random = seededRandom(3);
    const encoded = texts.map((_, i) => (i === 1 ? undefined : randomUnit(random, 16)));
    const stored = besideLsa(lsa, encoded, 16, SENTENCE_VECTOR_WEIGHT, texts.map(() => true)).vectors;
    expect(storedSentenceVector(stored[1], 16)).toBeUndefined();
    expect(storedSentenceVector(stored[0], 16)).toBeDefined();
    const otherWeight = besideLsa(lsa, encoded, 16, 2, texts.map(() => true)).vectors;
    expect(storedSentenceVector(otherWeight[0], 16)).toBeUndefined();
    expect(storedSentenceVector(stored[0].subarray(0, 10), 16)).toBeUndefined();
  });

  it('tells this encoder\'s model names from others', () => {
    expect(isSentenceModelOf(`sentence-lsa100-${SENTENCE_ENCODER.name}${SENTENCE_ENCODER.dimensions}`, SENTENCE_ENCODER)).toBe(true);
    expect(isSentenceModelOf(`sentence-lsa7-${SENTENCE_ENCODER.name}${SENTENCE_ENCODER.dimensions}`, SENTENCE_ENCODER)).toBe(true);
    for (const other of ['sentence-lsa100', 'hybrid-lsa100-glove100-sif', `sentence-lsa100-${SENTENCE_ENCODER.name}256`, `sentence-lsaX-${SENTENCE_ENCODER.name}512`]) {
      expect(isSentenceModelOf(other, SENTENCE_ENCODER), other).toBe(false);
    }
  });

  it('encodes only the comments the earlier vectors lack, and gives every comment the bytes a fresh run gives', async () => {
    const english = [
      'Protect native birds from predators in the national parks',
      'Rates for renters are far too high in Auckland',
      'Trap the stoats and the possums before the birds are gone',
      'Build more social housing so that rents come down',
      'A universal basic income would replace the benefits',
      'Tax capital gains on second homes',
      'Clean rivers need fewer cows on the farms',
    ];
    // Two: a language of one comment only is read as the conversation's main one.
    const german = ['Die Mieten in Wien sind viel zu hoch für junge Familien', 'Mehr Radwege und Busse statt neuer Autobahnen in Österreich'];
    const asked: string[] = [];
    const counting = async () => {
      const encoder = await loadSentenceEncoder();
      return { encode: (texts: string[]) => (asked.push(...texts), encoder.encode(texts)) };
    };
    const first = await new SentenceEmbedder({}, counting).embed([...english.slice(0, 5), ...german]);
    expect(first.reuse).toEqual({ reused: 0, encoded: 5 });
    const earlier = { model: first.model, byText: new Map([...english.slice(0, 5), ...german].map((text, i) => [text, first.vectors[i]])) };

    asked.length = 0;
    const texts = [english[6], german[1], ...english.slice(1, 6), german[0], english[0]];
    const reused = await new SentenceEmbedder({}, counting).embed(texts, earlier);
    expect(asked.sort()).toEqual([english[5], english[6]].sort());
    expect(reused.reuse).toEqual({ reused: 5, encoded: 2 });
    const fresh = await new SentenceEmbedder({}).embed(texts);
    expect(reused.model).toBe(fresh.model);
    reused.vectors.forEach((vector, i) => expect(bytes(vector).equals(bytes(fresh.vectors[i])), texts[i]).toBe(true));

    asked.length = 0;
    await new SentenceEmbedder({}, counting).embed(texts, { ...earlier, model: 'hybrid-lsa5-glove100-sif' });
    expect(asked).toHaveLength(english.length);
  });
});
