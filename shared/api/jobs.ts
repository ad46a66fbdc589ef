/**
 * What the API does, independent of routing: start a job (idempotently), report a job's status, read
 * its topics, list a conversation's jobs. The handlers in functions/api/ and `delphi serve` call these
 * with the dependencies of their environment (shared/api/dependencies.ts).
 */
import { randomBytes } from 'node:crypto';
import { isValidExecutionName, JOB_ID_PREFIX, jobIdForExecution } from '../jobId';
import type { Repository } from '../repository';
import { describeJob, latestCompletedJob, readJobTopics, type JobStatus, type JobTopics } from '../results';
import { ExecutionAlreadyExistsError, type ExecutionInput, type ExecutionStarter, type ExecutionStatus } from './executions';
import { HttpError, badRequest } from './http';
import { IDEMPOTENCY_HEADER, requestHash, type StartJobRequest } from './requests';
import { redactSource } from '../sources';
import { checkSource, type SourcePolicy } from './sources';

export interface ApiDependencies {
  repository: Repository;
  executions: ExecutionStarter;
  sources: SourcePolicy;
}

export interface StartedJob {
  job_id: string;
  conversation_id: string;
  execution_name: string;
  execution_arn: string;
  started_at: string;
  /** True when an Idempotency-Key matched an earlier, identical request: nothing new was started. */
  replayed: boolean;
  /** On a replay of a job that failed: that execution's status and why (an interrupted local run says so). */
  execution_status?: ExecutionStatus;
  error?: { type?: string; cause?: string };
}

/**
 * An execution name of our choosing when the client gives no Idempotency-Key: the conversation (as far
 * as execution names allow), the UTC time and 8 random hex digits — readable in the console, sortable,
 * unique. At most 40 + 1 + 16 + 1 + 8 = 66 of the 80 characters allowed.
 */
export function newExecutionName(conversationId: string, now = new Date(), random = randomBytes(4).toString('hex')): string {
  const slug = conversationId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
  const time = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${slug}-${time}-${random}`;
}

/**
 * Starts the pipeline for a conversation. The Idempotency-Key, when given, is the execution name, so
 * Step Functions itself guarantees one execution per key (a name is unique for 90 days). The
 * execution input carries `request_hash`, the fingerprint of the request; when the name is taken, the
 * existing execution's input says whether this is a retry of the same request (→ the same job) or a
 * different request reusing the key (→ 409).
 */
export async function startJob(deps: ApiDependencies, request: StartJobRequest): Promise<StartedJob> {
  const source = await checkSource(request.source, deps.sources);
  const input: ExecutionInput = {
    conversation_id: request.conversation_id,
    source,
    options: request.options,
    request_hash: requestHash({ ...request, source }),
  };
  const name = request.idempotencyKey ?? newExecutionName(request.conversation_id);
  const job_id = jobIdForExecution(name);
  const answer = (executionArn: string, startDate: Date, replayed: boolean): StartedJob => ({
    job_id,
    conversation_id: request.conversation_id,
    execution_name: name,
    execution_arn: executionArn,
    started_at: startDate.toISOString(),
    replayed,
  });
  try {
    const started = await deps.executions.start(name, input);
    return answer(started.executionArn, started.startDate, false);
  } catch (error) {
    // Without a key the name was ours and random: a collision is astronomically unlikely, and retryable.
    if (!(error instanceof ExecutionAlreadyExistsError) || !request.idempotencyKey) throw error;
    const existing = await deps.executions.describe(name);
    if (existing && existing.input?.request_hash === input.request_hash) {
      // A replay of a job that failed (or was interrupted) says so: the key will not start it again.
      const failed = UNSUCCESSFUL.has(existing.status) ? { execution_status: existing.status, error: { type: existing.error, cause: existing.cause } } : {};
      return { ...answer(existing.executionArn, existing.startDate, true), ...failed };
    }
    throw new HttpError(
      409,
      'IdempotencyKeyReused',
      `${IDEMPOTENCY_HEADER} "${name}" was already used for a different request (its conversation, source or options differ). ` +
        'Repeat the original request to get its job, or use a new key to start a new job.',
      IDEMPOTENCY_HEADER,
      { job_id },
    );
  }
}

const UNSUCCESSFUL: ReadonlySet<ExecutionStatus> = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export type JobStatusView = JobStatus & { execution_status?: ExecutionStatus };

/**
 * A job's status. The job record is the source of truth, with two gaps Step Functions fills: right
 * after the POST the record does not exist yet (MarkRunning writes it a moment later), and an
 * execution that was aborted, timed out, or failed without MarkFailed leaves its record RUNNING.
 */
export async function jobStatus(deps: ApiDependencies, jobId: string, now = new Date()): Promise<JobStatusView> {
  const job = await deps.repository.getJob(jobId);
  if (!job) {
    const fromExecution = await statusFromExecution(deps, jobId);
    if (!fromExecution) throw new HttpError(404, 'JobNotFound', `No job with job_id "${jobId}" exists.`, 'job_id');
    return fromExecution;
  }
  const status: JobStatusView = await describeJob(deps.repository, job, now);
  if (status.status !== 'RUNNING' || !status.execution_name || !isValidExecutionName(status.execution_name)) return status;
  const execution = await deps.executions.describe(status.execution_name);
  if (!execution || (status.execution_arn && execution.executionArn !== status.execution_arn)) return status;
  status.execution_status = execution.status;
  if (UNSUCCESSFUL.has(execution.status)) {
    status.status = 'FAILED';
    status.error = {
      step: status.current_step,
      type: execution.error ?? `Execution${execution.status === 'TIMED_OUT' ? 'TimedOut' : execution.status === 'ABORTED' ? 'Aborted' : 'Failed'}`,
      cause: execution.cause ?? `The execution ended ${execution.status} before the job could record it (see the execution's history).`,
    };
  }
  return status;
}

async function statusFromExecution(deps: ApiDependencies, jobId: string): Promise<JobStatusView | undefined> {
  const name = jobId.startsWith(JOB_ID_PREFIX) ? jobId.slice(JOB_ID_PREFIX.length) : '';
  if (!isValidExecutionName(name)) return undefined;
  const execution = await deps.executions.describe(name);
  // An execution given its own job_id has another job; this job_id is not its.
  if (!execution || execution.input?.job_id !== undefined) return undefined;
  const failed = UNSUCCESSFUL.has(execution.status);
  const started = execution.startDate.toISOString();
  return {
    job_id: jobId,
    conversation_id: String(execution.input?.conversation_id ?? ''),
    status: failed ? 'FAILED' : execution.status === 'SUCCEEDED' ? 'COMPLETED' : 'RUNNING',
    current_step: failed ? undefined : 'MarkRunning',
    error: failed ? { step: 'MarkRunning', type: execution.error ?? execution.status, cause: execution.cause } : undefined,
    execution_status: execution.status,
    execution_name: name,
    execution_arn: execution.executionArn,
    source: typeof execution.input?.source === 'string' ? redactSource(execution.input.source) : undefined,
    created_at: started,
    started_at: started,
    steps: [],
    step_timings_ms: {},
    counts: {},
    warnings: [],
    adjustments: [],
  };
}

/** Topics of a COMPLETED job; 409 while it runs or after it failed, so partial results are never served as topics. */
export async function jobTopics(deps: ApiDependencies, jobId: string, layer?: number): Promise<JobTopics> {
  const topics = await readJobTopics(deps.repository, jobId, layer);
  if (topics.job.status !== 'COMPLETED') {
    throw new HttpError(409, 'JobNotCompleted', `Job ${jobId} is ${String(topics.job.status)}: its topics are served once it is COMPLETED.`, 'job_id', {
      status: topics.job.status,
    });
  }
  return checkLayer(topics, layer);
}

function checkLayer(topics: JobTopics, layer?: number): JobTopics {
  if (layer !== undefined && topics.layers.length === 0) {
    const count = topics.job.cluster_layers?.length ?? 0;
    throw badRequest('layer', `Job ${topics.job.job_id} has layers 0–${Math.max(count - 1, 0)}; there is no layer ${layer}.`);
  }
  return topics;
}

/** Topics of the newest COMPLETED job of a conversation. */
export async function conversationTopics(deps: ApiDependencies, conversationId: string, layer?: number): Promise<JobTopics> {
  const job = await latestCompletedJob(deps.repository, conversationId);
  if (!job) {
    throw new HttpError(404, 'NoCompletedJob', `Conversation ${conversationId} has no COMPLETED job yet.`, 'conversation_id');
  }
  return checkLayer(await readJobTopics(deps.repository, String(job.job_id), layer), layer);
}
