/**
 * The doorway every pipeline step shares: validate the execution state, record the step on the job
 * record (RUNNING → COMPLETED with its duration), run the step, return a small summary.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { dependencies, type Dependencies } from './dependencies';
import { logger } from './logger';
import { parseStepInput, type FanoutStepName, type StepInput, type StepName, type StepOutput } from './pipeline';

export interface StepResult {
  rows_written: number;
  rows_deleted: number;
  /** Small facts for the execution state and the job record (counts, parameters), never bulk data. */
  details?: Record<string, unknown>;
  /** Usable-but-odd input that was repaired. */
  warnings?: string[];
  /** Parameters adjusted to the data (for example n_neighbors clamped for a small conversation). */
  adjustments?: string[];
}

export type StepFunction = (input: StepInput, deps: Dependencies) => Promise<StepResult>;

export interface StepHandlerOptions {
  /** Key under the job record's `steps` (default: the step name); Map items need one each. */
  recordAs?: (input: StepInput) => string;
}

/** What the bookkeeping middleware hands the step: the parsed input as the event, the clients on the context. */
export interface StepContext extends Context {
  dependencies: Dependencies;
}

interface Bookkeeping {
  input: StepInput;
  record: string;
  started: number;
  log: typeof logger;
}

/**
 * The step bookkeeping as a middy middleware, one concern: `before` validates the execution state
 * (the handler then gets the typed StepInput as its event) and records the step RUNNING on the job
 * record; `after` records it COMPLETED with its duration and counts, and turns the step's result
 * into the small summary the state machine stores at `$.steps.<Step>`; `onError` logs the failure
 * (MarkFailed records it: the error goes on to Step Functions unchanged).
 */
export function stepBookkeeping(
  step: StepName | FanoutStepName,
  options: StepHandlerOptions = {},
): middy.MiddlewareObj<unknown, unknown, Error, StepContext> {
  const state = new WeakMap<object, Bookkeeping>();
  return {
    before: async (request) => {
      const input = parseStepInput(request.event);
      const record = options.recordAs?.(input) ?? step;
      // A child per invocation: jobs running side by side in one process (the local runner) keep their own job_id.
      const log = logger.createChild({ persistentKeys: { job_id: input.job_id, conversation_id: input.conversation_id, step } });
      const deps = dependencies();
      const started = Date.now();
      await deps.repository.updateJob(input.job_id, input.conversation_id, {
        status: 'RUNNING',
        current_step: record,
        error: null,
        updated_at: new Date(started).toISOString(),
      });
      await deps.repository.recordStep(input.job_id, input.conversation_id, record, {
        status: 'RUNNING',
        started_at: new Date(started).toISOString(),
      });
      log.info('step started');
      state.set(request, { input, record, started, log });
      request.event = input;
      // The local runner and the tests may invoke without a Lambda context.
      request.context = Object.assign(request.context ?? ({} as Context), { dependencies: deps });
    },
    after: async (request) => {
      const { input, record, started, log } = state.get(request)!;
      const result = request.response as StepResult;
      const duration_ms = Date.now() - started;
      await request.context.dependencies.repository.recordStep(input.job_id, input.conversation_id, record, {
        status: 'COMPLETED',
        started_at: new Date(started).toISOString(),
        finished_at: new Date().toISOString(),
        duration_ms,
        rows_written: result.rows_written,
        rows_deleted: result.rows_deleted,
        warnings: result.warnings ?? [],
        adjustments: result.adjustments ?? [],
        ...result.details,
      });
      log.info('step completed', { duration_ms, rows_written: result.rows_written, rows_deleted: result.rows_deleted });
      const output: StepOutput = { step, rows_written: result.rows_written, rows_deleted: result.rows_deleted, duration_ms, ...result.details };
      request.response = output;
    },
    onError: async (request) => {
      const event = (request.event ?? {}) as { job_id?: unknown; conversation_id?: unknown };
      logger.error('step failed', { job_id: event.job_id, conversation_id: event.conversation_id, step, error: request.error as Error });
    },
  };
}

/** A pipeline step's Lambda handler: the step itself, wrapped by middy with the bookkeeping. */
export function stepHandler(step: StepName | FanoutStepName, run: StepFunction, options: StepHandlerOptions = {}) {
  const handler = async (input: unknown, context: StepContext): Promise<unknown> => run(input as StepInput, context.dependencies);
  return middy<unknown, unknown, Error, StepContext>(handler).use(stepBookkeeping(step, options)) as unknown as (
    event: unknown,
    context?: Context,
  ) => Promise<StepOutput>;
}
