/** Environment configuration, read once at cold start; a bad value fails fast and names the variable. */
import { ConfigurationError } from './errors';

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
  embedding: {
    embedding_url?: string;
    embedding_model?: string;
    embedding_dimensions?: number;
    embedding_batch_size?: number;
    embedding_concurrency?: number;
  };
  topicNamer?: string;
  naming: { namer_url?: string; namer_model?: string; namer_concurrency?: number };
}

/** Ranges of the numeric provider settings: for the environment (here) and an execution's options (shared/pipeline.ts). */
export const SETTING_RANGES = {
  embedding_dimensions: { min: 2, max: 4096 },
  embedding_batch_size: { min: 1, max: 2048 },
  embedding_concurrency: { min: 1, max: 64 },
  namer_concurrency: { min: 1, max: 64 },
} as const;

export function readProviderEnv(env: NodeJS.ProcessEnv = process.env): ProviderEnvDefaults {
  const text = (name: string) => env[name]?.trim() || undefined;
  const url = (name: string) => {
    const value = text(name);
    if (value && !/^https?:\/\/[^\s]+$/.test(value)) throw new ConfigurationError(`${name} must be an http(s) URL, got "${value}"`);
    return value;
  };
  const integer = (name: string, { min, max }: { min: number; max: number }) => {
    const value = text(name);
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new ConfigurationError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
    }
    return number;
  };
  return {
    embedder: text('DELPHI_EMBEDDER'),
    embedding: {
      embedding_url: url('DELPHI_EMBEDDING_URL'),
      embedding_model: text('DELPHI_EMBEDDING_MODEL'),
      embedding_dimensions: integer('DELPHI_EMBEDDING_DIMENSIONS', SETTING_RANGES.embedding_dimensions),
      embedding_batch_size: integer('DELPHI_EMBEDDING_BATCH_SIZE', SETTING_RANGES.embedding_batch_size),
      embedding_concurrency: integer('DELPHI_EMBEDDING_CONCURRENCY', SETTING_RANGES.embedding_concurrency),
    },
    topicNamer: text('DELPHI_TOPIC_NAMER'),
    naming: {
      namer_url: url('DELPHI_NAMER_URL'),
      namer_model: text('DELPHI_NAMER_MODEL'),
      namer_concurrency: integer('DELPHI_NAMER_CONCURRENCY', SETTING_RANGES.namer_concurrency),
    },
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
