/**
 * The pipeline descriptor (shared/contract/pipeline.ts) is what the ASL, serverless.yml, the local
 * runner and the functions/ folder implement: each is held against it here.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXECUTION_ORDER, FANOUT_PLANS, FANOUT_STATES, PIPELINE_TASKS, RESUMABLE_STATES, STEP_NAMES } from '../../shared/contract/pipeline';
import { PIPELINE_FUNCTION_ACCESS } from '../../shared/deploy/access';
import { loadDefinition, TASK_HANDLERS } from '../../shared/local/runner';

const ROOT = path.resolve(__dirname, '../..');

interface State {
  Type: string;
  Resource?: { 'Fn::GetAtt': [string, string] };
  ResultPath?: string;
  ItemsPath?: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  Choices?: Array<{ Variable: string; IsPresent?: boolean; StringEquals?: string; Next: string }>;
  ItemProcessor?: { StartAt: string; States: Record<string, State> };
}

const definition = loadDefinition() as { StartAt: string; States: Record<string, State> };
const states = definition.States;
/** Every Task state with the Map it runs in (undefined at the top level). */
const taskStates = Object.entries(states).flatMap(([name, state]): Array<{ name: string; state: State; map?: string }> =>
  state.Type === 'Task' ? [{ name, state }] : Object.entries(state.ItemProcessor?.States ?? {}).filter(([, inner]) => inner.Type === 'Task').map(([inner, st]) => ({ name: inner, state: st, map: name })),
);

describe('the ASL implements the descriptor', () => {
  it('has exactly the descriptor\'s Task states, each invoking its function, Map items in their Map', () => {
    expect(taskStates.map((task) => task.name).sort()).toEqual(PIPELINE_TASKS.map((task) => task.state).sort());
    for (const task of PIPELINE_TASKS) {
      const found = taskStates.find((candidate) => candidate.name === task.state)!;
      expect(found.state.Resource?.['Fn::GetAtt'][0], task.state).toBe(task.function);
      expect(found.map, task.state).toBe('map' in task ? task.map : undefined);
    }
  });

  it('runs the top-level states in the descriptor\'s order, through the fan-out Choices', () => {
    // Follow Next from StartAt, taking a Choice's branch that tests a planned fan-out.
    const visited: string[] = [];
    for (let name: string | undefined = definition.StartAt; name && !visited.includes(name); ) {
      visited.push(name);
      const state: State = states[name];
      name = state.Type === 'Choice' ? (state.Choices?.find((choice) => choice.IsPresent)?.Next ?? state.Default) : state.Next;
    }
    const tasksAndMaps = visited.filter((name) => states[name].Type === 'Task' || states[name].Type === 'Map');
    expect(tasksAndMaps).toEqual(RESUMABLE_STATES);
  });

  it('stores each step\'s and fan-out state\'s summary at $.steps.<State>, and every state but MarkFailed is caught by MarkFailed', () => {
    for (const state of EXECUTION_ORDER) expect(states[state].ResultPath, state).toBe(`$.steps.${state}`);
    for (const state of RESUMABLE_STATES) {
      expect(states[state].Catch?.map((c) => [c.ErrorEquals, c.Next]), state).toEqual([[['States.ALL'], 'MarkFailed']]);
    }
  });

  it('runs a fan-out state only when its step planned items, and maps over exactly those items', () => {
    for (const [state, plan] of Object.entries(FANOUT_PLANS)) {
      const planned = `$.steps.${plan.step}.${plan.items}`;
      if (states[state].Type === 'Map') expect(states[state].ItemsPath, state).toBe(planned);
      // The Choice right after the planning step sends a planned job into the fan-out.
      const choice = states[states[plan.step].Next!];
      expect(choice.Type, state).toBe('Choice');
      expect(choice.Choices?.find((c) => c.Variable === planned && c.IsPresent === true), state).toBeDefined();
    }
  });

  it('resumes a redriven execution in any resumable state: one branch of ResumeFailedStep per state, in order', () => {
    expect(states.MarkFailed.Next).toBe('ResumeFailedStep');
    const branches = states.ResumeFailedStep.Choices!;
    expect(branches.map((branch) => branch.Variable)).toEqual(RESUMABLE_STATES.map(() => '$.resume.step'));
    expect(branches.map((branch) => [branch.StringEquals, branch.Next])).toEqual(RESUMABLE_STATES.map((state) => [state, state]));
  });
});

describe('the rest of the code implements the descriptor', () => {
  it('deploys one function per task: serverless.yml, functions/<function>.ts, its access, its local handler', () => {
    const functions = (parse(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')) as { functions: Record<string, { handler: string }> }).functions;
    for (const task of PIPELINE_TASKS) {
      expect(functions[task.function]?.handler, task.function).toBe(`functions/${task.function}.handler`);
      expect(existsSync(path.join(ROOT, 'functions', `${task.function}.ts`)), task.function).toBe(true);
      expect(PIPELINE_FUNCTION_ACCESS[task.function], task.function).toBeDefined();
      expect(TASK_HANDLERS[task.state], task.state).toBeTypeOf('function');
    }
    expect(Object.keys(TASK_HANDLERS).sort()).toEqual(PIPELINE_TASKS.map((task) => task.state).sort());
  });

  it('names each step handler after its state, so its summary and bookkeeping carry the state\'s name', () => {
    for (const task of PIPELINE_TASKS.filter((t) => t.role !== 'lifecycle')) {
      const source = readFileSync(path.join(ROOT, 'functions', `${task.function}.ts`), 'utf8');
      expect(source, task.function).toContain(`stepHandler('${task.state}'`);
    }
  });

  it('derives the step lists the old code spelled out', () => {
    expect(STEP_NAMES).toEqual(['Embed', 'ProjectUmap', 'Cluster', 'ExtractKeywords', 'ComputeFeatures', 'NameTopics']);
    expect(FANOUT_STATES).toEqual({ EmbedBatches: 'Embed', FinishEmbedding: 'Embed', NameLayers: 'NameTopics' });
    expect(EXECUTION_ORDER).toEqual(['Embed', 'EmbedBatches', 'FinishEmbedding', 'ProjectUmap', 'Cluster', 'ExtractKeywords', 'ComputeFeatures', 'NameTopics', 'NameLayers']);
  });
});
