/** The job record's life: RUNNING (MarkRunning), COMPLETED (MarkCompleted), FAILED (MarkFailed). */
import { environment } from '../config';
import { InvalidInputError } from '../errors';
import { assertConversationId, assertJobId, resolveJobId } from '../jobId';
import { EXECUTION_ORDER, FANOUT_PLANS } from '../contract/pipeline';
import { parseOptions, parseStepInput, type StepInput } from '../pipeline';
import { assertApiKeysConfigured } from '../providers/settings';
import type { Repository } from '../repository';
import { isPostgresSource, parsePostgresSource, redactSource } from '../sources/postgres';
import { evaluateJob } from './evaluate';
import { checkComparedJob } from './lineage';

export interface MarkRunningEvent {
  input: unknown;
  execution_name: string;
  execution_arn?: string;
}

/** Validates the execution input, writes the job record and returns the normalised state. */
export async function markRunning(
  event: MarkRunningEvent,
  repository: Repository,
  now = new Date(),
): Promise<StepInput & { execution_name: string; steps: Record<string, never> }> {
  const raw = (typeof event.input === 'object' && event.input !== null ? event.input : {}) as Record<string, unknown>;
  const job_id = resolveJobId(raw.job_id, event.execution_name);
  const conversation_id = assertConversationId(raw.conversation_id);
  if (typeof raw.source !== 'string' || raw.source.trim() === '') {
    throw new InvalidInputError(
      'source is missing: name a Polis export folder, s3://bucket/prefix holding comments.csv, or postgres://user:password@host:port/database?zid=N',
    );
  }
  // A Polis database URL must name its conversation (zid); its password is never recorded (redactSource).
  if (isPostgresSource(raw.source)) parsePostgresSource(raw.source);
  const options = parseOptions(raw.options);
  assertApiKeysConfigured(options, environment());
  // A wrong compare_to fails the job now, not after every step but the last (NameTopics uses it).
  if (options.compare_to) await checkComparedJob(repository, job_id, conversation_id, options.compare_to, { mustBeCompleted: false });
  const existing = await repository.getJob(job_id);
  if (existing && existing.conversation_id !== conversation_id) {
    throw new InvalidInputError(
      `job_id ${job_id} already belongs to conversation ${String(existing.conversation_id)}, not ${conversation_id}`,
    );
  }
  // A job_id belongs to the execution that created its record: another request naming it (through the
  // CLI, the API's Step Functions door or the console) is refused, a retry or redrive of that execution is not.
  const taken = () =>
    new InvalidInputError(
      `job_id ${job_id} already belongs to a job started by another execution${existing?.execution_name ? ` (${String(existing.execution_name)})` : ''}: choose a new job_id or leave it out`,
    );
  if (existing && existing.execution_name !== event.execution_name) throw taken();
  const timestamp = now.toISOString();
  const created = await repository.createJobOfExecution({
    job_id,
    conversation_id,
    status: 'RUNNING',
    // A retried MarkRunning keeps the original creation time, so the job keeps its place in the GSI.
    created_at: existing?.created_at ?? timestamp,
    started_at: timestamp,
    updated_at: timestamp,
    execution_name: event.execution_name,
    execution_arn: event.execution_arn,
    source: redactSource(raw.source),
    parameters: options,
    // Fingerprint of the API request that started the job: an Idempotency-Key is bound to it (shared/api/jobs.ts).
    request_hash: typeof raw.request_hash === 'string' ? raw.request_hash : undefined,
    steps: {},
  });
  if (!created) throw taken();
  // `steps` collects each step's summary (ResultPath $.steps.<Step>); MarkFailed reads it to name the failed step.
  return { job_id, conversation_id, source: raw.source, options, execution_name: event.execution_name, steps: {} };
}


export async function markCompleted(event: unknown, repository: Repository, now = new Date()) {
  const input = parseStepInput(event);
  const job = await repository.requireJob(input.job_id);
  const steps = job.steps ?? {};
  // A fanned-out step's items are recorded as `<MapState>#<item>`: its time is the sum of theirs.
  const keysOf = (name: string) =>
    Object.keys(steps)
      .filter((key) => key === name || key.startsWith(`${name}#`))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const executed = EXECUTION_ORDER.filter((name) => keysOf(name).length > 0);
  const step_timings_ms = Object.fromEntries(
    executed.map((name) => [name, keysOf(name).reduce((sum, key) => sum + Number(steps[key].duration_ms ?? 0), 0)]),
  );
  const collect = (field: 'warnings' | 'adjustments') =>
    executed.flatMap((name) => keysOf(name).flatMap((key) => (steps[key][field] ?? []).map((text) => `${key}: ${text}`)));
  const counts = await repository.countJobRows(input.job_id);
  const evaluation = await evaluateJob(repository, input.job_id);
  await repository.updateJob(input.job_id, input.conversation_id, {
    evaluation,
    status: 'COMPLETED',
    completed_at: now.toISOString(),
    updated_at: now.toISOString(),
    current_step: null,
    step_timings_ms,
    counts,
    warnings: collect('warnings'),
    adjustments: collect('adjustments'),
  });
  return { job_id: input.job_id, status: 'COMPLETED', counts };
}

export interface FailureEvent {
  job_id?: unknown;
  conversation_id?: unknown;
  /** Summaries of the steps that succeeded; absent when MarkRunning itself failed. */
  steps?: Record<string, unknown>;
  error?: { Error?: string; Cause?: string };
}

/**
 * The state that failed, read from the execution state rather than from the job record: a Lambda that
 * never ran (throttled, timed out, crashed on start) cannot have recorded anything. The Catch that
 * brought the execution here keeps only the error (ResultPath $.error), but every state that
 * succeeded left its summary at `$.steps.<State>` (ResultPath), and the order is fixed: the failed
 * state is the first one in EXECUTION_ORDER without a summary — a fan-out state counting only when
 * the step before it planned its items (shared/contract/pipeline.ts FANOUT_PLANS). No summary at all:
 * MarkRunning failed (its output becomes the state, with `steps: {}`); all there: MarkCompleted.
 *
 * Inferred rather than passed because a JSONPath Catch can only place the error (ResultPath): naming
 * the state would take a Pass state per Task between its Catch and MarkFailed, or ASL variables
 * (Assign with $$.State.Name), which the local engine (aws-local-stepfunctions 3) does not run.
 * test/unit/failedStep.test.ts walks the ASL and holds this rule for every state a Catch leaves from,
 * small job and large.
 */
export function failedStep(event: FailureEvent): string {
  const steps = event.steps;
  if (!steps || typeof steps !== 'object') return 'MarkRunning';
  const runs = (state: string) => {
    const plan = FANOUT_PLANS[state];
    if (!plan) return true;
    const summary = steps[plan.step];
    return typeof summary === 'object' && summary !== null && Boolean((summary as Record<string, unknown>)[plan.items]);
  };
  return EXECUTION_ORDER.find((state) => !(state in steps) && runs(state)) ?? 'MarkCompleted';
}

/** Lambda reports a thrown error as a JSON Cause ({errorType, errorMessage, trace}); keep the message. */
export function failureMessage(cause: string | undefined): string {
  if (!cause) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: a local handler's message or a Step Functions cause, used as is
  }
  return cause;
}

/** What MarkFailed receives: the execution state (with the caught error) and the redrive count. */
export interface MarkFailedEvent {
  state: FailureEvent;
  /** $$.Execution.RedriveCount: 0 until the execution is redriven. */
  redrive_count?: number;
  /** $$.Execution.Name: only the job record this execution wrote is marked (a refused job_id is another's job). */
  execution_name?: string;
}

/**
 * The error MarkFailed fails the execution with: the failed step's own error name (as `name` and as
 * the constructor's name — runtimes report one or the other as errorType), a cause naming the step.
 */
export function stepFailure(name: string, message: string): Error {
  const { [name]: StepFailure } = {
    [name]: class extends Error {
      constructor(text: string) {
        super(text);
        this.name = name;
      }
    },
  };
  return new StepFailure(message);
}

/**
 * First entry for a failure: records it on the job (when the job can be identified) and throws the
 * step's error, so the execution fails in MarkFailed. Entered again by a redrive (a higher redrive
 * count than the one recorded with the failure): marks the job RUNNING again and returns the state
 * to resume.
 */
export async function markFailed(event: MarkFailedEvent, repository: Repository, now = new Date()): Promise<{ step: string }> {
  const state = event.state ?? {};
  const redriveCount = Number(event.redrive_count ?? 0);
  const error = state.error?.Error ?? 'UnknownError';
  const message = failureMessage(state.error?.Cause);
  const step = failedStep(state);
  const ids = (() => {
    try {
      return { jobId: assertJobId(state.job_id), conversationId: assertConversationId(state.conversation_id) };
    } catch {
      return undefined;
    }
  })();
  const found = ids ? await repository.getJob(ids.jobId) : undefined;
  const ours = (record: { execution_name?: unknown }) => event.execution_name === undefined || record.execution_name === event.execution_name;
  const job = found && found.conversation_id === ids!.conversationId && ours(found) ? found : undefined;

  if (job && ids && job.status === 'FAILED' && redriveCount > Number(job.failure_redrive_count ?? redriveCount)) {
    await repository.updateJob(ids.jobId, ids.conversationId, {
      status: 'RUNNING',
      error: null,
      updated_at: now.toISOString(),
      redriven_at: now.toISOString(),
      redrive_count: redriveCount,
    });
    return { step };
  }

  if (job && ids) {
    const steps = job.steps ?? {};
    await repository.updateJob(ids.jobId, ids.conversationId, {
      status: 'FAILED',
      failed_at: now.toISOString(),
      updated_at: now.toISOString(),
      error: { type: error, cause: message, step },
      failure_redrive_count: redriveCount,
    });
    if (steps[step]) {
      await repository.recordStep(ids.jobId, ids.conversationId, step, {
        ...steps[step],
        status: 'FAILED',
        finished_at: now.toISOString(),
        error: { type: error, cause: message },
      });
    }
  }
  throw stepFailure(error, `${step} failed: ${message}`);
}
