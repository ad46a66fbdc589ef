import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDatabase, type LocalDatabase } from '../../shared/local/db';
import { loadDefinition } from '../../shared/local/runner';
import { cloudFormationTables } from '../../shared/schema';
import { BIODIVERSITY } from './support/harness';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const SLS = path.join(ROOT, 'node_modules/.bin/sls');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateAsl = require('asl-validator') as (definition: unknown) => { isValid: boolean; errors: unknown[] };

describe('the ASL definition', () => {
  it('validates with asl-validator', () => {
    const result = validateAsl(loadDefinition());
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('is rejected by the same validator when a transition points nowhere (the check can fail)', () => {
    const broken = loadDefinition() as { States: Record<string, Record<string, unknown>> };
    broken.States.Embed.Next = 'NoSuchState';
    expect(validateAsl(broken).isValid).toBe(false);
  });

  it('reads like the pipeline: every Task retries transient errors only and catches into MarkFailed', () => {
    const { States, StartAt } = loadDefinition() as { StartAt: string; States: Record<string, Record<string, unknown>> };
    const order: string[] = [];
    for (let name: string | undefined = StartAt; name; ) {
      order.push(name);
      const state: Record<string, unknown> = States[name];
      name = (state.Next as string | undefined) ?? (state.Type === 'Choice' ? (state.Default as string) : undefined);
    }
    expect(order).toEqual([
      'AssignJobId', 'GenerateJobId', 'MarkRunning', 'Embed', 'ProjectUmap', 'Cluster',
      'ExtractKeywords', 'ComputeFeatures', 'NameTopics', 'MarkCompleted',
    ]);
    for (const [name, state] of Object.entries(States).filter(([, s]) => s.Type === 'Task')) {
      const retried = (state.Retry as Array<{ ErrorEquals: string[] }>).flatMap((r) => r.ErrorEquals);
      expect(retried, name).toEqual(expect.arrayContaining(['TransientError', 'ProviderThrottledError', 'Lambda.ServiceException']));
      expect(retried, name).not.toContain('InvalidInputError');
      expect(retried, name).not.toContain('States.ALL');
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
      if (name !== 'MarkFailed') expect((state.Catch as Array<{ Next: string }>)[0].Next, name).toBe('MarkFailed');
    }
  });
});

describe('serverless package (offline)', () => {
  let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

  beforeAll(async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'delphi-package-'));
    await run(SLS, ['package', '--stage', 'test', '--package', out], { cwd: ROOT, timeout: 240_000 });
    template = JSON.parse(readFileSync(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
  }, 240_000);

  it('contains the seven tables exactly as the schema module declares them', () => {
    const expected = cloudFormationTables('test');
    const tables = Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table'));
    expect(tables).toEqual(expected);
  });

  it('contains the state machine built from the ASL file, each Task bound to its function', () => {
    const machine = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    expect(machine).toBeDefined();
    const definitionString = machine!.Properties.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] };
    const [body, variables] = definitionString['Fn::Sub'];
    const deployed = JSON.parse(body) as { States: Record<string, { Type: string; Resource?: string }> };
    const local = loadDefinition() as { States: Record<string, unknown> };
    expect(Object.keys(deployed.States).sort()).toEqual(Object.keys(local.States).sort());
    for (const [name, state] of Object.entries(deployed.States).filter(([, s]) => s.Type === 'Task')) {
      const variable = /^\$\{(\w+)\}$/.exec(state.Resource ?? '')?.[1];
      expect(variable, name).toBeDefined();
      expect(variables[variable!], name).toEqual({ 'Fn::GetAtt': [`${name}LambdaFunction`, 'Arn'] });
    }
  });

  it('runs every function on nodejs22.x', () => {
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(9);
    for (const fn of functions) expect(fn.Properties.Runtime).toBe('nodejs22.x');
  });
});

describe('sls invoke local against the local DynamoDB', () => {
  let db: LocalDatabase;
  beforeAll(async () => {
    db = await startLocalDatabase();
  });
  afterAll(async () => db?.close());

  const invoke = async (fn: string, data: unknown) => {
    const { stdout } = await run(SLS, ['invoke', 'local', '--stage', 'local', '-f', fn, '--data', JSON.stringify(data)], {
      cwd: ROOT,
      timeout: 120_000,
      env: { ...process.env, DYNAMODB_ENDPOINT: db.endpoint, LOG_LEVEL: 'WARN' },
    });
    const json = stdout.slice(stdout.lastIndexOf('\n{') + 1);
    return JSON.parse(json.slice(0, json.lastIndexOf('}') + 1));
  };

  it('runs MarkRunning then Embed, writing the job record and the embeddings', async () => {
    const state = await invoke('markRunning', {
      input: { conversation_id: 'sls-local', source: BIODIVERSITY },
      execution_name: 'sls-invoke-local',
    });
    expect(state.job_id).toBe('pipeline_run_sls-invoke-local');
    const embedded = await invoke('embed', state);
    expect(embedded).toMatchObject({ step: 'Embed', rows_written: 154 });
    expect(await db.repository.countByJob('embeddings', 'pipeline_run_sls-invoke-local')).toBe(154);
    expect((await db.repository.getJob('pipeline_run_sls-invoke-local'))?.status).toBe('RUNNING');
  });
});
