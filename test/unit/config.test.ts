/**
 * One config module (shared/config.ts) reads the environment: every variable is declared there with
 * its default and range, a bad value is a ConfigurationError naming it, the environment is parsed
 * once, docs/environment.md is generated from the declaration and serverless.yml sets nothing
 * undeclared.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  DEFAULTS, environment, environmentDocs, OTHER_READERS, parseEnvironment, providerDefaults, resetEnvironment, setEnvironmentDefaults, VARIABLES, type Variable,
} from '../../shared/config';
import { ConfigurationError } from '../../shared/errors';

const ROOT = path.resolve(__dirname, '../..');

/** A value each checked variable refuses. A variable with a range (not free text or a list) needs a case here. */
const BAD: Record<string, string> = {
  DYNAMODB_ENDPOINT: 'localhost:8000',
  DELPHI_TABLE_SUFFIX: 'prod stage',
  STEPFUNCTIONS_ENDPOINT: 'localhost:3000',
  LOG_LEVEL: 'LOUD',
  POWERTOOLS_LOG_LEVEL: 'verbose',
  STATE_MACHINE_ARN: 'DelphiPipeline',
  DELPHI_ALLOW_LOCAL_SOURCES: 'yes',
  DELPHI_ALLOWED_EMBEDDING_URLS: 'http://ok.example/v1, ollama:11434',
  DELPHI_ALLOWED_NAMER_URLS: 'ftp://files.example',
  DELPHI_MAX_EMBEDDING_DIMENSIONS: '4097',
  DELPHI_MAX_N_NEIGHBORS: '0',
  DELPHI_MAX_CONCURRENCY: '1.5',
  DELPHI_EMBEDDER: 'fasttext',
  DELPHI_TOPIC_NAMER: 'gpt',
  DELPHI_EMBEDDING_URL: 'ollama.internal/v1',
  DELPHI_EMBEDDING_DIMENSIONS: 'many',
  DELPHI_EMBEDDING_BATCH_SIZE: '2049',
  DELPHI_EMBEDDING_CONCURRENCY: '0',
  DELPHI_NAMER_URL: 'localhost:11434',
  DELPHI_NAMER_CONCURRENCY: '65',
  DELPHI_ENCODER_THREADS: '0',
  DELPHI_MAX_COMMENTS_MB: '0',
  DELPHI_MAX_VOTES_MB: 'lots',
  DELPHI_PG_CONNECT_TIMEOUT_MS: '-1',
  DELPHI_PG_STATEMENT_TIMEOUT_MS: '900001',
  PGPORT: '70000',
  PGSSLMODE: 'sometimes',
};
const FREE = new Set(['text', 'text (not trimmed)', 'comma-separated list']);

afterEach(() => resetEnvironment());

describe('the environment', () => {
  it('takes the declared defaults when nothing is set, and counts an empty value as unset', () => {
    const defaults = parseEnvironment({});
    expect(defaults).toMatchObject({
      DELPHI_TABLE_SUFFIX: '',
      DELPHI_ALLOW_LOCAL_SOURCES: false,
      DELPHI_SOURCE_BUCKETS: [],
      DELPHI_MAX_EMBEDDING_DIMENSIONS: 1024,
      DELPHI_MAX_N_NEIGHBORS: 50,
      DELPHI_MAX_CONCURRENCY: 16,
      DELPHI_MAX_COMMENTS_MB: 64 * 2 ** 20,
      DELPHI_PG_STATEMENT_TIMEOUT_MS: 60_000,
      DELPHI_SOURCE_ROOT: '.',
    });
    expect(defaults.DYNAMODB_ENDPOINT).toBeUndefined();
    // serverless.yml hands every variable over, '' when the deployer's shell has none.
    expect(parseEnvironment(Object.fromEntries(Object.keys(VARIABLES).map((name) => [name, ''])))).toEqual(defaults);
    expect(DEFAULTS).toEqual(defaults);
  });

  it('parses values to their types', () => {
    const env = parseEnvironment({
      LOG_LEVEL: 'debug',
      DELPHI_SOURCE_BUCKETS: ' a, ,b ',
      DELPHI_ALLOW_LOCAL_SOURCES: 'true',
      DELPHI_MAX_VOTES_MB: '3',
      PGPORT: '6543',
      PGPASSWORD: ' spaced ',
      DELPHI_EMBEDDER: 'openai',
      DELPHI_EMBEDDING_DIMENSIONS: '384',
    });
    expect(env).toMatchObject({
      LOG_LEVEL: 'DEBUG',
      DELPHI_SOURCE_BUCKETS: ['a', 'b'],
      DELPHI_ALLOW_LOCAL_SOURCES: true,
      DELPHI_MAX_VOTES_MB: 3 * 2 ** 20,
      PGPORT: 6543,
      PGPASSWORD: ' spaced ',
      DELPHI_EMBEDDING_DIMENSIONS: 384,
    });
  });

  it.each(Object.entries(BAD))('refuses %s=%j with a ConfigurationError that names it', (name, value) => {
    expect(() => parseEnvironment({ [name]: value })).toThrow(ConfigurationError);
    expect(() => parseEnvironment({ [name]: value })).toThrow(new RegExp(`^${name} must `));
  });

  it('has a refused value in this test for every variable with a range', () => {
    const ranged = Object.entries(VARIABLES as Record<string, Variable<unknown>>).filter(([, variable]) => !FREE.has(variable.range)).map(([name]) => name);
    expect(ranged.filter((name) => !(name in BAD))).toEqual([]);
  });

  it('refuses, where the provider defaults are read, a setting the default provider does not use', () => {
    expect(() => providerDefaults(parseEnvironment({ DELPHI_EMBEDDER: 'lsa', DELPHI_EMBEDDING_URL: 'http://localhost:11434/v1' }))).toThrow(
      new ConfigurationError('DELPHI_EMBEDDING_URL is set but DELPHI_EMBEDDER=lsa does not use it'),
    );
    expect(() => providerDefaults(parseEnvironment({ DELPHI_NAMER_MODEL: 'llama3.1:8b' }))).toThrow(/DELPHI_NAMER_MODEL is set but DELPHI_TOPIC_NAMER=keywords does not use it/);
  });

  it('is parsed from process.env once, again only after a reset; a failed parse is not kept', () => {
    const saved = process.env.DELPHI_MAX_N_NEIGHBORS;
    try {
      process.env.DELPHI_MAX_N_NEIGHBORS = '30';
      resetEnvironment();
      const first = environment();
      process.env.DELPHI_MAX_N_NEIGHBORS = '40';
      expect(environment()).toBe(first);
      expect(environment().DELPHI_MAX_N_NEIGHBORS).toBe(30);
      process.env.DELPHI_MAX_N_NEIGHBORS = 'all';
      resetEnvironment();
      expect(() => environment()).toThrow(/DELPHI_MAX_N_NEIGHBORS must be an integer from 1 to 200/);
      process.env.DELPHI_MAX_N_NEIGHBORS = '40';
      expect(environment().DELPHI_MAX_N_NEIGHBORS).toBe(40);
    } finally {
      if (saved === undefined) delete process.env.DELPHI_MAX_N_NEIGHBORS;
      else process.env.DELPHI_MAX_N_NEIGHBORS = saved;
    }
  });

  it("takes the CLI's defaults only where the user set nothing", () => {
    const saved = { ...process.env };
    try {
      delete process.env.DELPHI_DATA_DIR;
      process.env.PGUSER = 'mine';
      environment();
      setEnvironmentDefaults({ DELPHI_DATA_DIR: '/tmp/delphi-data', PGUSER: 'default' });
      expect(environment()).toMatchObject({ DELPHI_DATA_DIR: '/tmp/delphi-data', PGUSER: 'mine' });
    } finally {
      process.env = saved;
    }
  });
});

describe('the declaration is the one list', () => {
  it('generates docs/environment.md', async () => {
    await expect(environmentDocs()).toMatchFileSnapshot(path.join(ROOT, 'docs/environment.md'));
  });

  it('covers every variable serverless.yml gives the functions', () => {
    const yml = parse(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')) as {
      provider: { environment: Record<string, unknown> };
      custom: Record<string, unknown>;
      functions: Record<string, { environment?: unknown }>;
    };
    const given = [
      ...Object.keys(yml.provider.environment),
      ...Object.keys(yml.custom.polisDatabaseEnvironment as object),
      ...Object.values(yml.functions).flatMap((fn) => (fn.environment && typeof fn.environment === 'object' ? Object.keys(fn.environment) : [])),
    ];
    expect(given.length).toBeGreaterThan(30);
    expect([...new Set(given)].filter((name) => !(name in VARIABLES) && !(name in OTHER_READERS))).toEqual([]);
  });

  it('is the only reader of process.env in shared/ and functions/', () => {
    const files = (dir: string): string[] =>
      readdirSync(path.join(ROOT, dir)).flatMap((name) => {
        const rel = `${dir}/${name}`;
        return statSync(path.join(ROOT, rel)).isDirectory() ? files(rel) : /\.(ts|cjs)$/.test(name) ? [rel] : [];
      });
    const readers = [...files('shared'), ...files('functions')].filter(
      (file) => file !== 'shared/config.ts' && /process\.env\b/.test(readFileSync(path.join(ROOT, file), 'utf8')),
    );
    expect(readers).toEqual([]);
  });
});
