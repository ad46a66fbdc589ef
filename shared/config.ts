/** Environment configuration, read once at cold start; a bad value fails fast and names the variable. */
import { ConfigurationError } from './errors';
import {
  PROVIDER_SETTING_KEYS, PROVIDER_SETTINGS, settingVariable, type EmbeddingSettings, type NamingSettings, type ProviderSettingKey,
} from './providers/settings';

export interface RuntimeConfig {
  /** Local DynamoDB-compatible endpoint (dynalite); unset in AWS. */
  dynamodbEndpoint?: string;
  /** Stage suffix of table names in AWS (Delphi_CommentEmbeddings_<suffix>); empty locally. */
  tableSuffix: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const endpoint = env.DYNAMODB_ENDPOINT?.trim() || undefined;
  if (endpoint && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new ConfigurationError(`DYNAMODB_ENDPOINT must be an http(s) URL, got "${endpoint}"`);
  }
  const tableSuffix = env.DELPHI_TABLE_SUFFIX?.trim() ?? '';
  if (tableSuffix && !/^[A-Za-z0-9_.-]{1,40}$/.test(tableSuffix)) {
    throw new ConfigurationError(`DELPHI_TABLE_SUFFIX must be 1–40 letters, digits, '_', '-' or '.', got "${tableSuffix}"`);
  }
  return { dynamodbEndpoint: endpoint, tableSuffix };
}

/**
 * Provider defaults for executions whose options do not choose (README "Providers"). The embedding
 * settings apply to DELPHI_EMBEDDER only and the naming settings to DELPHI_TOPIC_NAMER only: an
 * execution that picks another provider gets that provider's built-in settings.
 * Names are checked against the known providers where they are used (shared/pipeline.ts).
 */
export interface ProviderEnvDefaults {
  embedder?: string;
  embedding: EmbeddingSettings;
  topicNamer?: string;
  naming: NamingSettings;
}

export function readProviderEnv(env: NodeJS.ProcessEnv = process.env): ProviderEnvDefaults {
  const text = (name: string) => env[name]?.trim() || undefined;
  const setting = (key: ProviderSettingKey) => {
    const name = settingVariable(key);
    const value = text(name);
    const declared: (typeof PROVIDER_SETTINGS)[ProviderSettingKey] = PROVIDER_SETTINGS[key];
    if (value === undefined || declared.kind === 'model') return value;
    if (declared.kind === 'url') {
      if (!/^https?:\/\/[^\s]+$/.test(value)) throw new ConfigurationError(`${name} must be an http(s) URL, got "${value}"`);
      return value;
    }
    const number = Number(value);
    if (!Number.isInteger(number) || number < declared.min || number > declared.max) {
      throw new ConfigurationError(`${name} must be an integer from ${declared.min} to ${declared.max}, got "${value}"`);
    }
    return number;
  };
  const settings = (prefix: string) => Object.fromEntries(PROVIDER_SETTING_KEYS.filter((key) => key.startsWith(prefix)).map((key) => [key, setting(key)]));
  return {
    embedder: text('DELPHI_EMBEDDER'),
    embedding: settings('embedding_') as EmbeddingSettings,
    topicNamer: text('DELPHI_TOPIC_NAMER'),
    naming: settings('namer_') as NamingSettings,
  };
}

/**
 * Size limits of a Polis export's files. The defaults hold the largest public conversations many
 * times over (docs/faults.md gives the sizes): a file past its limit is a named input error, never a
 * read that takes the machine's memory.
 */
export interface SourceFileLimits {
  /** comments.csv and summary.csv, read whole. */
  commentsBytes: number;
  /** votes.csv (streamed) and participants-votes.csv. */
  votesBytes: number;
}

export const DEFAULT_SOURCE_LIMITS: SourceFileLimits = { commentsBytes: 64 * 2 ** 20, votesBytes: 1024 * 2 ** 20 };

export function readSourceLimits(env: NodeJS.ProcessEnv = process.env): SourceFileLimits {
  const megabytes = (name: string, fallback: number) => {
    const value = env[name]?.trim();
    if (!value) return fallback;
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1 || number > 65536) {
      throw new ConfigurationError(`${name} must be a whole number of megabytes from 1 to 65536, got "${value}"`);
    }
    return number * 2 ** 20;
  };
  return {
    commentsBytes: megabytes('DELPHI_MAX_COMMENTS_MB', DEFAULT_SOURCE_LIMITS.commentsBytes),
    votesBytes: megabytes('DELPHI_MAX_VOTES_MB', DEFAULT_SOURCE_LIMITS.votesBytes),
  };
}
