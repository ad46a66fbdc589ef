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

export function stepHandler(step: StepName | FanoutStepName, run: StepFunction, options: StepHandlerOptions = {}) {
  const handler = async (event: unknown, _context?: Context): Promise<StepOutput> => {
    const input = parseStepInput(event);
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
    const result = await run(input, deps);
    const duration_ms = Date.now() - started;
    await deps.repository.recordStep(input.job_id, input.conversation_id, record, {
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
    return {
      step,
      rows_written: result.rows_written,
      rows_deleted: result.rows_deleted,
      duration_ms,
      ...result.details,
    };
  };
  return middy(handler).onError(async (request) => {
    const event = (request.event ?? {}) as { job_id?: unknown; conversation_id?: unknown };
    logger.error('step failed', { job_id: event.job_id, conversation_id: event.conversation_id, step, error: request.error as Error });
  });
}
