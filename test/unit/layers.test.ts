/**
 * Imports run downwards only. Every .ts file under shared/ and functions/ belongs to one layer of the
 * table below (by the longest matching path), and may import only its own layer or lower ones, minus
 * the pairs FORBIDDEN names. A file no entry covers fails too: a new top-level module picks its layer
 * here. The table is the one README/docs show as "the import layers".
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

/** Lowest first. */
const LAYERS: Array<{ layer: string; paths: string[] }> = [
  { layer: 'base', paths: ['shared/errors.ts', 'shared/vectors.ts'] },
  { layer: 'algorithms', paths: ['shared/algorithms/'] },
  {
    layer: 'contract',
    paths: ['shared/contract/', 'shared/schema.ts', 'shared/jobId.ts', 'shared/config.ts', 'shared/pipeline.ts', 'shared/providers/settings.ts'],
  },
  {
    layer: 'adapters',
    paths: [
      'shared/repository.ts', 'shared/aws/', 'shared/sources/', 'shared/providers/', 'shared/steps/', 'shared/handler.ts',
      'shared/dependencies.ts', 'shared/logger.ts', 'shared/results.ts', 'shared/changes.ts', 'shared/jobLease.ts', 'shared/deploy/',
    ],
  },
  { layer: 'edges', paths: ['functions/', 'shared/api/', 'shared/local/', 'shared/report/'] },
];

/** Imports that stay within the allowed layers but run the wrong way all the same. */
const FORBIDDEN: Array<{ from: string; to: string; why: string }> = [
  { from: 'shared/api/', to: 'shared/local/', why: 'the deployed API does not carry local-only code' },
  { from: 'shared/api/', to: 'functions/', why: 'the API modules are what the handlers call, not the other way round' },
  { from: 'functions/', to: 'shared/local/', why: 'a Lambda does not load the local runner or CLI' },
  { from: 'shared/report/', to: 'shared/local/', why: 'the report is built by the CLI, not from it' },
  { from: 'shared/providers/', to: 'shared/pipeline.ts', why: "a provider does not import the pipeline's option schema" },
  { from: 'shared/providers/', to: 'shared/steps/', why: 'steps use providers' },
  { from: 'shared/results.ts', to: 'shared/steps/', why: 'the read model reads rows, it does not run steps' },
  { from: 'shared/repository.ts', to: 'shared/steps/', why: 'steps use the repository' },
];

function tsFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) return tsFiles(rel);
    return name.endsWith('.ts') ? [rel] : [];
  });
}

function layerOf(file: string): number {
  let best = -1;
  let bestLength = 0;
  LAYERS.forEach(({ paths }, index) => {
    for (const prefix of paths) {
      const matches = prefix.endsWith('/') ? file.startsWith(prefix) : file === prefix;
      if (matches && prefix.length > bestLength) [best, bestLength] = [index, prefix.length];
    }
  });
  return best;
}

/** Relative imports of a file (static, re-exports, dynamic import(), require()), resolved to files. */
export function importsOf(file: string, text = readFileSync(path.join(ROOT, file), 'utf8')): string[] {
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+['"](\.[^'"]+)['"]/gms),
    ...text.matchAll(/^\s*import\s+['"](\.[^'"]+)['"]/gm),
    ...text.matchAll(/\b(?:import|require)\(\s*['"](\.[^'"]+)['"]\s*\)/g),
  ].map((match) => match[1]);
  return specifiers.map((specifier) => {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
    for (const candidate of [target, `${target}.ts`, `${target}/index.ts`]) {
      try {
        if (statSync(path.join(ROOT, candidate)).isFile()) return candidate;
      } catch {
        // try the next form
      }
    }
    return target;
  });
}

const FILES = [...tsFiles('shared'), ...tsFiles('functions')];

describe('the import layers', () => {
  it('places every module in a layer', () => {
    expect(FILES.filter((file) => layerOf(file) < 0)).toEqual([]);
  });

  it('has no module import a higher layer', () => {
    const upward = FILES.flatMap((file) =>
      importsOf(file)
        .filter((target) => target.endsWith('.ts') && layerOf(target) > layerOf(file))
        .map((target) => `${file} (${LAYERS[layerOf(file)].layer}) → ${target} (${LAYERS[layerOf(target)].layer})`),
    );
    expect(upward).toEqual([]);
  });

  it('has none of the imports that run the wrong way within a layer', () => {
    const matches = (file: string, prefix: string) => (prefix.endsWith('/') ? file.startsWith(prefix) : file === prefix);
    const wrong = FILES.flatMap((file) =>
      importsOf(file).flatMap((target) =>
        FORBIDDEN.filter((rule) => matches(file, rule.from) && matches(target, rule.to)).map((rule) => `${file} → ${target}: ${rule.why}`),
      ),
    );
    expect(wrong).toEqual([]);
  });

  it('sees an upward import when there is one (the check itself works)', () => {
    const planted = importsOf('shared/algorithms/planted.ts', "import { Repository } from '../repository';\nconst x = await import('../local/runner');\n");
    expect(planted).toEqual(['shared/repository.ts', 'shared/local/runner.ts']);
    expect(layerOf('shared/algorithms/planted.ts')).toBeLessThan(layerOf(planted[0]));
  });
});
