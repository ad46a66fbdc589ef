/**
 * Built-in settings of each provider and where API keys come from. No SDK imports: MarkRunning and
 * the option schema read this without loading any provider client.
 */
// Types only: shared/config.ts builds its variables from this module's values, so a value import
// back would be a cycle. The functions below take the parsed environment from their callers.
import type { Environment, VariableName } from '../config';
import { ConfigurationError } from '../errors';

/** Embedding providers (README "Providers"): `sentence`, `hybrid` and `lsa` are offline; the others call an API. */
export const EMBEDDERS = ['hybrid', 'sentence', 'lsa', 'openai', 'bedrock'] as const;
/** Fitted on the whole conversation, so never fanned out in batches. */
export const OFFLINE_EMBEDDERS: ReadonlySet<string> = new Set(['hybrid', 'sentence', 'lsa']);
/** The embedder a job uses when neither its options nor the deployment (DELPHI_EMBEDDER) name one. */
export const DEFAULT_EMBEDDER: Embedder = 'sentence';
export const TOPIC_NAMERS = ['keywords', 'openai', 'anthropic', 'bedrock'] as const;
/** The topic namer a job uses when neither its options nor the deployment (DELPHI_TOPIC_NAMER) name one. */
export const DEFAULT_TOPIC_NAMER: TopicNamerName = 'keywords';
export type Embedder = (typeof EMBEDDERS)[number];
export type TopicNamerName = (typeof TOPIC_NAMERS)[number];

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const TITAN_EMBED_V2 = 'amazon.titan-embed-text-v2:0';
/** Dimensions Titan Text Embeddings v2 can return. */
export const TITAN_DIMENSIONS = [256, 512, 1024] as const;

/**
 * Every provider setting an execution's options may carry, declared once. From this table come the
 * option schema's fields (shared/pipeline.ts), the deployment defaults' environment variables
 * (DELPHI_<KEY>, shared/config.ts), `delphi run`'s flags (the key with '-', shared/local/providerFlags.ts,
 * for those with `flag`) and the settings types below; test/unit/providerSettings.test.ts holds
 * serverless.yml's environment against it. `min`/`max` bound a number wherever it is given.
 */
export const PROVIDER_SETTINGS = {
  embedding_url: { kind: 'url', flag: true },
  embedding_model: { kind: 'model', flag: true },
  embedding_dimensions: { kind: 'integer', min: 2, max: 4096, flag: true },
  embedding_batch_size: { kind: 'integer', min: 1, max: 2048, flag: false },
  embedding_concurrency: { kind: 'integer', min: 1, max: 64, flag: false },
  namer_url: { kind: 'url', flag: true },
  namer_model: { kind: 'model', flag: true },
  namer_concurrency: { kind: 'integer', min: 1, max: 64, flag: false },
} as const satisfies Record<string, { kind: 'url' | 'model'; flag: boolean } | { kind: 'integer'; min: number; max: number; flag: boolean }>;

export type ProviderSettingKey = keyof typeof PROVIDER_SETTINGS;
export const PROVIDER_SETTING_KEYS = Object.keys(PROVIDER_SETTINGS) as ProviderSettingKey[];
export type SettingValue<K extends ProviderSettingKey> = (typeof PROVIDER_SETTINGS)[K]['kind'] extends 'integer' ? number : string;

/** The environment variable that holds the deployment's default of a setting. */
export const settingVariable = <K extends ProviderSettingKey>(key: K) => `DELPHI_${key.toUpperCase() as Uppercase<K>}` as const;

/** The embedding settings an execution's options may carry (all optional; filled from env, then from here). */
export type EmbeddingSettings = { [K in Extract<ProviderSettingKey, `embedding_${string}`>]?: SettingValue<K> };
export type NamingSettings = { [K in Extract<ProviderSettingKey, `namer_${string}`>]?: SettingValue<K> };

/**
 * What the provider factories (shared/providers/index.ts) read of a job's options: the providers and
 * their settings, already filled in (shared/pipeline.ts parseOptions). The full options satisfy it.
 */
export interface ProviderOptions extends EmbeddingSettings, NamingSettings {
  embedder: Embedder;
  topic_namer: TopicNamerName;
  /** The language LLM namers write names in; unset: the comments'. */
  label_language?: string;
}

/**
 * Per embedder: the settings it accepts and their built-in values. An option an embedder does not
 * use is rejected (a `--embedding-url` with the lsa embedder is a mistake, not something to ignore).
 */
export const EMBEDDER_SETTINGS: Record<string, { accepts: ReadonlyArray<keyof EmbeddingSettings>; defaults: EmbeddingSettings }> = {
  hybrid: { accepts: ['embedding_dimensions'], defaults: {} },
  sentence: { accepts: ['embedding_dimensions'], defaults: {} },
  lsa: { accepts: ['embedding_dimensions'], defaults: {} },
  openai: {
    accepts: ['embedding_url', 'embedding_model', 'embedding_dimensions', 'embedding_batch_size', 'embedding_concurrency'],
    // 2,048 inputs is the OpenAI API's limit per request; servers with smaller limits (TEI: 32) need embedding_batch_size.
    defaults: { embedding_url: OPENAI_BASE_URL, embedding_model: 'text-embedding-3-small', embedding_batch_size: 2048, embedding_concurrency: 4 },
  },
  bedrock: {
    accepts: ['embedding_model', 'embedding_dimensions', 'embedding_concurrency'],
    // Titan v2 embeds one text per InvokeModel call, so parallel calls are its batching.
    defaults: { embedding_model: TITAN_EMBED_V2, embedding_dimensions: 1024, embedding_concurrency: 8 },
  },
};

export const NAMER_SETTINGS: Record<string, { accepts: ReadonlyArray<keyof NamingSettings>; defaults: NamingSettings }> = {
  keywords: { accepts: [], defaults: {} },
  openai: { accepts: ['namer_url', 'namer_model', 'namer_concurrency'], defaults: { namer_url: OPENAI_BASE_URL, namer_model: 'gpt-4o-mini', namer_concurrency: 4 } },
  anthropic: { accepts: ['namer_url', 'namer_model', 'namer_concurrency'], defaults: { namer_url: ANTHROPIC_BASE_URL, namer_model: 'claude-haiku-4-5', namer_concurrency: 4 } },
  bedrock: { accepts: ['namer_model', 'namer_concurrency'], defaults: { namer_model: 'anthropic.claude-3-haiku-20240307-v1:0', namer_concurrency: 4 } },
};

export type ApiKeyName = 'openai' | 'anthropic';
type KeyVariable = Extract<VariableName, `${'OPENAI' | 'ANTHROPIC'}_API_KEY${'' | '_PARAMETER' | '_SECRET_ARN'}`>;

/**
 * Where a provider's API key is read, first match wins: an SSM SecureString parameter (name or ARN),
 * a Secrets Manager secret (ARN or name; the SecretString is the key, or JSON with `api_key`), or —
 * for local runs — the key itself in a plain environment variable.
 */
export const API_KEY_SOURCES: Record<ApiKeyName, { parameter: KeyVariable; secret: KeyVariable; plain: KeyVariable; origins: 'OPENAI_API_KEY_ORIGINS' | 'ANTHROPIC_API_KEY_ORIGINS' }> = {
  openai: { parameter: 'OPENAI_API_KEY_PARAMETER', secret: 'OPENAI_API_KEY_SECRET_ARN', plain: 'OPENAI_API_KEY', origins: 'OPENAI_API_KEY_ORIGINS' },
  anthropic: { parameter: 'ANTHROPIC_API_KEY_PARAMETER', secret: 'ANTHROPIC_API_KEY_SECRET_ARN', plain: 'ANTHROPIC_API_KEY', origins: 'ANTHROPIC_API_KEY_ORIGINS' },
};

const DEFAULT_KEY_ORIGINS: Record<ApiKeyName, string> = { openai: new URL(OPENAI_BASE_URL).origin, anthropic: new URL(ANTHROPIC_BASE_URL).origin };

/**
 * Where a key may be sent. Base URLs arrive with an execution's options, so a caller could name any
 * server: the key goes only to the provider's own API, to the URLs the deployment configured
 * (DELPHI_EMBEDDING_URL, DELPHI_NAMER_URL) and to the origins listed (comma-separated) in
 * OPENAI_API_KEY_ORIGINS / ANTHROPIC_API_KEY_ORIGINS. Other servers (a local Ollama) get no key.
 */
export type KeyEnvironment = Pick<Environment, KeyVariable | 'OPENAI_API_KEY_ORIGINS' | 'ANTHROPIC_API_KEY_ORIGINS' | 'DELPHI_EMBEDDING_URL' | 'DELPHI_NAMER_URL'>;

export function keyOriginTrusted(name: ApiKeyName, url: string, env: KeyEnvironment): boolean {
  const origin = originOf(url);
  if (!origin) return false;
  const trusted = [
    DEFAULT_KEY_ORIGINS[name],
    originOf(env.DELPHI_EMBEDDING_URL),
    originOf(env.DELPHI_NAMER_URL),
    ...env[API_KEY_SOURCES[name].origins].map(originOf),
  ];
  return trusted.includes(origin);
}

function originOf(url: string | undefined): string | undefined {
  try {
    return url?.trim() ? new URL(url.trim()).origin : undefined;
  } catch {
    return undefined;
  }
}

/** Whether any source of the key is configured (checked before a job starts, without reading the key). */
export function apiKeyConfigured(name: ApiKeyName, env: KeyEnvironment): boolean {
  const sources = API_KEY_SOURCES[name];
  return [sources.parameter, sources.secret, sources.plain].some((variable) => Boolean(env[variable]?.trim()));
}

/**
 * Fails before a job starts when a chosen provider needs a key and no source of one is configured,
 * or the key may not be sent to the chosen URL: Anthropic always needs one, OpenAI-compatible
 * servers when they are OpenAI itself (Ollama, vLLM and TEI usually need none). Only checks that a
 * source is named; the key is read by the step that uses it.
 */
export function assertApiKeysConfigured(
  options: { embedder: string; embedding_url?: string; topic_namer: string; namer_url?: string },
  env: KeyEnvironment,
): void {
  const needs: Array<[ApiKeyName, string, string]> = [];
  const isOpenAi = (url: string | undefined) => url === undefined || new URL(url).origin === DEFAULT_KEY_ORIGINS.openai;
  if (options.embedder === 'openai' && isOpenAi(options.embedding_url)) needs.push(['openai', 'openai embedder', OPENAI_BASE_URL]);
  if (options.topic_namer === 'openai' && isOpenAi(options.namer_url)) needs.push(['openai', 'openai topic namer', OPENAI_BASE_URL]);
  if (options.topic_namer === 'anthropic') needs.push(['anthropic', 'anthropic topic namer', options.namer_url ?? ANTHROPIC_BASE_URL]);
  for (const [name, what, url] of needs) {
    if (!apiKeyConfigured(name, env)) throw new ConfigurationError(missingApiKeyMessage(name, what));
    if (!keyOriginTrusted(name, url, env)) throw new ConfigurationError(untrustedOriginMessage(name, what, url));
  }
}

export function missingApiKeyMessage(name: ApiKeyName, what: string): string {
  const { parameter, secret, plain } = API_KEY_SOURCES[name];
  return `The ${what} needs an API key: set ${parameter} (SSM SecureString), ${secret} (Secrets Manager) or, locally, ${plain}`;
}

/** Added to a 401/403 answer when no key was sent, so the operator sees why. */
export function noKeySentHint(name: ApiKeyName): string {
  const { parameter, secret, plain, origins } = API_KEY_SOURCES[name];
  return `no API key was sent: set ${parameter}, ${secret} or ${plain}; a key goes only to ${DEFAULT_KEY_ORIGINS[name]}, the deployment's DELPHI_EMBEDDING_URL / DELPHI_NAMER_URL and the origins in ${origins}`;
}

export function untrustedOriginMessage(name: ApiKeyName, what: string, url: string): string {
  return `The ${what} sends no API key to ${originOf(url) ?? url}: add that origin to ${API_KEY_SOURCES[name].origins} (keys go only to ${DEFAULT_KEY_ORIGINS[name]}, the deployment's DELPHI_EMBEDDING_URL / DELPHI_NAMER_URL and the origins listed there)`;
}
