/**
 * The job_id rule, shared by the API (which starts executions) and mirrored by the state machine's
 * first state (AssignJobId): a caller-given job_id is used as is; otherwise the job_id is
 * `pipeline_run_<execution name>`. Execution names are unique for 90 days and identical on every
 * retry and redrive, so the job_id is too.
 */
import { InvalidInputError } from './errors';

export const JOB_ID_PREFIX = 'pipeline_run_';

/** Step Functions execution names: 1–80 characters, letters, digits, '-' and '_'. */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** job_ids: what an execution name allows plus '.' and ':', up to 128 characters. */
const JOB_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const CONVERSATION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export function jobIdForExecution(executionName: string): string {
  if (!EXECUTION_NAME.test(executionName)) {
    throw new InvalidInputError(
      `Execution name "${executionName}" is not valid: use 1–80 letters, digits, '-' or '_'.`,
    );
  }
  return `${JOB_ID_PREFIX}${executionName}`;
}

/** The job_id an execution will carry: the given one (validated) or the one made from its name. */
export function resolveJobId(givenJobId: unknown, executionName: string): string {
  if (givenJobId === undefined || givenJobId === null) return jobIdForExecution(executionName);
  return assertJobId(givenJobId);
}

export function assertJobId(value: unknown): string {
  if (typeof value !== 'string' || !JOB_ID.test(value)) {
    throw new InvalidInputError(
      `job_id ${JSON.stringify(value)} is malformed: use 1–128 letters, digits, '_', '-', '.' or ':'.`,
    );
  }
  return value;
}

export function assertConversationId(value: unknown): string {
  if (typeof value !== 'string' || !CONVERSATION_ID.test(value)) {
    throw new InvalidInputError(
      `conversation_id ${JSON.stringify(value)} is missing or malformed: use 1–128 letters, digits, '_', '-', '.' or ':'.`,
    );
  }
  return value;
}

export function isValidExecutionName(name: string): boolean {
  return EXECUTION_NAME.test(name);
}
