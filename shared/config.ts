/**
 * Every environment variable Delphi reads, declared once (VARIABLES): its name, what it is for, its
 * default and the values it may take. The environment is parsed once per process, on first use
 * (environment()), and kept; a bad value fails with a ConfigurationError that names the variable.
 * Other modules take the parsed Environment (or the fields they need) and never read process.env.
 * docs/environment.md is generated from this table (test/unit/config.test.ts).
 *
 * An empty value counts as unset: serverless.yml hands every variable to the functions, '' when the
 * deployer's shell has none.
 */
import { ConfigurationError } from './errors';
import {
  DEFAULT_EMBEDDER, DEFAULT_TOPIC_NAMER, EMBEDDER_SETTINGS, EMBEDDERS, NAMER_SETTINGS, PROVIDER_SETTING_KEYS, PROVIDER_SETTINGS, settingVariable, TOPIC_NAMERS,
  type EmbeddingSettings, type NamingSettings, type ProviderSettingKey, type SettingValue,
} from './providers/settings';

/** How one variable is read. `parse` gets the raw value (undefined when unset) and the variable's name. */
export interface Variable<T> {
  group: string;
  /** What it is for (one line of docs/environment.md). */
  doc: string;
  /** The values it may take, as docs/environment.md shows them. */
  range: string;
  /** Its default as docs/environment.md shows it; '' = none (unset means off, or the SDK's own choice). */
  fallback: string;
  parse(raw: string | undefined, name: string): T;
}

const trimmed = (raw: string | undefined) => raw?.trim() || undefined;
const badValue = (name: string, what: string, value: string) => new ConfigurationError(`${name} must be ${what}, got "${value}"`);
const isHttpUrl = (value: string) => /^https?:\/\/[^\s]+$/.test(value);

function text(group: string, doc: string): Variable<string | undefined> {
  return { group, doc, range: 'text', fallback: '', parse: trimmed };
}

function textOr(group: string, doc: string, fallback: string): Variable<string> {
  return { group, doc, range: 'text', fallback, parse: (raw) => trimmed(raw) ?? fallback };
}

/** Kept as given, not trimmed: a password may begin or end with a space. */
function secret(group: string, doc: string): Variable<string | undefined> {
  return { group, doc, range: 'text (not trimmed)', fallback: '', parse: (raw) => raw || undefined };
}

function url(group: string, doc: string): Variable<string | undefined> {
  return {
    group, doc, range: 'an http(s) URL', fallback: '',
    parse(raw, name) {
      const value = trimmed(raw);
      if (value !== undefined && !isHttpUrl(value)) throw badValue(name, 'an http(s) URL', value);
      return value;
    },
  };
}

function matching(group: string, doc: string, pattern: RegExp, what: string): Variable<string | undefined> {
  return {
    group, doc, range: what, fallback: '',
    parse(raw, name) {
      const value = trimmed(raw);
      if (value !== undefined && !pattern.test(value)) throw badValue(name, what, value);
      return value;
    },
  };
}

function integer(group: string, doc: string, min: number, max: number): Variable<number | undefined> {
  return {
    group, doc, range: `integer ${min}–${max}`, fallback: '',
    parse(raw, name) {
      const value = trimmed(raw);
      if (value === undefined) return undefined;
      const number = Number(value);
      if (!Number.isInteger(number) || number < min || number > max) throw badValue(name, `an integer from ${min} to ${max}`, value);
      return number;
    },
  };
}

/** `variable` with a default instead of undefined when unset. */
function orElse<T>(variable: Variable<T | undefined>, fallback: T, shown = String(fallback)): Variable<T> {
  return { ...variable, fallback: shown, parse: (raw, name) => variable.parse(raw, name) ?? fallback };
}

function integerOr(group: string, doc: string, min: number, max: number, fallback: number): Variable<number> {
  return orElse(integer(group, doc, min, max), fallback);
}

/** A size in whole megabytes, parsed to bytes. */
function megabytes(group: string, doc: string, fallback: number): Variable<number> {
  return {
    group, doc, range: 'megabytes 1–65536', fallback: String(fallback),
    parse(raw, name) {
      const value = trimmed(raw);
      if (value === undefined) return fallback * 2 ** 20;
      const number = Number(value);
      if (!Number.isInteger(number) || number < 1 || number > 65536) throw badValue(name, 'a whole number of megabytes from 1 to 65536', value);
      return number * 2 ** 20;
    },
  };
}

function oneOf<T extends string>(group: string, doc: string, values: readonly T[], { ignoreCase = false } = {}): Variable<T | undefined> {
  return {
    group, doc, range: values.join(', '), fallback: '',
    parse(raw, name) {
      const value = trimmed(raw);
      if (value === undefined) return undefined;
      const found = values.find((candidate) => (ignoreCase ? candidate.toLowerCase() === value.toLowerCase() : candidate === value));
      if (found === undefined) throw badValue(name, `one of ${values.join(', ')}`, value);
      return found;
    },
  };
}

function flag(group: string, doc: string): Variable<boolean> {
  return {
    group, doc, range: 'true, false', fallback: 'false',
    parse(raw, name) {
      const value = trimmed(raw) ?? 'false';
      if (value !== 'true' && value !== 'false') throw badValue(name, 'true or false', value);
      return value === 'true';
    },
  };
}

function list(group: string, doc: string): Variable<string[]> {
  return {
    group, doc, range: 'comma-separated list', fallback: '',
    parse: (raw) => (raw ?? '').split(',').map((item) => item.trim()).filter(Boolean),
  };
}

function urlList(group: string, doc: string): Variable<string[]> {
  const read = list(group, doc);
  return {
    ...read,
    range: 'comma-separated http(s) base URLs',
    parse(raw, name) {
      const items = read.parse(raw, name);
      for (const item of items) {
        let protocol: string | undefined;
        try {
          protocol = new URL(item).protocol;
        } catch {
          // reported below
        }
        if (protocol !== 'http:' && protocol !== 'https:') throw new ConfigurationError(`${name} must list http(s) base URLs separated by commas, got "${item}"`);
      }
      return items;
    },
  };
}

/** Powertools Logger's levels. */
const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The deployment's default of each provider setting (DELPHI_<KEY>), from the settings' declaration. */
type SettingVariables = { [K in ProviderSettingKey as ReturnType<typeof settingVariable<K>>]: Variable<SettingValue<K> | undefined> };
function settingVariables(): SettingVariables {
  return Object.fromEntries(
    PROVIDER_SETTING_KEYS.map((key) => {
      const setting: (typeof PROVIDER_SETTINGS)[ProviderSettingKey] = PROVIDER_SETTINGS[key];
      const doc = `default ${key} of the default ${key.startsWith('embedding_') ? 'embedder' : 'topic namer'} (an execution's options win)`;
      const variable =
        setting.kind === 'url' ? url('Providers', doc) : setting.kind === 'model' ? text('Providers', doc) : integer('Providers', doc, setting.min, setting.max);
      return [settingVariable(key), variable];
    }),
  ) as SettingVariables;
}

const PG_MAX_TIMEOUT_MS = 900_000;

export const VARIABLES = {
  AWS_REGION: text('AWS', 'the region of the SDK clients (set by Lambda); us-east-1 for local endpoints when unset'),
  DYNAMODB_ENDPOINT: url('AWS', 'a local DynamoDB-compatible endpoint (dynalite, `delphi db`); unset in AWS'),
  DELPHI_TABLE_SUFFIX: orElse(
    matching('AWS', 'stage suffix of the table names in AWS (`Delphi_CommentEmbeddings_<suffix>`); empty locally', /^[A-Za-z0-9_.-]{1,40}$/, "1–40 letters, digits, '_', '-' or '.'"),
    '',
  ),
  STEPFUNCTIONS_ENDPOINT: url('AWS', "points the API's Step Functions client at `delphi serve`; unset, AWS"),
  BEDROCK_REGION: text('AWS', 'the region of the Bedrock models, when not the functions\' own'),
  LAMBDA_TASK_ROOT: text('AWS', 'the bundle\'s folder (set by Lambda): where the offline embedders\' files are looked for'),
  LOG_LEVEL: oneOf('Logs', 'the JSON logs\' level (case does not matter; default INFO, the CLI: SILENT unless `run` or --verbose)', LOG_LEVELS, { ignoreCase: true }),
  POWERTOOLS_LOG_LEVEL: oneOf('Logs', 'the same, when LOG_LEVEL is unset', LOG_LEVELS, { ignoreCase: true }),
  // The API
  STATE_MACHINE_ARN: matching('API', 'the pipeline the API starts (required by the API functions)', /^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/, 'a Step Functions state machine ARN'),
  DELPHI_SOURCE_BUCKETS: list('API', 'the buckets an s3:// source may name (the uploads bucket); empty: any'),
  DELPHI_ALLOW_LOCAL_SOURCES: flag('API', 'local folders as sources (`--stage local` only)'),
  DELPHI_ALLOWED_PG_HOSTS: list('API', 'database servers (host or host:port) a postgres:// source may name'),
  // What an API caller may choose (shared/providers/policy.ts)
  DELPHI_ALLOWED_EMBEDDING_URLS: urlList('Caller policy', 'embedding_url values a caller may name, besides the built-in and DELPHI_EMBEDDING_URL'),
  DELPHI_ALLOWED_NAMER_URLS: urlList('Caller policy', 'namer_url values a caller may name, besides the built-in and DELPHI_NAMER_URL'),
  DELPHI_ALLOWED_EMBEDDING_MODELS: list('Caller policy', 'embedding_model values a caller may name (the Bedrock ones are also what the roles may invoke)'),
  DELPHI_ALLOWED_NAMER_MODELS: list('Caller policy', 'namer_model values a caller may name (likewise)'),
  DELPHI_MAX_EMBEDDING_DIMENSIONS: integerOr('Caller policy', 'the most embedding_dimensions a caller may ask for', 1, 4096, 1024),
  DELPHI_MAX_N_NEIGHBORS: integerOr('Caller policy', 'the most n_neighbors a caller may ask for', 1, 200, 50),
  DELPHI_MAX_CONCURRENCY: integerOr('Caller policy', 'the most embedding_concurrency and namer_concurrency a caller may ask for', 1, 64, 16),
  // Providers (README "Providers")
  // Unset stays undefined (parseOptions fills in the built-in provider); the docs show which.
  DELPHI_EMBEDDER: { ...oneOf('Providers', "the embedder of executions whose options name none", EMBEDDERS), fallback: DEFAULT_EMBEDDER },
  DELPHI_TOPIC_NAMER: { ...oneOf('Providers', 'the topic namer of executions whose options name none', TOPIC_NAMERS), fallback: DEFAULT_TOPIC_NAMER },
  ...settingVariables(),
  DELPHI_WORD_VECTORS: text('Providers', 'the hybrid embedder\'s word-vector file; default models/glove-100d.bin, looked for up from the code'),
  // Unset stays undefined: the default depends on the machine (sentenceEncoder.ts sentenceEncoderThreads).
  DELPHI_ENCODER_THREADS: {
    ...integer('Providers', 'threads of the `sentence` embedder\'s encoder, each with its own model (1 = no worker thread)', 1, 64),
    fallback: 'the cores, at most 4 and one per GB of memory',
  },
  // API keys (shared/providers/settings.ts API_KEY_SOURCES): where a key is kept, or locally the key
  OPENAI_API_KEY_PARAMETER: text('API keys', 'SSM SecureString parameter holding the OpenAI key'),
  OPENAI_API_KEY_SECRET_ARN: text('API keys', 'Secrets Manager secret holding the OpenAI key'),
  OPENAI_API_KEY: text('API keys', 'the OpenAI key itself (local runs)'),
  OPENAI_API_KEY_ORIGINS: list('API keys', 'more origins the OpenAI key may be sent to'),
  ANTHROPIC_API_KEY_PARAMETER: text('API keys', 'SSM SecureString parameter holding the Anthropic key'),
  ANTHROPIC_API_KEY_SECRET_ARN: text('API keys', 'Secrets Manager secret holding the Anthropic key'),
  ANTHROPIC_API_KEY: text('API keys', 'the Anthropic key itself (local runs)'),
  ANTHROPIC_API_KEY_ORIGINS: list('API keys', 'more origins the Anthropic key may be sent to'),
  // Sources
  DELPHI_SOURCE_ROOT: textOr('Sources', 'what relative local source folders are resolved against (`--stage local` sets the project folder)', '.'),
  DELPHI_MAX_COMMENTS_MB: megabytes('Sources', 'the largest comments.csv / summary.csv read', 64),
  DELPHI_MAX_VOTES_MB: megabytes('Sources', 'the largest votes.csv / participants-votes.csv read', 1024),
  DELPHI_PG_SECRET_ARN: text('Sources', "Secrets Manager secret with the Polis database's credentials (deployed)"),
  DELPHI_PG_CONNECT_TIMEOUT_MS: integerOr('Sources', 'how long a Polis database connection may take', 1, PG_MAX_TIMEOUT_MS, 10_000),
  DELPHI_PG_STATEMENT_TIMEOUT_MS: integerOr('Sources', 'how long a Polis database query may run', 1, PG_MAX_TIMEOUT_MS, 60_000),
  PGHOST: text('Sources', 'as for psql: the database server a postgres:// source leaves out (default localhost)'),
  PGPORT: integer('Sources', 'as for psql (default 5432)', 1, 65535),
  PGDATABASE: text('Sources', 'as for psql'),
  PGUSER: text('Sources', 'as for psql'),
  PGPASSWORD: secret('Sources', 'as for psql'),
  PGSSLMODE: oneOf('Sources', 'as for psql', ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const),
  // The local CLI
  DELPHI_DATA_DIR: text('Local CLI', 'where `delphi` keeps its data (default .delphi/ in the project)'),
} satisfies Record<string, Variable<unknown>>;

/**
 * Variables that serverless.yml sets for other readers than Delphi's code (checked by
 * test/unit/config.test.ts, so every variable the functions get is accounted for).
 */
export const OTHER_READERS: Record<string, string> = {
  NODE_OPTIONS: 'Node.js',
  POWERTOOLS_SERVICE_NAME: 'Powertools Logger',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'the AWS SDK (its notice that its 2027 releases need Node 22)',
};

export type VariableName = keyof typeof VARIABLES;
export type Environment = { readonly [K in VariableName]: ReturnType<(typeof VARIABLES)[K]['parse']> };

/** Parses `env` against VARIABLES. Pure: tests pass a plain object; environment() passes process.env. */
export function parseEnvironment(env: Readonly<Record<string, string | undefined>>): Environment {
  const parsed = Object.fromEntries(
    Object.entries(VARIABLES).map(([name, variable]) => [name, (variable as Variable<unknown>).parse(env[name], name)]),
  ) as Environment;
  return parsed;
}

/**
 * A provider setting in the environment that the default provider does not use is a mistake, not
 * something to ignore. Checked where the defaults are used (providerDefaults: MarkRunning, the API),
 * so a function that never fills options in is not failed by it.
 */
function checkProviderSettings(env: Environment): void {
  for (const [prefix, accepts, chosen] of [
    ['embedding_', EMBEDDER_SETTINGS[env.DELPHI_EMBEDDER ?? DEFAULT_EMBEDDER].accepts, `DELPHI_EMBEDDER=${env.DELPHI_EMBEDDER ?? DEFAULT_EMBEDDER}`],
    ['namer_', NAMER_SETTINGS[env.DELPHI_TOPIC_NAMER ?? DEFAULT_TOPIC_NAMER].accepts, `DELPHI_TOPIC_NAMER=${env.DELPHI_TOPIC_NAMER ?? DEFAULT_TOPIC_NAMER}`],
  ] as const) {
    for (const key of PROVIDER_SETTING_KEYS.filter((key) => key.startsWith(prefix))) {
      if (env[settingVariable(key)] !== undefined && !(accepts as readonly string[]).includes(key)) {
        throw new ConfigurationError(`${settingVariable(key)} is set but ${chosen} does not use it`);
      }
    }
  }
}

let current: Environment | undefined;

/** This process's environment, parsed on first use and kept (a failed parse is not kept: it throws again). */
export function environment(): Environment {
  return (current ??= parseEnvironment(process.env));
}

/** Tests that change process.env call this to have it parsed again. */
export function resetEnvironment(): void {
  current = undefined;
}

/**
 * The local CLI is the deployment of its own process: it picks defaults for variables the user left
 * unset (a quiet log level) before anything reads them. Set in process.env too, because the AWS SDK
 * and Powertools read some of them themselves.
 */
export function setEnvironmentDefaults(defaults: Partial<Record<VariableName | keyof typeof OTHER_READERS, string>>): void {
  for (const [name, value] of Object.entries(defaults)) process.env[name] ??= value;
  resetEnvironment();
}

/** The defaults alone (no variable set): for reads that must not take the deployment's values. */
export const DEFAULTS: Environment = parseEnvironment({});

// Views of the environment for the modules that use it.

/** The SDK clients' region when pointed at a local endpoint (which accepts any). */
export function localRegion(env: Pick<Environment, 'AWS_REGION'> = environment()): string {
  return env.AWS_REGION ?? 'us-east-1';
}

export function logLevel(env: Pick<Environment, 'LOG_LEVEL' | 'POWERTOOLS_LOG_LEVEL'> = environment()): LogLevel {
  return env.LOG_LEVEL ?? env.POWERTOOLS_LOG_LEVEL ?? 'INFO';
}

/**
 * Provider defaults for executions whose options do not choose (README "Providers"). The embedding
 * settings apply to DELPHI_EMBEDDER only and the naming settings to DELPHI_TOPIC_NAMER only: an
 * execution that picks another provider gets that provider's built-in settings.
 */
export interface ProviderEnvDefaults {
  embedder?: (typeof EMBEDDERS)[number];
  embedding: EmbeddingSettings;
  topicNamer?: (typeof TOPIC_NAMERS)[number];
  naming: NamingSettings;
}

export function providerDefaults(env: Environment = environment()): ProviderEnvDefaults {
  checkProviderSettings(env);
  const settings = (prefix: string) =>
    Object.fromEntries(PROVIDER_SETTING_KEYS.filter((key) => key.startsWith(prefix)).map((key) => [key, env[settingVariable(key)]]));
  return {
    embedder: env.DELPHI_EMBEDDER,
    embedding: settings('embedding_') as EmbeddingSettings,
    topicNamer: env.DELPHI_TOPIC_NAMER,
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

export function sourceLimits(env: Pick<Environment, 'DELPHI_MAX_COMMENTS_MB' | 'DELPHI_MAX_VOTES_MB'> = environment()): SourceFileLimits {
  return { commentsBytes: env.DELPHI_MAX_COMMENTS_MB, votesBytes: env.DELPHI_MAX_VOTES_MB };
}

export const DEFAULT_SOURCE_LIMITS: SourceFileLimits = sourceLimits(DEFAULTS);

/** The table of docs/environment.md, grouped as VARIABLES is. */
export function environmentDocs(): string {
  const lines = [
    '# Environment variables',
    '',
    'Generated from `shared/config.ts` (`VARIABLES`), the one place they are declared; regenerate with',
    '`npx vitest run test/unit/config.test.ts -u`. A bad value fails the function (or command) at once',
    'with a `ConfigurationError` naming the variable. An empty value counts as unset.',
  ];
  let group = '';
  for (const [name, variable] of Object.entries(VARIABLES) as Array<[string, Variable<unknown>]>) {
    if (variable.group !== group) {
      group = variable.group;
      lines.push('', `## ${group}`, '', '| variable | default | values | what |', '|---|---|---|---|');
    }
    lines.push(`| \`${name}\` | ${variable.fallback ? `\`${variable.fallback}\`` : ''} | ${variable.range} | ${variable.doc.replace(/\|/g, '\\|')} |`);
  }
  lines.push('', '## Set for other readers', '', 'serverless.yml also sets these, which Delphi\'s code does not read:', '');
  for (const [name, reader] of Object.entries(OTHER_READERS)) lines.push(`- \`${name}\`: ${reader}`);
  return `${lines.join('\n')}\n`;
}
