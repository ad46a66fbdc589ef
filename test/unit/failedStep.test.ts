/**
 * MarkFailed names the failed state from the summaries in `$.steps` (shared/steps/jobLifecycle.ts
 * failedStep). Walks statemachines/pipeline.asl.yml as an execution would — a small job, whose steps
 * plan nothing, and a large one, whose Embed plans batches and NameTopics plans layer items — and
 * fails each state that has a Catch in turn: the state it names must be the one that failed.
 */
import { describe, expect, it } from 'vitest';
import { FANOUT_PLANS } from '../../shared/contract/pipeline';
import { loadDefinition } from '../../shared/local/runner';
import { failedStep } from '../../shared/steps/jobLifecycle';

interface State {
  Type: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  ResultPath?: string;
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  Choices?: Array<{ Variable: string; IsPresent?: boolean; Next: string }>;
}
const { StartAt, States } = loadDefinition() as { StartAt: string; States: Record<string, State> };

/** What a state that succeeded leaves at `$.steps.<State>`; a planning step plans its items in a large job. */
function summaryOf(state: string, large: boolean): Record<string, unknown> {
  const plans = Object.values(FANOUT_PLANS).filter((plan) => plan.step === state);
  return { step: state, rows_written: 1, ...(large ? Object.fromEntries(plans.map((plan) => [plan.items, [{ index: 0 }]])) : {}) };
}

/** The top-level states an execution passes, each with the `$.steps` it had on entering. */
function walk(large: boolean): Array<{ state: string; catches: boolean; steps?: Record<string, unknown> }> {
  const visited: Array<{ state: string; catches: boolean; steps?: Record<string, unknown> }> = [];
  let steps: Record<string, unknown> | undefined;
  for (let name: string | undefined = StartAt; name && name !== 'MarkFailed'; ) {
    const state: State = States[name];
    if (state.Type === 'Choice') {
      const path = (variable: string) => variable.replace(/^\$\.steps\./, '').split('.');
      const taken = state.Choices!.find((choice) => {
        const [step, field] = path(choice.Variable);
        return choice.IsPresent === true && (steps?.[step] as Record<string, unknown> | undefined)?.[field] !== undefined;
      });
      name = taken?.Next ?? state.Default;
      continue;
    }
    if (state.Type === 'Task' || state.Type === 'Map') visited.push({ state: name, catches: Boolean(state.Catch?.some((c) => c.Next === 'MarkFailed')), steps: steps && { ...steps } });
    // MarkRunning's output (no ResultPath) becomes the state, with no summaries yet.
    if (name === 'MarkRunning') steps = {};
    const target = /^\$\.steps\.(\w+)$/.exec(state.ResultPath ?? '')?.[1];
    if (target) steps![target] = summaryOf(target, large);
    name = state.End ? undefined : state.Next;
  }
  return visited;
}

describe('the failed state MarkFailed records', () => {
  it.each([
    ['a small job', false, ['MarkRunning', 'Embed', 'ProjectUmap', 'Cluster', 'ExtractKeywords', 'ComputeFeatures', 'NameTopics', 'MarkCompleted']],
    ['a large job', true, ['MarkRunning', 'Embed', 'EmbedBatches', 'FinishEmbedding', 'ProjectUmap', 'Cluster', 'ExtractKeywords', 'ComputeFeatures', 'NameTopics', 'NameLayers', 'MarkCompleted']],
  ])('is the state that failed, for every state of %s', (_case, large, path) => {
    const visited = walk(large);
    expect(visited.map((entry) => entry.state)).toEqual(path);
    for (const { state, catches, steps } of visited) {
      expect(catches, `${state} has a Catch to MarkFailed`).toBe(true);
      expect(failedStep({ steps, error: { Error: 'TransientError' } }), `a failure in ${state}`).toBe(state);
    }
  });

  it('is MarkRunning when the state has no summaries at all (MarkRunning never ran)', () => {
    expect(failedStep({ job_id: 'x', error: { Error: 'InvalidInputError' } })).toBe('MarkRunning');
  });
});
