/**
 * The execution starter of `delphi serve`: runs the real state machine in this process with the local
 * runner, with Step Functions' rules for names — a name is used once, a second start is refused with
 * ExecutionAlreadyExistsError. Executions of earlier processes are found through their job records
 * (job_id = pipeline_run_<name>), so an Idempotency-Key still holds after `delphi serve` restarts.
 */
import { jobIdForExecution } from '../jobId';
import { withInterruption } from '../jobLease';
import type { ExecutionLease, ExecutionOutcome, LocalPipeline } from './runner';
import type { Repository } from '../repository';
import {
  ExecutionAlreadyExistsError,
  executionArnFor,
  type ExecutionDescription,
  type ExecutionInput,
  type ExecutionStarter,
  type StartedExecution,
} from '../api/executions';

/** The ARN the local runner gives its state machine (its executions are `…:execution:DelphiPipeline:<name>`). */
export const LOCAL_STATE_MACHINE_ARN = 'arn:aws:states:local:000000000000:stateMachine:DelphiPipeline';

interface LocalExecution {
  description: ExecutionDescription;
  done: Promise<ExecutionOutcome | undefined>;
}

export class LocalExecutions implements ExecutionStarter {
  private readonly executions = new Map<string, LocalExecution>();

  constructor(
    private readonly options: {
      pipeline: LocalPipeline;
      repository: Repository;
      onFinished?: (outcome: ExecutionOutcome) => void;
      /** A lease holder per execution (shared/local/lease.ts), so a killed server's jobs show as interrupted. */
      lease?: () => ExecutionLease;
    },
  ) {}

  async start(name: string, input: ExecutionInput): Promise<StartedExecution> {
    jobIdForExecution(name); // the names Step Functions accepts
    // Claim the name before the first await, so two concurrent starts cannot both run.
    if (this.executions.has(name)) throw new ExecutionAlreadyExistsError(name);
    const description: ExecutionDescription = {
      name,
      executionArn: executionArnFor(LOCAL_STATE_MACHINE_ARN, name),
      status: 'RUNNING',
      startDate: new Date(),
      input: { ...input },
    };
    let release!: () => void;
    const claimed = new Promise<void>((resolve) => (release = resolve));
    const done = claimed.then(() => this.run(description, input));
    this.executions.set(name, { description, done });
    const recorded = await this.recordedExecution(name).catch((error: unknown) => {
      this.executions.delete(name);
      throw error;
    });
    if (recorded) {
      this.executions.delete(name);
      throw new ExecutionAlreadyExistsError(name);
    }
    release();
    return { executionArn: description.executionArn, startDate: description.startDate };
  }

  private async run(description: ExecutionDescription, input: ExecutionInput): Promise<ExecutionOutcome | undefined> {
    try {
      const outcome = await this.options.pipeline.run({ ...input }, { executionName: description.name, lease: this.options.lease?.() });
      description.status = outcome.status;
      description.error = outcome.error;
      description.cause = outcome.cause;
      this.options.onFinished?.(outcome);
      return outcome;
    } catch (error) {
      description.status = 'FAILED';
      description.error = (error as Error).name;
      description.cause = (error as Error).message;
      return undefined;
    } finally {
      description.stopDate = new Date();
    }
  }

  async describe(name: string): Promise<ExecutionDescription | undefined> {
    const running = this.executions.get(name);
    if (running) return { ...running.description };
    const recorded = await this.recordedExecution(name);
    if (!recorded) return undefined;
    // An execution of a process that was killed is FAILED, not RUNNING for ever.
    const job = withInterruption(recorded);
    const status = job.status === 'COMPLETED' ? 'SUCCEEDED' : job.status === 'FAILED' ? 'FAILED' : 'RUNNING';
    const error = job.error;
    return {
      name,
      executionArn: String(job.execution_arn ?? executionArnFor(LOCAL_STATE_MACHINE_ARN, name)),
      status,
      startDate: new Date(String(job.created_at)),
      input: { conversation_id: job.conversation_id, source: job.source, request_hash: job.request_hash },
      error: status === 'FAILED' ? error?.type : undefined,
      cause: status === 'FAILED' ? error?.cause : undefined,
    };
  }

  /** The job record an earlier process's execution of this name wrote, if any. */
  private async recordedExecution(name: string) {
    const job = await this.options.repository.getJob(jobIdForExecution(name));
    return job && job.execution_name === name ? job : undefined;
  }

  /** Waits for an execution started by this process (tests, and a clean shutdown). */
  async wait(name: string): Promise<ExecutionOutcome | undefined> {
    return this.executions.get(name)?.done;
  }

  /** Waits for every execution this process started. */
  async settle(): Promise<void> {
    await Promise.all([...this.executions.values()].map((execution) => execution.done));
  }

  get running(): number {
    return [...this.executions.values()].filter((execution) => execution.description.status === 'RUNNING').length;
  }
}
