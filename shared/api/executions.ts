/**
 * Starting and describing executions of the pipeline: the one piece of the API that differs between
 * AWS (Step Functions, below) and `delphi serve` (the local runner, shared/local/localExecutions.ts).
 * Both behave like Step Functions: an execution name is used once, and a second start with the same
 * name is refused with ExecutionAlreadyExistsError, whatever its input.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { asStepError } from '../aws/errors';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** The input the API gives the state machine: references only, plus the fingerprint of the request. */
export interface ExecutionInput {
  conversation_id: string;
  source: string;
  options: Record<string, unknown>;
  /** sha256 of the request an Idempotency-Key was bound to (shared/api/requests.ts requestHash). */
  request_hash: string;
}

export interface StartedExecution {
  executionArn: string;
  startDate: Date;
}

export interface ExecutionDescription {
  name: string;
  executionArn: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  /** The execution's input, parsed; undefined when it is not JSON. */
  input?: Record<string, unknown>;
  error?: string;
  cause?: string;
}

export class ExecutionAlreadyExistsError extends Error {
  constructor(readonly executionName: string) {
    super(`An execution named ${executionName} already exists`);
    this.name = 'ExecutionAlreadyExistsError';
  }
}

export interface ExecutionStarter {
  /** Starts an execution under `name`; throws ExecutionAlreadyExistsError when the name is taken. */
  start(name: string, input: ExecutionInput): Promise<StartedExecution>;
  /** The execution called `name`, or undefined when there is none. */
  describe(name: string): Promise<ExecutionDescription | undefined>;
}

/** arn:…:stateMachine:<machine> → arn:…:execution:<machine>:<name> */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

function parseInput(input: string | undefined): Record<string, unknown> | undefined {
  if (!input) return undefined;
  try {
    const parsed = JSON.parse(input) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const asTransient = (error: unknown, what: string) => asStepError(error, `Step Functions ${what}`);

export class StepFunctionsExecutions implements ExecutionStarter {
  private readonly client: SFNClient;
  readonly stateMachineArn: string;

  constructor(options: { client: SFNClient; stateMachineArn: string }) {
    this.client = options.client;
    this.stateMachineArn = options.stateMachineArn;
  }

  async start(name: string, input: ExecutionInput): Promise<StartedExecution> {
    try {
      // Step Functions answers a repeated start of a RUNNING execution with the same name and the
      // same input with that execution; any other reuse of the name is ExecutionAlreadyExists.
      const out = await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }),
      );
      return { executionArn: out.executionArn!, startDate: out.startDate ?? new Date() };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists || (error as Error).name === 'ExecutionAlreadyExists') {
        throw new ExecutionAlreadyExistsError(name);
      }
      throw asTransient(error, 'StartExecution');
    }
  }

  async describe(name: string): Promise<ExecutionDescription | undefined> {
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn: executionArnFor(this.stateMachineArn, name) }));
      return {
        name: out.name ?? name,
        executionArn: out.executionArn!,
        status: out.status as ExecutionStatus,
        startDate: out.startDate ?? new Date(0),
        stopDate: out.stopDate,
        input: parseInput(out.input),
        error: out.error,
        cause: out.cause,
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist || (error as Error).name === 'ExecutionDoesNotExist') return undefined;
      throw asTransient(error, 'DescribeExecution');
    }
  }
}
