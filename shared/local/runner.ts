/**
 * Runs the real ASL file (statemachines/pipeline.asl.yml) locally with aws-local-stepfunctions,
 * binding each Task state to its Lambda handler in this process.
 */
import './polyfills';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { parse } from 'yaml';
import { handler as cluster } from '../../functions/cluster';
import { handler as computeFeatures } from '../../functions/computeFeatures';
import { handler as embed } from '../../functions/embed';
import { handler as embedBatch } from '../../functions/embedBatch';
import { handler as finishEmbedding } from '../../functions/finishEmbedding';
import { handler as nameLayer } from '../../functions/nameLayer';
import { handler as extractKeywords } from '../../functions/extractKeywords';
import { handler as markCompleted } from '../../functions/markCompleted';
import { handler as markFailed } from '../../functions/markFailed';
import { handler as markRunning } from '../../functions/markRunning';
import { handler as nameTopics } from '../../functions/nameTopics';
import { handler as projectUmap } from '../../functions/projectUmap';
import { PIPELINE_TASKS, type PipelineFunction } from '../contract/pipeline';
import { jobIdForExecution } from '../jobId';

export const DEFINITION_PATH = path.resolve(__dirname, '../../statemachines/pipeline.asl.yml');

type LambdaHandler = (event: never, context: never) => Promise<unknown>;
export type TaskHandler = (input: unknown) => Promise<unknown>;

/** The execution events aws-local-stepfunctions reports (its EventLog type is not exported). */
export interface EventLog {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
  retry?: { attempt: number };
  /** Set on the events of a Map iteration. */
  index?: number;
}

/** Each pipeline function's handler (functions/<function>.ts); tsc requires one per descriptor entry. */
const HANDLERS = {
  markRunning, embed, embedBatch, finishEmbedding, projectUmap, cluster, extractKeywords, computeFeatures, nameTopics, nameLayer, markCompleted, markFailed,
} satisfies Record<PipelineFunction, LambdaHandler>;

/** Task state name → the handler deployed for it, from the pipeline descriptor (shared/contract/pipeline.ts). */
export const TASK_HANDLERS: Record<string, LambdaHandler> = Object.fromEntries(PIPELINE_TASKS.map((task) => [task.state, HANDLERS[task.function]]));

export function loadDefinition(file = DEFINITION_PATH): Record<string, unknown> {
  return parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

type StateDefinition = { Type: string; ItemProcessor?: { States: Record<string, StateDefinition> }; Iterator?: { States: Record<string, StateDefinition> } };

/** Names of the Task states, including those inside Map states. */
function taskStateNames(states: Record<string, StateDefinition>): string[] {
  return Object.entries(states).flatMap(([name, state]) => {
    if (state.Type === 'Task') return [name];
    const inner = state.ItemProcessor ?? state.Iterator;
    return inner ? taskStateNames(inner.States) : [];
  });
}

function lambdaContext(stateName: string) {
  return {
    functionName: `delphi-local-${stateName}`,
    awsRequestId: randomUUID(),
    callbackWaitsForEmptyEventLoop: false,
  };
}

/** What a lease holder (shared/local/lease.ts) learns of the execution it holds. */
export interface LeasedExecution {
  jobId: string;
  conversationId?: string;
  executionName: string;
  executionArn: string;
  redriveCount: number;
  /** Where a redrive starts, and that state's input. */
  state?: string;
  stateInput?: Record<string, unknown>;
}

/** Keeps a local execution's lease (`delphi run`, `delphi serve`); tests run without one. */
export interface ExecutionLease {
  begin(execution: LeasedExecution): void;
  onEvent(event: EventLog, redrivable: (state: string) => boolean): void;
  finish(outcome: ExecutionOutcome): Promise<void>;
}

export interface RunOptions {
  executionName?: string;
  lease?: ExecutionLease;
  /** Replace the handler of some Task states (fault-injection tests). */
  handlers?: Partial<Record<string, TaskHandler>>;
  /** Milliseconds to wait between retries instead of the ASL's seconds (tests). */
  retryIntervalMs?: number;
  onEvent?: (event: EventLog) => void;
}

export interface ExecutionOutcome {
  executionName: string;
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED';
  output?: Record<string, unknown>;
  error?: string;
  cause?: string;
  events: EventLog[];
  /** $$.Execution.RedriveCount of this attempt. */
  redriveCount: number;
}

export class LocalPipeline {
  private readonly machine: StateMachine;
  private readonly taskNames: string[];
  /** Top-level Task and Map states: what a redrive can restart. */
  private readonly redrivable: string[];
  private readonly definition: Record<string, unknown>;
  private readonly redriveMachines = new Map<string, StateMachine>();

  constructor(definition = loadDefinition()) {
    // Validation of a definition costs ~200 ms: build one LocalPipeline and run it many times.
    this.definition = definition;
    this.machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    const states = (definition.States ?? {}) as Record<string, StateDefinition>;
    this.taskNames = taskStateNames(states);
    this.redrivable = Object.entries(states)
      .filter(([, state]) => state.Type === 'Task' || state.Type === 'Map')
      .map(([name]) => name);
    const unbound = this.taskNames.filter((name) => !TASK_HANDLERS[name]);
    if (unbound.length) throw new Error(`No local handler for Task state(s) ${unbound.join(', ')}`);
  }

  async run(input: Record<string, unknown>, options: RunOptions = {}): Promise<ExecutionOutcome> {
    return this.execute(this.machine, input, options);
  }

  /**
   * What a Step Functions redrive does: restart the execution in the state it failed in, with the
   * input that state had and the outputs of the states before it, and $$.Execution.RedriveCount one
   * higher. The pipeline fails in MarkFailed, which on a redrive resumes the failed step.
   */
  async redrive(failed: ExecutionOutcome, options: Omit<RunOptions, 'executionName'> = {}): Promise<ExecutionOutcome> {
    const failedIn = [...failed.events]
      .reverse()
      .find((event) => event.type === 'StateFailed' && event.index === undefined && this.redrivable.includes(event.state?.name ?? ''));
    const stateName = failedIn?.state?.name;
    if (failed.status !== 'FAILED' || !stateName) {
      throw new Error(`Execution ${failed.executionName} did not fail in a Task or Map state: nothing to redrive`);
    }
    const outcome = await this.redriveFrom(stateName, failedIn!.state!.input as Record<string, unknown>, {
      ...options,
      executionName: failed.executionName,
      redriveCount: failed.redriveCount + 1,
    });
    return { ...outcome, events: [...failed.events, ...outcome.events] };
  }

  /**
   * The redrive of an execution known only by its record (`delphi resume`: the process that ran it
   * was killed, so its events are gone): `stateName` with `stateInput`, as the record kept them.
   */
  async redriveFrom(
    stateName: string,
    stateInput: Record<string, unknown>,
    options: Omit<RunOptions, 'executionName'> & { executionName: string; redriveCount: number },
  ): Promise<ExecutionOutcome> {
    if (!this.redrivable.includes(stateName)) throw new Error(`${stateName} is not a Task or Map state of the pipeline: nothing to redrive`);
    let machine = this.redriveMachines.get(stateName);
    if (!machine) {
      // The full definition was validated by the constructor; started mid-way, the states before the
      // failed one are unreachable, which the validator would reject.
      machine = new StateMachine({ ...this.definition, StartAt: stateName } as never, { validationOptions: { noValidate: true } });
      this.redriveMachines.set(stateName, machine);
    }
    return this.execute(machine, stateInput, { ...options, startState: stateName });
  }

  private async execute(
    machine: StateMachine,
    input: Record<string, unknown>,
    options: RunOptions & { redriveCount?: number; startState?: string },
  ): Promise<ExecutionOutcome> {
    const redriveCount = options.redriveCount ?? 0;
    const executionName = options.executionName ?? randomUUID();
    jobIdForExecution(executionName); // rejects names Step Functions would reject
    const executionArn = `arn:aws:states:local:000000000000:execution:DelphiPipeline:${executionName}`;
    const localHandlers: Record<string, TaskHandler> = {};
    for (const name of this.taskNames) {
      const override = options.handlers?.[name];
      const lambda = TASK_HANDLERS[name];
      localHandlers[name] = override ?? ((event) => lambda(event as never, lambdaContext(name) as never));
    }
    const retryIntervalOverrides =
      options.retryIntervalMs === undefined
        ? undefined
        : Object.fromEntries(this.taskNames.map((name) => [name, options.retryIntervalMs!]));
    const execution = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: localHandlers as never, retryIntervalOverrides },
      context: {
        Execution: { Id: executionArn, Name: executionName, Input: input, StartTime: new Date().toISOString(), RedriveCount: redriveCount },
        StateMachine: { Id: 'arn:aws:states:local:000000000000:stateMachine:DelphiPipeline', Name: 'DelphiPipeline' },
      },
    } as never);
    const { lease } = options;
    lease?.begin({
      jobId: typeof input.job_id === 'string' ? input.job_id : jobIdForExecution(executionName),
      conversationId: options.startState && typeof input.conversation_id === 'string' ? input.conversation_id : undefined,
      executionName,
      executionArn,
      redriveCount,
      state: options.startState,
      stateInput: options.startState ? input : undefined,
    });
    const redrivable = (state: string) => this.redrivable.includes(state);
    const events: EventLog[] = [];
    const logging = (async () => {
      for await (const event of execution.eventLogs as AsyncGenerator<EventLog>) {
        events.push(event);
        lease?.onEvent(event, redrivable);
        options.onEvent?.(event);
      }
    })();
    let outcome: ExecutionOutcome;
    try {
      const output = (await execution.result) as Record<string, unknown>;
      await logging;
      outcome = { executionName, executionArn, status: 'SUCCEEDED', output, events, redriveCount };
    } catch (error) {
      await logging.catch(() => undefined);
      // ExecutionError wraps the error of the Fail state (or of the state that failed uncaught).
      const failure = ((error as { cause?: unknown }).cause ?? error) as { name?: string; message?: string };
      outcome = { executionName, executionArn, status: 'FAILED', error: failure.name, cause: failure.message, events, redriveCount };
    }
    await lease?.finish(outcome);
    return outcome;
  }
}
