/**
 * What each API request may carry, validated with zod before anything is read or started. Every
 * refusal is a 400 whose body names the field (`conversation_id`, `Idempotency-Key`, `options.max_layers` …).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { environment } from '../config';
import { ConfigurationError, InvalidInputError } from '../errors';
import { assertConversationId, assertJobId, isValidExecutionName } from '../jobId';
import { parseOptions, PipelineOptionsSchema } from '../pipeline';
import { callerOptionViolation, callerPolicy, type CallerPolicy } from '../providers/policy';
import { assertApiKeysConfigured } from '../providers/settings';
import { HttpError, badRequest, header, type ApiEvent } from './http';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** Layers are numbered 0 (finest) to max_layers − 1 ≤ 4. */
export const MAX_LAYER = 4;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export const StartJobBodySchema = z
  .object({
    source: z
      .string({ required_error: 'source is required: an s3://bucket/prefix holding a Polis export (comments.csv, optionally votes.csv), or postgres://user@host:port/database?zid=N' })
      .trim()
      .min(1, 'source must name a Polis export (s3://bucket/prefix holding comments.csv) or a Polis database (postgres://…?zid=N)')
      .max(1024),
    options: z.record(z.unknown()).optional(),
  })
  .strict();

export interface StartJobRequest {
  conversation_id: string;
  source: string;
  /** The options as the client sent them; MarkRunning fills in the defaults. */
  options: Record<string, unknown>;
  idempotencyKey?: string;
}

function firstIssue(error: z.ZodError, prefix: string[] = []): { field: string; message: string } {
  const issue = error.issues[0];
  const path = [...prefix, ...issue.path.map(String)];
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const where = path.length ? ` in ${path.join('.')}` : '';
    return { field: [...path, keys[0]].join('.'), message: `unknown field${keys.length > 1 ? 's' : ''} ${keys.join(', ')}${where}` };
  }
  const field = path.join('.') || 'body';
  return { field, message: `${field}: ${issue.message}` };
}

function pathParameter(event: ApiEvent, name: 'conversation_id' | 'job_id'): string {
  const value = event.pathParameters?.[name];
  try {
    return name === 'job_id' ? assertJobId(value) : assertConversationId(value);
  } catch (error) {
    throw badRequest(name, (error as Error).message);
  }
}

export const conversationIdOf = (event: ApiEvent) => pathParameter(event, 'conversation_id');
export const jobIdOf = (event: ApiEvent) => pathParameter(event, 'job_id');

/** A start request names a source and a few options: anything larger is a mistake or an abuse. */
export const MAX_START_BODY_BYTES = 16 * 1024;

function jsonBody(event: ApiEvent): unknown {
  if (!event.body) throw badRequest('body', 'The request needs a JSON body: {"source": "s3://bucket/prefix", "options": {…}}');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_START_BODY_BYTES) {
    throw new HttpError(413, 'PayloadTooLarge', `The body has ${bytes} bytes; a job request is limited to ${MAX_START_BODY_BYTES} (it names a source, it does not carry comments)`, 'body');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest('body', `The body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * POST /conversations/{conversation_id}/jobs: path, Idempotency-Key header and body. The provider
 * settings a caller names are held to the deployment's policy; `delphi run` passes 'deployment' (its
 * user is the deployment and may name any endpoint, e.g. a server on 127.0.0.1).
 */
export function parseStartJob(event: ApiEvent, policy: CallerPolicy | 'deployment' = callerPolicy()): StartJobRequest {
  const conversation_id = conversationIdOf(event);
  const idempotencyKey = header(event, IDEMPOTENCY_HEADER)?.trim();
  if (idempotencyKey !== undefined && !isValidExecutionName(idempotencyKey)) {
    throw badRequest(
      IDEMPOTENCY_HEADER,
      `${IDEMPOTENCY_HEADER} "${idempotencyKey}" is not usable as an execution name: use 1–80 letters, digits, '-' or '_' (a UUID works).`,
    );
  }
  const parsed = StartJobBodySchema.safeParse(jsonBody(event));
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw badRequest(field, message);
  }
  const options = parsed.data.options ?? {};
  validateOptions(options, policy);
  return { conversation_id, source: parsed.data.source, options, idempotencyKey: idempotencyKey || undefined };
}

/**
 * The same checks MarkRunning makes, so that a job that would fail at once is never started, and the
 * caller policy (shared/providers/policy.ts): endpoints, models and caps the deployment allows.
 */
export function validateOptions(options: Record<string, unknown>, policy: CallerPolicy | 'deployment' = callerPolicy()): void {
  const schema = PipelineOptionsSchema.safeParse(options);
  if (!schema.success) {
    const { field, message } = firstIssue(schema.error, ['options']);
    throw badRequest(field, message);
  }
  const checked = (() => {
    try {
      return parseOptions(options);
    } catch (error) {
      if (error instanceof InvalidInputError) throw badRequest('options', error.message.replace(/^Invalid options — /, ''));
      throw error;
    }
  })();
  // Before the key check: an endpoint the deployment does not allow is refused whether or not a key would go there.
  const violation = policy === 'deployment' ? undefined : callerOptionViolation(options, policy);
  if (violation) throw badRequest(violation.field, violation.message);
  try {
    assertApiKeysConfigured(checked, environment());
  } catch (error) {
    if (error instanceof InvalidInputError) throw badRequest('options', error.message.replace(/^Invalid options — /, ''));
    // A provider that needs a key this deployment does not have: the client can choose another one.
    if (error instanceof ConfigurationError && /API key/.test(error.message)) throw badRequest('options', error.message);
    throw error;
  }
}

/** ?layer=N on the topics routes. */
export function parseLayer(event: ApiEvent): number | undefined {
  const raw = event.queryStringParameters?.layer;
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > MAX_LAYER) {
    throw badRequest('layer', `layer must be an integer from 0 (finest) to ${MAX_LAYER}, got "${raw}"`);
  }
  return Number(raw);
}

/** ?limit=N&next=<cursor> on GET /conversations/{conversation_id}/jobs. */
export function parsePage(event: ApiEvent, conversationId: string): { limit: number; startKey?: Record<string, unknown> } {
  const query = event.queryStringParameters ?? {};
  let limit = DEFAULT_PAGE_SIZE;
  if (query.limit !== undefined && query.limit !== '') {
    if (!/^\d+$/.test(query.limit) || Number(query.limit) < 1 || Number(query.limit) > MAX_PAGE_SIZE) {
      throw badRequest('limit', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got "${query.limit}"`);
    }
    limit = Number(query.limit);
  }
  if (query.next === undefined || query.next === '') return { limit };
  return { limit, startKey: decodeCursor(query.next, conversationId) };
}

/** A page cursor is the GSI's LastEvaluatedKey, base64url JSON; only a key of this conversation is accepted. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

const CursorSchema = z.object({ job_id: z.string(), conversation_id: z.string(), created_at: z.string() }).strict();

function decodeCursor(cursor: string, conversationId: string): Record<string, unknown> {
  try {
    const key = CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (key.conversation_id === conversationId) return key;
  } catch {
    // reported below
  }
  throw badRequest('next', 'next is not a page cursor of this conversation: pass the `next` value of the previous page unchanged');
}

/** JSON with object keys sorted, so that equal requests hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The fingerprint an Idempotency-Key is bound to: conversation, source and options as sent. */
export function requestHash(request: Pick<StartJobRequest, 'conversation_id' | 'source' | 'options'>): string {
  const canonical = canonicalJson({ conversation_id: request.conversation_id, source: request.source, options: request.options });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
