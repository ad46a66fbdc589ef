/**
 * What travels between the states of the pipeline: references only (job_id, conversation_id, the
 * source location, options, small counts). Comment text, vectors and coordinates live in the tables.
 */
import { z } from 'zod';
import { environment, providerDefaults, type ProviderEnvDefaults } from './config';
import { InvalidInputError } from './errors';
import { assertConversationId, assertJobId } from './jobId';
import {
  DEFAULT_EMBEDDER, DEFAULT_TOPIC_NAMER, EMBEDDER_SETTINGS, EMBEDDERS, NAMER_SETTINGS, PROVIDER_SETTING_KEYS, PROVIDER_SETTINGS, TITAN_DIMENSIONS, TOPIC_NAMERS,
  type Embedder, type ProviderSettingKey, type SettingValue, type TopicNamerName,
} from './providers/settings';
import { CLUSTERING_DEFAULTS } from './algorithms/clusteringDefaults';
import { DEFAULT_SEED } from './algorithms/random';

// The steps and their order are declared once, in the pipeline descriptor.
export { FANOUT_STATES, STEP_NAMES, type FanoutStepName, type StepName } from './contract/pipeline';
import type { FanoutStepName, StepName } from './contract/pipeline';

/** A slice of the conversation's comments (in comment-id order) that one EmbedBatch invocation embeds. */
export interface EmbeddingBatch {
  index: number;
  offset: number;
  count: number;
  /** The last batch also takes any comments past offset + count (the export grew before a redrive). */
  last: boolean;
}

// The providers' names belong to the providers (shared/providers/settings.ts); the options name them.
export { EMBEDDERS, OFFLINE_EMBEDDERS, TOPIC_NAMERS, type Embedder, type TopicNamerName } from './providers/settings';

/** Base URLs travel in the execution state and the job record: credentials belong in a secret. */
const providerUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), 'must be an http(s) URL')
  .refine((value) => {
    try {
      const url = new URL(value);
      return !url.username && !url.password;
    } catch {
      return true; // .url() reports it
    }
  }, 'must not contain credentials: give the API key through the environment (README "Providers")');

/** The schema of each provider setting, from its declaration (shared/providers/settings.ts PROVIDER_SETTINGS). */
function settingSchema(key: ProviderSettingKey): z.ZodType<string | number> {
  const setting: (typeof PROVIDER_SETTINGS)[ProviderSettingKey] = PROVIDER_SETTINGS[key];
  if (setting.kind === 'url') return providerUrl;
  if (setting.kind === 'model') return z.string().min(1).max(200);
  return z.number().int().min(setting.min).max(setting.max);
}

type SettingFields<P extends string> = { [K in Extract<ProviderSettingKey, `${P}${string}`>]: z.ZodOptional<z.ZodType<SettingValue<K>>> };
const settingFields = <P extends 'embedding_' | 'namer_'>(prefix: P) =>
  Object.fromEntries(PROVIDER_SETTING_KEYS.filter((key) => key.startsWith(prefix)).map((key) => [key, settingSchema(key).optional()])) as SettingFields<P>;

export const PipelineOptionsSchema = z
  .object({
    // Provider names and settings default to the deployment's environment (shared/config.ts), then
    // to each provider's built-in settings (shared/providers/settings.ts); see parseOptions.
    embedder: z.enum(EMBEDDERS).optional(),
    ...settingFields('embedding_'),
    topic_namer: z.enum(TOPIC_NAMERS).optional(),
    ...settingFields('namer_'),
    // The language LLM namers write names in (BCP 47: "de", "zh-Hant"); default: the comments' (docs/analysis-quality.md "Languages").
    label_language: z
      .string()
      .max(35)
      .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as "de" or "zh-Hant"')
      .optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(DEFAULT_SEED),
    n_neighbors: z.number().int().min(2).max(200).default(CLUSTERING_DEFAULTS.nNeighbors),
    min_dist: z.number().min(0).max(1).default(0.1),
    min_cluster_size: z.number().int().min(2).max(1000).default(CLUSTERING_DEFAULTS.minClusterSize),
    max_layers: z.number().int().min(2).max(5).default(CLUSTERING_DEFAULTS.maxLayers),
    keep_moderated: z.boolean().default(false),
    // Large jobs with an API provider fan out in Map states (README "Sizing for large conversations").
    fanout_embedding_batch: z.number().int().min(10).max(100_000).default(2000),
    fanout_naming_clusters: z.number().int().min(1).max(100_000).default(150),
    // The job whose topics this job's are matched with (docs/lineage.md); default: the previous COMPLETED job.
    compare_to: z.string().min(1).max(128).optional(),
  })
  .strict();
/** Options after defaults: the providers are always named. */
export type PipelineOptions = Omit<z.infer<typeof PipelineOptionsSchema>, 'embedder' | 'topic_namer'> & {
  embedder: Embedder;
  topic_namer: TopicNamerName;
};

export const StepInputSchema = z
  .object({
    job_id: z.string(),
    conversation_id: z.string(),
    source: z.string().min(1, 'source must name a Polis export (a folder path or s3://bucket/prefix)'),
    options: z.unknown().optional(),
  })
  .passthrough();

export interface StepInput {
  job_id: string;
  conversation_id: string;
  source: string;
  options: PipelineOptions;
  /** Set inside the Map states: the slice of comments (EmbedBatch) or the layer (NameLayer) to work on. */
  batch?: EmbeddingBatch;
  layer?: number;
}

const FanoutItemSchema = z.object({
  batch: z
    .object({ index: z.number().int().min(0), offset: z.number().int().min(0), count: z.number().int().min(1), last: z.boolean() })
    .strict()
    .optional(),
  layer: z.number().int().min(0).max(10).optional(),
});

/** Small summary a step returns into the execution state (ResultPath `$.steps.<Step>`). */
export interface StepOutput {
  step: StepName | FanoutStepName;
  rows_written: number;
  rows_deleted: number;
  duration_ms: number;
  [detail: string]: unknown;
}

function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? issue.path.join('.') : 'input';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Validates an execution's options and fills in the providers: an option given wins, else the
 * deployment's default (environment, only for the default provider), else the provider's built-in
 * setting. MarkRunning stores the result, so the job record says exactly which provider, URL and
 * model ran, and a retry or redrive uses the same ones even if the environment changed.
 */
export function parseOptions(raw: unknown, defaults: ProviderEnvDefaults = providerEnvDefaults()): PipelineOptions {
  const parsed = PipelineOptionsSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new InvalidInputError(`Invalid options — ${describeZodError(parsed.error)}`);
  const defaultEmbedder = (defaults.embedder ?? DEFAULT_EMBEDDER) as Embedder;
  const defaultNamer = (defaults.topicNamer ?? DEFAULT_TOPIC_NAMER) as TopicNamerName;
  const { embedder = defaultEmbedder, topic_namer = defaultNamer } = parsed.data;
  const options: PipelineOptions = { ...parsed.data, embedder, topic_namer };
  fillSettings(options, 'embedding_', EMBEDDER_SETTINGS[embedder], embedder === defaultEmbedder ? defaults.embedding : {}, `${embedder} embedder`);
  fillSettings(options, 'namer_', NAMER_SETTINGS[topic_namer], topic_namer === defaultNamer ? defaults.naming : {}, `${topic_namer} topic namer`);
  if (embedder === 'bedrock' && !(TITAN_DIMENSIONS as readonly number[]).includes(options.embedding_dimensions!)) {
    throw new InvalidInputError(`Invalid options — embedding_dimensions: the bedrock embedder (Titan v2) returns ${TITAN_DIMENSIONS.join(', ')} dimensions, not ${options.embedding_dimensions}`);
  }
  return options;
}

function fillSettings(
  options: PipelineOptions,
  prefix: 'embedding_' | 'namer_',
  provider: { accepts: readonly string[]; defaults: object },
  fromEnv: object,
  what: string,
): void {
  const settings = options as unknown as Record<string, unknown>;
  for (const key of Object.keys(settings).filter((key) => key.startsWith(prefix) && settings[key] !== undefined)) {
    if (!provider.accepts.includes(key)) {
      throw new InvalidInputError(`Invalid options — ${key} is not used by the ${what}; remove it or choose a provider that uses it`);
    }
  }
  const env = fromEnv as Record<string, unknown>;
  const builtIn = provider.defaults as Record<string, unknown>;
  for (const key of provider.accepts) settings[key] ??= env[key] ?? builtIn[key];
}

/** The deployment's provider defaults (shared/config.ts: read once, checked there). */
export function providerEnvDefaults(): ProviderEnvDefaults {
  return providerDefaults(environment());
}

/** Validates the execution state a step receives and returns the typed references. */
export function parseStepInput(raw: unknown): StepInput {
  if (typeof raw !== 'object' || raw === null) {
    throw new InvalidInputError('Step input must be a JSON object with job_id, conversation_id and source.');
  }
  const record = raw as Record<string, unknown>;
  const job_id = assertJobId(record.job_id);
  const conversation_id = assertConversationId(record.conversation_id);
  const parsed = StepInputSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(`Invalid step input — ${describeZodError(parsed.error)}`);
  const item = FanoutItemSchema.safeParse(raw);
  if (!item.success) throw new InvalidInputError(`Invalid step input — ${describeZodError(item.error)}`);
  return { job_id, conversation_id, source: parsed.data.source, options: parseOptions(record.options), ...item.data };
}
