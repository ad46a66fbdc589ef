import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnvironment, providerDefaults, resetEnvironment } from '../../../shared/config';
import type { Dependencies } from '../../../shared/dependencies';
import { ConfigurationError, InvalidInputError } from '../../../shared/errors';
import { providerOptions } from '../../../shared/local/providerFlags';
import { parseOptions, providerEnvDefaults } from '../../../shared/pipeline';
import { createEmbeddingProvider, createTopicNamer, type ProviderServices } from '../../../shared/providers';
import { DEFAULT_RETRY_POLICY } from '../../../shared/providers/http';
import { assertApiKeysConfigured, EMBEDDERS } from '../../../shared/providers/settings';
import { embedStep } from '../../../shared/steps/embed';

const NO_ENV = providerDefaults(parseEnvironment({}));
const SERVICES: ProviderServices = {
  retry: DEFAULT_RETRY_POLICY,
  apiKey: async () => undefined,
  bedrock: () => {
    throw new Error('not used');
  },
};

describe('provider options', () => {
  it('default to the offline providers', () => {
    const options = parseOptions({}, NO_ENV);
    expect(options).toMatchObject({ embedder: 'sentence', topic_namer: 'keywords' });
    expect(options.embedding_url).toBeUndefined();
    expect(options.namer_model).toBeUndefined();
  });

  it('are filled with the chosen provider\'s built-in settings, so the job record says what ran', () => {
    expect(parseOptions({ embedder: 'openai', topic_namer: 'anthropic' }, NO_ENV)).toMatchObject({
      embedder: 'openai',
      embedding_url: 'https://api.openai.com/v1',
      embedding_model: 'text-embedding-3-small',
      embedding_batch_size: 2048,
      embedding_concurrency: 4,
      topic_namer: 'anthropic',
      namer_url: 'https://api.anthropic.com',
      namer_model: 'claude-haiku-4-5',
    });
    expect(parseOptions({ embedder: 'bedrock', topic_namer: 'bedrock' }, NO_ENV)).toMatchObject({
      embedding_model: 'amazon.titan-embed-text-v2:0',
      embedding_dimensions: 1024,
      namer_model: 'anthropic.claude-3-haiku-20240307-v1:0',
    });
  });

  it('take the deployment defaults from the environment, for the default provider only', () => {
    const env = providerDefaults(parseEnvironment({
      DELPHI_EMBEDDER: 'openai',
      DELPHI_EMBEDDING_URL: 'http://ollama.internal:11434/v1',
      DELPHI_EMBEDDING_MODEL: 'all-minilm',
      DELPHI_TOPIC_NAMER: 'openai',
      DELPHI_NAMER_MODEL: 'llama3.1:8b',
    }));
    expect(parseOptions({}, env)).toMatchObject({
      embedder: 'openai',
      embedding_url: 'http://ollama.internal:11434/v1',
      embedding_model: 'all-minilm',
      topic_namer: 'openai',
      namer_url: 'https://api.openai.com/v1',
      namer_model: 'llama3.1:8b',
    });
    // An option wins over the environment…
    expect(parseOptions({ embedding_model: 'nomic-embed-text' }, env).embedding_model).toBe('nomic-embed-text');
    // …and another provider does not inherit the default provider's URL or model.
    expect(parseOptions({ embedder: 'bedrock' }, env)).toMatchObject({ embedding_model: 'amazon.titan-embed-text-v2:0' });
    expect(parseOptions({ embedder: 'bedrock' }, env).embedding_url).toBeUndefined();
    expect(parseOptions({ embedder: 'lsa', topic_namer: 'keywords' }, env)).toMatchObject({ embedder: 'lsa', topic_namer: 'keywords' });
  });

  it('take embedding_dimensions for the hybrid embedder (its LSA half)', async () => {
    const options = parseOptions({ embedder: 'hybrid', embedding_dimensions: 4 }, NO_ENV);
    expect(options).toMatchObject({ embedder: 'hybrid', embedding_dimensions: 4 });
    const result = await createEmbeddingProvider(options, SERVICES).embed(['Trap possums and stoats', 'Clean rivers for swimming', 'Plant native trees', 'Fund pest control', 'Protect native birds', 'Trap stoats']);
    expect([result.model, result.dimensions]).toEqual(['hybrid-lsa4-glove100-sif', 104]);
  });

  it('take embedding_dimensions for the default sentence embedder (its LSA half)', async () => {
    const options = parseOptions({ embedding_dimensions: 4 }, NO_ENV);
    expect(options).toMatchObject({ embedder: 'sentence', embedding_dimensions: 4 });
    const result = await createEmbeddingProvider(options, SERVICES).embed(['Trap possums and stoats', 'Clean rivers for swimming', 'Plant native trees', 'Fund pest control', 'Protect native birds', 'Trap stoats']);
    expect([result.model, result.dimensions]).toEqual(['sentence-lsa4-use-lite512', 516]);
  });

  it.each([
    [{ embedder: 'word2vec' }, `embedder: Invalid enum value. Expected ${EMBEDDERS.map((name) => `'${name}'`).join(' | ')}, received 'word2vec'`],
    [{ topic_namer: 'gpt' }, /topic_namer: Invalid enum value/],
    [{ embedding_url: 'http://localhost:11434/v1' }, /embedding_url is not used by the sentence embedder/],
    [{ embedder: 'hybrid', embedding_url: 'http://localhost:11434/v1' }, /embedding_url is not used by the hybrid embedder/],
    [{ embedder: 'bedrock', embedding_url: 'http://x/v1' }, /embedding_url is not used by the bedrock embedder/],
    [{ namer_model: 'llama3.1:8b' }, /namer_model is not used by the keywords topic namer/],
    [{ embedder: 'bedrock', embedding_dimensions: 384 }, /Titan v2\) returns 256, 512, 1024 dimensions, not 384/],
    [{ embedder: 'openai', embedding_url: 'ftp://host/v1' }, /embedding_url: must be an http\(s\) URL/],
    [{ embedder: 'openai', embedding_url: 'https://user:sk-secret@host/v1' }, /embedding_url: must not contain credentials/],
    [{ embedder: 'openai', embedding_concurrency: 0 }, /embedding_concurrency/],
    [{ openai_api_key: 'sk-x' }, /Unrecognized key\(s\) in object: 'openai_api_key'/],
  ])('rejects %j with InvalidInputError', (options, message) => {
    expect(() => parseOptions(options, NO_ENV)).toThrow(InvalidInputError);
    expect(() => parseOptions(options, NO_ENV)).toThrow(message);
  });

  it('reject a bad environment at once, naming the variable', () => {
    expect(() => providerDefaults(parseEnvironment({ DELPHI_EMBEDDING_DIMENSIONS: 'many' }))).toThrow(
      new ConfigurationError('DELPHI_EMBEDDING_DIMENSIONS must be an integer from 2 to 4096, got "many"'),
    );
    expect(() => providerDefaults(parseEnvironment({ DELPHI_NAMER_URL: 'localhost:11434' }))).toThrow(/DELPHI_NAMER_URL must be an http\(s\) URL/);
  });

  describe('read from process.env once', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
      resetEnvironment();
    });

    it('checks the provider names and that each setting is used by its provider', () => {
      process.env.DELPHI_EMBEDDER = 'fasttext';
      resetEnvironment();
      expect(() => providerEnvDefaults()).toThrow(new ConfigurationError(`DELPHI_EMBEDDER must be one of ${EMBEDDERS.join(', ')}, got "fasttext"`));
      process.env.DELPHI_EMBEDDER = 'lsa';
      process.env.DELPHI_EMBEDDING_URL = 'http://localhost:11434/v1';
      resetEnvironment();
      expect(() => providerEnvDefaults()).toThrow(/DELPHI_EMBEDDING_URL is set but DELPHI_EMBEDDER=lsa does not use it/);
      process.env.DELPHI_EMBEDDER = 'openai';
      resetEnvironment();
      expect(parseOptions({}).embedding_url).toBe('http://localhost:11434/v1');
    });
  });
});

describe('provider selection', () => {
  it('builds the provider and namer the options name', () => {
    const options = parseOptions({ embedder: 'openai', topic_namer: 'anthropic', namer_model: 'claude-haiku-5-5' }, NO_ENV);
    expect(createEmbeddingProvider(options, SERVICES).provider).toBe('openai');
    const namer = createTopicNamer(options, SERVICES);
    expect([namer.provider, namer.model]).toEqual(['anthropic', 'claude-haiku-5-5']);
    expect(createEmbeddingProvider(parseOptions({}, NO_ENV), SERVICES).provider).toBe('sentence');
    expect(createEmbeddingProvider(parseOptions({ embedder: 'lsa' }, NO_ENV), SERVICES).provider).toBe('lsa');
    expect(createTopicNamer(parseOptions({ topic_namer: 'bedrock' }, NO_ENV), SERVICES).model).toBe('anthropic.claude-3-haiku-20240307-v1:0');
  });
});

describe('API key sources', () => {
  const openAi = parseOptions({ embedder: 'openai', topic_namer: 'anthropic' }, NO_ENV);
  it('must be configured before a job starts for OpenAI itself and for Anthropic', () => {
    expect(() => assertApiKeysConfigured(openAi, parseEnvironment({}))).toThrow(/The openai embedder needs an API key: set OPENAI_API_KEY_PARAMETER/);
    expect(() => assertApiKeysConfigured(openAi, parseEnvironment({ OPENAI_API_KEY_PARAMETER: '/delphi/openai' }))).toThrow(/anthropic topic namer needs an API key/);
    expect(() => assertApiKeysConfigured(openAi, parseEnvironment({ OPENAI_API_KEY_PARAMETER: '/p', ANTHROPIC_API_KEY_SECRET_ARN: 'arn:s' }))).not.toThrow();
  });

  it('must be allowed to reach a non-default Anthropic URL before a job starts', () => {
    const proxied = parseOptions({ topic_namer: 'anthropic', namer_url: 'https://llm-proxy.example' }, NO_ENV);
    expect(() => assertApiKeysConfigured(proxied, parseEnvironment({ ANTHROPIC_API_KEY: 'k' }))).toThrow(
      /sends no API key to https:\/\/llm-proxy\.example: add that origin to ANTHROPIC_API_KEY_ORIGINS/,
    );
    expect(() => assertApiKeysConfigured(proxied, parseEnvironment({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_API_KEY_ORIGINS: 'https://llm-proxy.example' }))).not.toThrow();
  });

  it('are optional for a self-hosted OpenAI-compatible server (Ollama)', () => {
    const ollama = parseOptions({ embedder: 'openai', embedding_url: 'http://localhost:11434/v1', topic_namer: 'openai', namer_url: 'http://localhost:11434/v1' }, NO_ENV);
    expect(() => assertApiKeysConfigured(ollama, parseEnvironment({}))).not.toThrow();
  });
});

describe('delphi run provider flags', () => {
  it('map to execution options', () => {
    expect(
      providerOptions({
        embedder: 'openai',
        'embedding-url': 'http://localhost:11434/v1',
        'embedding-model': 'all-minilm',
        'embedding-dimensions': '384',
        namer: 'openai',
        'namer-url': 'http://localhost:11434/v1',
        'namer-model': 'llama3.1:8b',
        'job-id': 'unrelated',
      }),
    ).toEqual({
      embedder: 'openai',
      embedding_url: 'http://localhost:11434/v1',
      embedding_model: 'all-minilm',
      embedding_dimensions: 384,
      topic_namer: 'openai',
      namer_url: 'http://localhost:11434/v1',
      namer_model: 'llama3.1:8b',
    });
    expect(() => providerOptions({ 'embedding-dimensions': 'big' })).toThrow(/whole number/);
  });
});

describe('the Embed step with the offline embedders', () => {
  const BIODIVERSITY = path.join(__dirname, '../../fixtures/scoop-hivemind.biodiversity');
  const fakeRepository = () => {
    const jobs: Array<Record<string, unknown>> = [];
    const rows: Array<Record<string, unknown>> = [];
    const repository = {
      requireJob: async (jobId: string) => ({ job_id: jobId, conversation_id: 'bio', status: 'RUNNING', created_at: '2026-12-03T00:00:00.000Z' }),
      // The conversation's first job: no earlier one to reuse vectors from.
      queryByConversation: async () => ({ items: [] }),
      updateJob: async (_job: string, _conversation: string, fields: Record<string, unknown>) => void jobs.push(fields),
      replaceJobRows: async (_table: string, _job: string, written: Array<Record<string, unknown>>) => {
        rows.push(...written);
        return { written: written.length, deleted: 0 };
      },
    };
    return { jobs, rows, deps: { repository: repository as unknown as Dependencies['repository'], providers: SERVICES } };
  };
  const input = (embedder: string) => ({
    job_id: 'job-1',
    conversation_id: 'bio',
    source: BIODIVERSITY,
    options: parseOptions({ embedder, fanout_embedding_batch: 50 }, NO_ENV),
  });

  it.each([
    ['sentence', 'sentence-lsa100-use-lite512', 612],
    ['hybrid', 'hybrid-lsa100-glove100-sif', 200],
    ['lsa', 'lsa-tfidf-svd-100', 100],
  ])('%s never fans out (fitted on the whole conversation) and records its model on the rows and the job', async (embedder, model, dimensions) => {
    const { jobs, rows, deps } = fakeRepository();
    const result = await embedStep(input(embedder), deps);
    expect(result.details).not.toHaveProperty('batches');
    expect(rows).toHaveLength(154);
    expect(new Set(rows.map((row) => `${row.provider} ${row.model} ${row.dimensions}`))).toEqual(new Set([`${embedder} ${model} ${dimensions}`]));
    expect(jobs.at(-1)).toMatchObject({ embedding_provider: embedder, embedding_model: model, embedding_dimensions: dimensions });
  });

  it('an API embedder on the same conversation plans batches instead', async () => {
    const { rows, deps } = fakeRepository();
    const result = await embedStep(input('openai'), deps);
    expect((result.details as { batches: unknown[] }).batches).toHaveLength(4);
    expect(rows).toHaveLength(0);
  });
});
