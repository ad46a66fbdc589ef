/**
 * The pipeline's shape, declared once: every Task state of statemachines/pipeline.asl.yml in execution
 * order, the Lambda behind it, the table it writes and, for the states a large job adds, the step that
 * plans them. From it come the step order (STEP_NAMES, FANOUT_STATES, RESUMABLE_STATES: shared/pipeline.ts,
 * the read model shared/results.ts, MarkCompleted's timings and MarkFailed's failed state), the local
 * runner's task → handler map (shared/local/runner.ts) and the pipeline's functions in
 * shared/deploy/access.ts (typed against it). test/unit/pipelineDescriptor.test.ts holds the ASL —
 * every Task state, every Map, every branch of the resume Choice — and serverless.yml against it.
 *
 * How a failure and a redrive travel (the code is in shared/steps/jobLifecycle.ts markFailed):
 *   1. A Task fails for good (its Retry exhausted or none matched): its Catch sends the execution state,
 *      with the error at `$.error`, to MarkFailed.
 *   2. MarkFailed records the failure on the job record (status FAILED, error, the failed state) and
 *      then throws the failed step's own error, so the execution fails IN MarkFailed, under that name.
 *   3. A Step Functions redrive restarts an execution in the state it failed in — MarkFailed — with the
 *      same input and a higher $$.Execution.RedriveCount. MarkFailed sees the count above the one it
 *      recorded, marks the job RUNNING again and returns `{ step: <failed state> }`.
 *   4. The ResumeFailedStep Choice branches on `$.resume.step` back to that state (one branch per
 *      RESUMABLE_STATES entry), which re-runs with the input it had: the steps replace their rows, so
 *      nothing is duplicated.
 */
import type { TableId } from '../schema';

export interface TaskDescriptor {
  /** The Task state's name in the ASL. */
  readonly state: string;
  /** The Lambda: functions/<function>.ts, serverless.yml `functions.<function>`, shared/deploy/access.ts. */
  readonly function: string;
  /** lifecycle: the job record's life; step: a step every job runs; fanout: a state only a large job runs. */
  readonly role: 'lifecycle' | 'step' | 'fanout';
  /** The table whose rows it writes. */
  readonly table?: TableId;
  /**
   * Fan-out only: the step whose summary plans it (`$.steps.<plannedBy>.<items>`, which the ASL's
   * Choice tests), and the Map state the task runs in (absent for a top-level task after the Map).
   */
  readonly plannedBy?: string;
  readonly items?: string;
  readonly map?: string;
}

export const PIPELINE_TASKS = [
  { state: 'MarkRunning', function: 'markRunning', role: 'lifecycle', table: 'config' },
  { state: 'Embed', function: 'embed', role: 'step', table: 'embeddings' },
  { state: 'EmbedBatch', function: 'embedBatch', role: 'fanout', table: 'embeddings', plannedBy: 'Embed', items: 'batches', map: 'EmbedBatches' },
  { state: 'FinishEmbedding', function: 'finishEmbedding', role: 'fanout', table: 'embeddings', plannedBy: 'Embed', items: 'batches' },
  { state: 'ProjectUmap', function: 'projectUmap', role: 'step', table: 'graph' },
  { state: 'Cluster', function: 'cluster', role: 'step', table: 'assignments' },
  { state: 'ExtractKeywords', function: 'extractKeywords', role: 'step', table: 'keywords' },
  { state: 'ComputeFeatures', function: 'computeFeatures', role: 'step', table: 'features' },
  { state: 'NameTopics', function: 'nameTopics', role: 'step', table: 'topicNames' },
  { state: 'NameLayer', function: 'nameLayer', role: 'fanout', table: 'topicNames', plannedBy: 'NameTopics', items: 'layer_items', map: 'NameLayers' },
  { state: 'MarkCompleted', function: 'markCompleted', role: 'lifecycle', table: 'config' },
  { state: 'MarkFailed', function: 'markFailed', role: 'lifecycle', table: 'config' },
] as const satisfies readonly TaskDescriptor[];

type Task = (typeof PIPELINE_TASKS)[number];
export type TaskState = Task['state'];
export type PipelineFunction = Task['function'];
/** The steps every job runs, in order: each stores its summary at `$.steps.<Step>`. */
export type StepName = Extract<Task, { role: 'step' }>['state'];
/** Tasks only a large job runs (EmbedBatch and NameLayer inside Map states, FinishEmbedding after one). */
export type FanoutStepName = Extract<Task, { role: 'fanout' }>['state'];

const steps = PIPELINE_TASKS.filter((task): task is Extract<Task, { role: 'step' }> => task.role === 'step');
export const STEP_NAMES: readonly StepName[] = steps.map((task) => task.state);

/** The top-level state a task runs as: its Map for a Map item, else itself. */
const topLevel = (task: TaskDescriptor) => task.map ?? task.state;

/**
 * Top-level states a large job adds, each → the step that plans it (runs only when that step's summary
 * holds its items): EmbedBatches and FinishEmbedding after Embed, NameLayers after NameTopics.
 */
export const FANOUT_STATES: Readonly<Record<string, StepName>> = Object.fromEntries(
  PIPELINE_TASKS.filter((task) => task.role === 'fanout').map((task) => [topLevel(task), task.plannedBy as StepName]),
);

/** Where a fan-out state's items are planned: the planning step and the field of its summary. */
export const FANOUT_PLANS: Readonly<Record<string, { step: StepName; items: string }>> = Object.fromEntries(
  PIPELINE_TASKS.filter((task) => task.role === 'fanout').map((task) => [topLevel(task), { step: task.plannedBy as StepName, items: task.items }]),
);

/**
 * The states a redrive can resume, in execution order (MarkFailed excluded): the branches of the
 * ASL's ResumeFailedStep Choice.
 */
export const RESUMABLE_STATES: readonly string[] = [
  ...new Set(PIPELINE_TASKS.filter((task) => task.state !== 'MarkFailed').map((task) => topLevel(task))),
];

/** The steps and fan-out states in execution order: the order of a job's `steps` and its timings. */
export const EXECUTION_ORDER: readonly string[] = RESUMABLE_STATES.filter((state) => state in FANOUT_STATES || (STEP_NAMES as readonly string[]).includes(state));
