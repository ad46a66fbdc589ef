/**
 * What travels between the states of the pipeline: references only (job_id, conversation_id, the
 * source location, options, small counts). Comment text, vectors and coordinates live in the tables.
 */
import { z } from 'zod';
import { InvalidInputError } from './errors';
import { assertConversationId, assertJobId } from './jobId';

export const STEP_NAMES = [
  'Embed',
  'ProjectUmap',
  'Cluster',
  'ExtractKeywords',
  'ComputeFeatures',
  'NameTopics',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const EMBEDDERS = ['lsa'] as const;
export const TOPIC_NAMERS = ['keywords'] as const;

export const PipelineOptionsSchema = z
  .object({
    embedder: z.enum(EMBEDDERS).default('lsa'),
    topic_namer: z.enum(TOPIC_NAMERS).default('keywords'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    n_neighbors: z.number().int().min(2).max(200).default(15),
    min_dist: z.number().min(0).max(1).default(0.1),
    min_cluster_size: z.number().int().min(2).max(1000).default(5),
    max_layers: z.number().int().min(2).max(5).default(4),
    keep_moderated: z.boolean().default(false),
    embedding_dimensions: z.number().int().min(2).max(1024).optional(),
  })
  .strict();
export type PipelineOptions = z.infer<typeof PipelineOptionsSchema>;

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
}

/** Small summary a step returns into the execution state (ResultPath `$.steps.<Step>`). */
export interface StepOutput {
  step: StepName;
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

export function parseOptions(raw: unknown): PipelineOptions {
  const parsed = PipelineOptionsSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new InvalidInputError(`Invalid options — ${describeZodError(parsed.error)}`);
  return parsed.data;
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
  return { job_id, conversation_id, source: parsed.data.source, options: parseOptions(record.options) };
}
