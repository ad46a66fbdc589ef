// @ts-check
/**
 * The sentence encoder's model itself (sentenceEncoder.ts decides where it runs): loaded in the main
 * thread, or in a worker thread that runs this file, each with its own WebAssembly instance and model.
 * Everything that decides a comment's vector is here (the batches, the unit length), so a comment gets
 * the same bytes in the main thread and in any worker.
 *
 * Plain CommonJS, loaded by path and never bundled: a worker needs a file to run, and inside the Embed
 * functions' esbuild bundle models/use-lite/ is the only folder of ours that exists.
 * scripts/copy-sentence-encoder.mjs copies this file there, beside the two @energetic-ai packages'
 * code (one file each), which this file loads from that folder: the main thread and the workers run
 * the same copy of TensorFlow.js, bundled or not.
 */
'use strict';
const { readFile } = require('node:fs/promises');
const path = require('node:path');
const { isMainThread, parentPort, workerData } = require('node:worker_threads');

/** The files of models/use-lite/ this one loads (written by scripts/copy-sentence-encoder.mjs). */
const CODE_FILES = ['energetic-ai-core.js', 'energetic-ai-embeddings.js'];
const ROLE = 'delphi-sentence-encoder';

/**
 * @typedef {{ embed(texts: string[]): Promise<number[][]>, tokenizer: { encode(text: string): number[] } }} Embedder
 * @typedef {(texts: string[], batch: number) => Promise<Float32Array[]>} EncodeInBatches
 */

/**
 * The calls that encode texts of these token counts: each call holds texts of one count only, at
 * most `batch` of them, in the texts' order. The model pads a call's texts to its longest, and a
 * padded text's vector differs from its vector alone in the last digits; with no padding it is the
 * same bytes, so a comment's vector depends on its text alone, not on the comments beside it.
 * @param {number[]} tokenCounts
 * @param {number} batch
 * @returns {number[][]} indices into tokenCounts, one array per call
 */
function equalLengthCalls(tokenCounts, batch) {
  const order = tokenCounts.map((_, i) => i).sort((a, b) => tokenCounts[a] - tokenCounts[b] || a - b);
  /** @type {number[][]} */
  const calls = [];
  for (const i of order) {
    const last = calls[calls.length - 1];
    if (last && last.length < batch && tokenCounts[last[0]] === tokenCounts[i]) last.push(i);
    else calls.push([i]);
  }
  return calls;
}

/**
 * Loads the model from `folder` (models/use-lite) and answers with a function that encodes texts,
 * answering in the order given, in calls of at most `batch` texts of one token count
 * (`equalLengthCalls`). The texts are tokenised once more for that inside `embed`, about 1 % of the
 * time.
 * @param {string} folder
 * @returns {Promise<EncodeInBatches>}
 */
async function loadModel(folder) {
  // @energetic-ai/core starts initialising its WebAssembly backend as it is loaded, and reads the
  // kernels' folder a few ticks later: the folder must be set in the same tick as the require.
  const core = require(path.join(folder, CODE_FILES[0]));
  core.setWasmPaths(`${folder}${path.sep}`);
  const { EmbeddingsModel } = require(path.join(folder, CODE_FILES[1]));
  await core.setBackend('wasm');
  const [model, vocabulary] = await Promise.all([
    core.loadGraphModel(`file://${path.join(folder, 'model.json')}`),
    readFile(path.join(folder, 'vocab.json'), 'utf8').then((text) => JSON.parse(text)),
  ]);
  /** @type {Embedder} */
  const encoder = new EmbeddingsModel({ model, vocabulary });
  return async (texts, batch) => {
    /** @type {Float32Array[]} */
    const vectors = new Array(texts.length);
    for (const call of equalLengthCalls(texts.map((text) => encoder.tokenizer.encode(text).length), batch)) {
      const values = await encoder.embed(call.map((i) => texts[i]));
      call.forEach((i, k) => (vectors[i] = toUnit(values[k])));
    }
    return vectors;
  };
}

/** @param {number[]} values */
function toUnit(values) {
  const vector = Float32Array.from(values);
  let norm = 0;
  for (const x of vector) norm += x * x;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let d = 0; d < vector.length; d++) vector[d] *= scale;
  return vector;
}

/**
 * As a worker: loads the model at once (so the workers load theirs side by side, before the first
 * texts arrive), then answers each { id, texts } with { id, vectors } or { id, error }.
 */
function serve() {
  const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
  const { folder, batch } = /** @type {{ folder: string, batch: number }} */ (workerData);
  const ready = loadModel(folder);
  ready.catch(() => undefined); // reported with the first texts
  port.on('message', async (/** @type {{ id: number, texts: string[] }} */ { id, texts }) => {
    try {
      const vectors = await (await ready)(texts, batch);
      port.postMessage({ id, vectors }, vectors.map((vector) => vector.buffer));
    } catch (error) {
      port.postMessage({ id, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  });
}

if (!isMainThread && workerData?.role === ROLE) serve();

module.exports = { loadModel, equalLengthCalls, CODE_FILES, ROLE };
