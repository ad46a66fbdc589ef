import { parseEnvironment } from '../../../shared/config';
import { describe, expect, it } from 'vitest';
import { callerOptionViolation, DEFAULT_CAPS, nonPublicAddress, normaliseUrl, readCallerPolicy } from '../../../shared/providers/policy';

describe('nonPublicAddress', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.8.9.10', 'a loopback address'],
    ['[::1]', 'a loopback address'],
    ['localhost', 'a loopback name'],
    ['api.localhost', 'a loopback name'],
    ['[::ffff:7f00:1]', 'a loopback address'],
    ['169.254.169.254', 'a link-local address'],
    ['[fe80::1]', 'a link-local address'],
    ['10.1.2.3', 'a private or reserved address'],
    ['172.16.0.1', 'a private or reserved address'],
    ['172.31.255.255', 'a private or reserved address'],
    ['192.168.0.1', 'a private or reserved address'],
    ['[fc00::1]', 'a private or reserved address'],
    ['[fd12:3456::1]', 'a private or reserved address'],
    ['0.0.0.0', 'a private or reserved address'],
    ['100.64.0.1', 'a private or reserved address'],
  ])('names %s %s', (host, kind) => {
    expect(nonPublicAddress(host)).toBe(kind);
  });

  it.each(['8.8.8.8', '172.32.0.1', '172.15.255.255', '[2606:4700::1111]', 'api.openai.com'])('leaves the public %s alone', (host) => {
    expect(nonPublicAddress(host)).toBeUndefined();
  });
});

describe('the caller policy', () => {
  const env = {
    DELPHI_EMBEDDING_URL: 'http://ollama.internal:11434/v1',
    DELPHI_ALLOWED_NAMER_URLS: 'http://10.0.0.7:8000/v1/, https://llm.example.org/v1',
    DELPHI_ALLOWED_NAMER_MODELS: 'llama3.1:8b',
    DELPHI_MAX_N_NEIGHBORS: '30',
  };

  it('allows the configured and listed endpoints (private ones too: the deployment named them) and the built-in ones', () => {
    const policy = readCallerPolicy(parseEnvironment(env));
    expect([...policy.embeddingUrls].sort()).toEqual(['http://ollama.internal:11434/v1', 'https://api.openai.com/v1']);
    expect([...policy.namerUrls].sort()).toEqual(['http://10.0.0.7:8000/v1', 'https://api.anthropic.com', 'https://api.openai.com/v1', 'https://llm.example.org/v1']);
    expect(callerOptionViolation({ embedder: 'openai', embedding_url: 'http://OLLAMA.internal:11434/v1/' }, policy)).toBeUndefined();
    expect(callerOptionViolation({ topic_namer: 'openai', namer_url: 'http://10.0.0.7:8000/v1', namer_model: 'llama3.1:8b' }, policy)).toBeUndefined();
    expect(callerOptionViolation({ n_neighbors: 30, embedding_dimensions: DEFAULT_CAPS.maxEmbeddingDimensions }, policy)).toBeUndefined();
  });

  it('refuses anything else, naming the option and the setting, never the allowed endpoints', () => {
    const policy = readCallerPolicy(parseEnvironment(env));
    const refused = callerOptionViolation({ embedder: 'openai', embedding_url: 'http://10.0.0.7:8000/v1' }, policy);
    expect(refused).toEqual({ field: 'options.embedding_url', message: expect.stringMatching(/10\.0\.0\.7:8000 \(a private or reserved address\) is not an endpoint this deployment allows.*DELPHI_ALLOWED_EMBEDDING_URLS/) });
    expect(refused!.message).not.toContain('ollama.internal');
    expect(callerOptionViolation({ embedding_url: 'http://ollama.internal:11434/v1/embeddings?x=' }, policy)?.field).toBe('options.embedding_url');
    expect(callerOptionViolation({ namer_model: 'gpt-4.1' }, policy)?.field).toBe('options.namer_model');
    expect(callerOptionViolation({ n_neighbors: 31 }, policy)?.message).toBe('options.n_neighbors: this deployment allows at most 30 (DELPHI_MAX_N_NEIGHBORS), got 31');
    expect(callerOptionViolation({ namer_concurrency: DEFAULT_CAPS.maxConcurrency + 1 }, policy)?.field).toBe('options.namer_concurrency');
  });

  it('fails at once on a malformed setting, naming the variable', () => {
    expect(() => parseEnvironment({ DELPHI_ALLOWED_EMBEDDING_URLS: 'ollama:11434' })).toThrow(/DELPHI_ALLOWED_EMBEDDING_URLS must list http\(s\) base URLs/);
    expect(() => parseEnvironment({ DELPHI_MAX_CONCURRENCY: '0' })).toThrow(/DELPHI_MAX_CONCURRENCY must be an integer from 1 to 64/);
  });

  it('normalises only what does not change the endpoint', () => {
    expect(normaliseUrl('HTTPS://Api.OpenAI.com:443/v1/')).toBe('https://api.openai.com/v1');
    expect(normaliseUrl('https://api.openai.com/V1')).toBe('https://api.openai.com/V1');
    expect(normaliseUrl('file:///etc/passwd')).toBeUndefined();
  });
});
