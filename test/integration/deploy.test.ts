import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/routes';
import { FUNCTION_ACCESS, FUNCTION_NAMES } from '../../shared/deploy/access';
import { functionRole, roleId } from '../../shared/deploy/iam';
import { startLocalDatabase, type LocalDatabase } from '../../shared/local/dynaliteServer';
import { loadDefinition, TASK_HANDLERS } from '../../shared/local/runner';
import { startLocalApi, type LocalApi } from '../../shared/local/server';
import { cloudFormationTables } from '../../shared/schema';

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
      'AssignJobId', 'GenerateJobId', 'MarkRunning', 'Embed', 'EmbedInBatches', 'ProjectUmap', 'Cluster',
      'ExtractKeywords', 'ComputeFeatures', 'NameTopics', 'NameInLayers', 'MarkCompleted',
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

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[]; Condition?: string };

/**
 * `sls package --stage test`, started when the file loads so that it runs while the `sls invoke local`
 * tests below run (in its own esbuild work folder: packaging removes its folder when done).
 */
const packaged = (async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'delphi-package-'));
  await run(SLS, ['package', '--stage', 'test', '--package', out], {
    cwd: ROOT,
    timeout: 240_000,
    env: { ...process.env, DELPHI_ESBUILD_WORK_FOLDER: '.esbuild/package' },
  });
  return JSON.parse(readFileSync(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
})();
packaged.catch(() => undefined); // awaited by the packaging tests

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
/** The Lambdas behind Task states (Map items included): `MarkRunning` → `markRunning`. */
const STEP_FUNCTIONS = Object.keys(TASK_HANDLERS).map((state) => state.charAt(0).toLowerCase() + state.slice(1));
const API_FUNCTIONS = ROUTES.map((route) => route.function);

describe('sls invoke local, every function with its event from events/', () => {
  let db: LocalDatabase;
  let api: LocalApi;
  beforeAll(async () => {
    db = await startLocalDatabase();
    // startJob starts its execution through `delphi serve`'s Step Functions endpoint.
    api = await startLocalApi({ repository: db.repository, port: 0 });
  });
  afterAll(async () => {
    await api?.close();
    await api?.executions.settle();
    await db?.close();
  });

  const invoke = async (fn: string) => {
    const { stdout } = await run(SLS, ['invoke', 'local', '--stage', 'local', '-f', fn, '--path', `events/${fn}.json`], {
      cwd: ROOT,
      timeout: 120_000,
      env: { ...process.env, DYNAMODB_ENDPOINT: db.endpoint, STEPFUNCTIONS_ENDPOINT: api.url, LOG_LEVEL: 'WARN' },
    });
    const json = stdout.slice(stdout.lastIndexOf('\n{') + 1);
    return JSON.parse(json.slice(0, json.lastIndexOf('}') + 1));
  };
  const invokeApi = async (fn: string) => {
    const result = await invoke(fn);
    return { status: result.statusCode as number, body: JSON.parse(result.body) as Record<string, any> };
  };
  const JOB = 'pipeline_run_try-1';

  it('has one event file per function', () => {
    expect(readdirSync(path.join(ROOT, 'events')).sort()).toEqual(FUNCTION_NAMES.map((fn) => `${fn}.json`).sort());
  });

  let startJobInvocation: ReturnType<typeof invokeApi>;

  it('runs the steps one by one, as the state machine would (the fan-out ones on a single batch / layer)', async () => {
    // Alongside: startJob starts its own job (try-api-1) through the Step Functions endpoint of delphi serve.
    startJobInvocation = invokeApi('startJob');
    startJobInvocation.catch(() => undefined); // awaited (and asserted) by the next test
    const state = await invoke('markRunning');
    expect(state).toMatchObject({ job_id: JOB, conversation_id: 'bio', source: 'test/fixtures/scoop-hivemind.biodiversity' });
    const tables = {
      embed: 'embeddings', embedBatch: 'embeddings', finishEmbedding: 'embeddings', projectUmap: 'graph', cluster: 'assignments',
      extractKeywords: 'keywords', computeFeatures: 'features', nameTopics: 'topicNames', nameLayer: 'topicNames',
    } as const;
    const { layer } = JSON.parse(readFileSync(path.join(ROOT, 'events/nameLayer.json'), 'utf8')) as { layer: number };
    for (const [fn, table] of Object.entries(tables)) {
      const output = await invoke(fn);
      expect(output.step, fn).toBe(fn === 'embedBatch' ? 'EmbedBatch' : fn === 'nameLayer' ? 'NameLayer' : pascal(fn));
      const rows = await db.repository.countByJob(table, JOB);
      if (fn === 'finishEmbedding') expect(output, fn).toMatchObject({ rows_written: 0, rows_deleted: 0, comments: rows });
      else if (fn === 'nameLayer') expect(output.rows_written, fn).toBe((await db.repository.queryByJob('topicNames', JOB)).filter((row) => row.layer_id === layer).length);
      else expect(rows, fn).toBe(output.rows_written);
      expect(rows, fn).toBeGreaterThan(0);
    }
    expect((await invoke('markCompleted')).status).toBe('COMPLETED');
    expect((await db.repository.getJob(JOB))?.status).toBe('COMPLETED');
  }, 300_000);

  it('starts a local job from the startJob event through the Step Functions endpoint of delphi serve', async () => {
    const started = await startJobInvocation;
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ job_id: 'pipeline_run_try-api-1', execution_name: 'try-api-1', replayed: false });
    const outcome = await api.executions.wait('try-api-1');
    expect(outcome?.status).toBe('SUCCEEDED');
    expect(await db.repository.getJob('pipeline_run_try-api-1')).toMatchObject({ status: 'COMPLETED', parameters: expect.objectContaining({ max_layers: 3 }) });
  }, 60_000);

  it('answers the API events of the read routes', async () => {
    const [job, topics, jobs, latest] = await Promise.all(['getJob', 'getJobTopics', 'listConversationJobs', 'getConversationTopics'].map(invokeApi));
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ job_id: JOB, status: 'COMPLETED', counts: { Delphi_CommentEmbeddings: 154 } });
    expect(topics.status).toBe(200);
    expect(topics.body.layers.map((l: { layer_id: number }) => l.layer_id)).toEqual([0]);
    expect(topics.body.layers[0].topics[0].name).toEqual(expect.any(String));
    expect(jobs.body.jobs.map((j: { job_id: string }) => j.job_id).sort()).toEqual([JOB, 'pipeline_run_try-api-1'].sort());
    const newest = [...jobs.body.jobs].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))[0].job_id;
    expect(latest.body).toMatchObject({ job_id: newest, layer: 1 });
  }, 60_000);

  it('records a failure with markFailed, which then fails with the step\'s own error', async () => {
    // markFailed fails the execution itself (so that a redrive re-enters it): sls exits non-zero.
    const failed = await invoke('markFailed').then(
      () => undefined,
      (error: { stdout?: string }) => error,
    );
    expect(failed?.stdout).toMatch(/"errorType": "TransientError"/);
    expect(failed?.stdout).toMatch(/Embed failed: DynamoDB kept throttling/);
    expect((await db.repository.getJob(JOB))?.error).toMatchObject({ type: 'TransientError', step: 'Embed', cause: expect.stringMatching(/kept throttling/) });
  });
});

describe('serverless package (offline)', () => {
  let template: { Resources: Record<string, Resource>; Outputs: Record<string, unknown> };
  const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  beforeAll(async () => {
    template = await packaged;
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

  it('runs every function on nodejs22.x: one per Task state and one per API route, each declared in access.ts', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(FUNCTION_NAMES.map((fn) => `${pascal(fn)}LambdaFunction`).sort());
    expect([...STEP_FUNCTIONS, ...API_FUNCTIONS].sort()).toEqual([...FUNCTION_NAMES].sort());
    for (const [, fn] of functions) expect(fn.Properties.Runtime).toBe('nodejs22.x');
  });

  it('gives every function its own role, generated from shared/deploy/access.ts, and no shared role', () => {
    for (const fn of FUNCTION_NAMES) {
      const lambda = template.Resources[`${pascal(fn)}LambdaFunction`];
      expect(lambda.Properties.Role, fn).toEqual({ 'Fn::GetAtt': [roleId(fn), 'Arn'] });
      expect(template.Resources[roleId(fn)], fn).toEqual(functionRole(fn));
    }
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    const roles = ofType('AWS::IAM::Role').map(([id]) => id);
    expect(roles.sort()).toEqual([...FUNCTION_NAMES.map(roleId), 'DelphiPipelineRole'].sort());
  });

  /** A role's grants as `action → resource logical ids` (tables, their index, the state machine, buckets, log group). */
  function grants(roleLogicalId: string): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    const statements = template.Resources[roleLogicalId].Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      const resources = [statement.Resource].flat();
      for (const action of [statement.Action].flat() as string[]) {
        const set = out.get(action) ?? new Set<string>();
        for (const resource of resources) {
          const text = JSON.stringify(resource);
          expect(text, `${roleLogicalId} ${action}`).not.toBe('"*"');
          const id = text.match(/"Fn::GetAtt":\["(\w+)"/)?.[1] ?? text.match(/"Ref":"(\w+)"/)?.[1] ?? text.match(/\$\{(\w+)\.\w+\}/)?.[1] ?? text;
          set.add(text.includes('/index/') ? `${id}/index` : id);
        }
        out.set(action, set);
      }
    }
    return out;
  }

  it('lets each function touch only the tables and actions it uses', () => {
    const tableIds = new Set(ofType('AWS::DynamoDB::Table').map(([id]) => id));
    for (const fn of FUNCTION_NAMES) {
      const granted = grants(roleId(fn));
      for (const action of granted.keys()) {
        expect(action, fn).toMatch(/^(dynamodb:(Query|GetItem|PutItem|UpdateItem|BatchWriteItem)|logs:(CreateLogStream|PutLogEvents)|states:(StartExecution|DescribeExecution)|s3:GetObject|bedrock:InvokeModel|ssm:GetParameter|secretsmanager:GetSecretValue)$/);
      }
      // Writes only where the function writes; nobody scans or deletes tables.
      const tablesWith = (action: string) => [...(granted.get(action) ?? [])].filter((id) => tableIds.has(id)).sort();
      const access = FUNCTION_ACCESS[fn] as { tables?: Record<string, string[]> };
      const declaredWith = (action: string) =>
        Object.entries(access.tables ?? {}).filter(([, actions]) => actions.includes(action)).map(([table]) => table);
      for (const action of ['BatchWriteItem', 'PutItem', 'UpdateItem', 'Query', 'GetItem']) {
        expect(tablesWith(`dynamodb:${action}`).length, `${fn} ${action}`).toBe(declaredWith(action).length);
      }
      expect(granted.get('logs:PutLogEvents'), fn).toEqual(new Set([`${pascal(fn)}LogGroup`]));
    }
    // The readers write nothing; only the step that owns a table writes it; only startJob starts executions.
    for (const fn of API_FUNCTIONS) {
      const granted = grants(roleId(fn));
      expect([...granted.keys()].filter((a) => /^dynamodb:(Put|Update|BatchWrite|Delete)/.test(a)), fn).toEqual([]);
      if (fn !== 'startJob') expect(granted.has('states:StartExecution'), fn).toBe(false);
    }
    expect(grants('StartJobRole').get('states:StartExecution')).toEqual(new Set(['DelphiPipeline']));
    expect(grants('EmbedRole').get('dynamodb:BatchWriteItem')).toEqual(new Set(['CommentEmbeddingsTable']));
    expect(grants('NameTopicsRole').get('dynamodb:BatchWriteItem')).toEqual(new Set(['CommentClustersLLMTopicNamesTable']));
    expect(grants('ListConversationJobsRole').get('dynamodb:Query')).toEqual(new Set(['UMAPConversationConfigTable/index']));
    const readsUploads = FUNCTION_NAMES.filter((fn) => grants(roleId(fn)).has('s3:GetObject'));
    expect(readsUploads.sort()).toEqual(['embed', 'embedBatch', 'finishEmbedding', 'startJob']);
    expect(grants('EmbedRole').get('s3:GetObject')).toEqual(new Set(['UploadsBucket']));
    const usesProviders = FUNCTION_NAMES.filter((fn) => grants(roleId(fn)).has('bedrock:InvokeModel'));
    expect(usesProviders.sort()).toEqual(['embed', 'embedBatch', 'nameLayer', 'nameTopics']);
  });

  it('lets the state machine invoke only the functions of its Task states', () => {
    const role = template.Resources.DelphiPipelineRole;
    const all = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    // Besides invoking: delivering its ERROR-level log (and X-Ray traces), which takes Resource "*".
    const delivery = all.filter((st: any) => st.Resource === '*');
    expect(delivery.flatMap((st: any) => st.Action).every((action: string) => /^(logs:\w+LogDeliver(y|ies)|logs:(PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|xray:\w+)$/.test(action))).toBe(true);
    const statements = all.filter((st: any) => st.Resource !== '*');
    expect(statements.flatMap((st: any) => [st.Action].flat())).toEqual(['lambda:InvokeFunction']);
    const invoked = new Set(statements.flatMap((st: any) => st.Resource).map((r: unknown) => JSON.stringify(r).match(/"(\w+)LambdaFunction"/)![1]));
    expect([...invoked].sort()).toEqual(STEP_FUNCTIONS.map(pascal).sort());
    expect(template.Resources.DelphiPipeline.Properties.RoleArn).toEqual({ 'Fn::GetAtt': ['DelphiPipelineRole', 'Arn'] });
  });

  it("gives every Task a TimeoutSeconds equal to its function's timeout, and the retry policy", () => {
    const [body] = template.Resources.DelphiPipeline.Properties.DefinitionString['Fn::Sub'] as [string];
    type State = { Type: string; TimeoutSeconds?: number; Retry?: Array<{ ErrorEquals: string[] }>; ItemProcessor?: { States: Record<string, State> } };
    // Task states, including those inside Map states.
    const tasks = (states: Record<string, State>): Array<[string, State]> =>
      Object.entries(states).flatMap(([name, st]) => (st.Type === 'Task' ? [[name, st] as [string, State]] : st.ItemProcessor ? tasks(st.ItemProcessor.States) : []));
    const found = tasks(JSON.parse(body).States);
    expect(found.map(([name]) => name).sort()).toEqual(Object.keys(TASK_HANDLERS).sort());
    for (const [name, state] of found) {
      const fn = template.Resources[`${name}LambdaFunction`];
      expect(state.TimeoutSeconds, name).toBe(fn.Properties.Timeout);
      expect(state.Retry?.flatMap((r) => r.ErrorEquals), name).toEqual(expect.arrayContaining(['Lambda.ServiceException', 'TransientError']));
    }
    // API Gateway gives up on an integration after 29 s.
    for (const fn of API_FUNCTIONS) expect(template.Resources[`${pascal(fn)}LambdaFunction`].Properties.Timeout, fn).toBeLessThan(29);
  });

  it('serves the routes of shared/api/routes.ts, each through its function, with IAM auth', () => {
    const pathOf = (resourceLogicalId: string): string => {
      const resource = template.Resources[resourceLogicalId];
      const parent = resource.Properties.ParentId.Ref as string | undefined;
      return `${parent ? pathOf(parent) : ''}/${resource.Properties.PathPart}`;
    };
    const served = ofType('AWS::ApiGateway::Method').map(([, method]) => {
      expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
      expect(method.Properties.ApiKeyRequired).toBe(false);
      const fn = JSON.stringify(method.Properties.Integration.Uri).match(/"(\w+)LambdaFunction"/)![1];
      return `${method.Properties.HttpMethod} ${pathOf(method.Properties.ResourceId.Ref)} → ${fn}`;
    });
    expect(served.sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path} → ${pascal(route.function)}`).sort());
    for (const fn of API_FUNCTIONS) {
      const env = template.Resources[`${pascal(fn)}LambdaFunction`].Properties.Environment.Variables;
      expect(env.STATE_MACHINE_ARN, fn).toEqual({ Ref: 'DelphiPipeline' });
      expect(env.DELPHI_SOURCE_BUCKETS, fn).toEqual({ Ref: 'UploadsBucket' });
      expect(env.DELPHI_ALLOW_LOCAL_SOURCES, fn).toBe('false');
    }
  });

  it('names everything after the stage, keeps logs 30 days, and alarms on failed and timed-out executions', () => {
    expect(template.Resources.DelphiPipeline.Properties.StateMachineName).toBe('DelphiPipeline-test');
    for (const [, fn] of ofType('AWS::Lambda::Function')) expect(fn.Properties.FunctionName).toMatch(/^delphi-test-\w+$/);
    for (const [, table] of ofType('AWS::DynamoDB::Table')) expect(table.Properties.TableName).toMatch(/_test$/);
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(FUNCTION_NAMES.length + 1); // + the state machine's
    for (const [, group] of logGroups) expect(group.Properties.RetentionInDays).toBe(30);
    const alarms: Record<string, Record<string, any>> = Object.fromEntries(
      ofType('AWS::CloudWatch::Alarm')
        .filter(([, alarm]) => alarm.Properties.Namespace === 'AWS/States')
        .map(([, alarm]) => [alarm.Properties.MetricName, alarm.Properties]),
    );
    expect(Object.keys(alarms).sort()).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
    for (const alarm of Object.values(alarms)) {
      expect(alarm).toMatchObject({ Namespace: 'AWS/States', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: 'AlarmTopic' }] });
      expect(alarm.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: 'DelphiPipeline' } }]);
    }
    expect(template.Resources.AlarmTopic.Properties.TopicName).toBe('delphi-alarms-test');
    expect(template.Resources.AlarmEmailSubscription.Condition).toBe('HasAlarmEmail');
  });

  it('keeps every table through a stack removal or replacement: point-in-time recovery, deletion protection, Retain', () => {
    const tables = ofType('AWS::DynamoDB::Table') as Array<[string, Resource & { DeletionPolicy?: string; UpdateReplacePolicy?: string }]>;
    expect(tables).toHaveLength(7);
    for (const [id, table] of tables) {
      expect(table.DeletionPolicy, id).toBe('Retain');
      expect(table.UpdateReplacePolicy, id).toBe('Retain');
      expect(table.Properties.PointInTimeRecoverySpecification, id).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.Properties.DeletionProtectionEnabled, id).toBe(true);
      // Nothing writes an expiry: no TTL that could delete results.
      expect(table.Properties.TimeToLiveSpecification, id).toBeUndefined();
    }
  });

  it('lets the providers invoke only the allowed Bedrock models, not foundation-model/*', () => {
    for (const fn of ['embed', 'embedBatch', 'nameTopics', 'nameLayer']) {
      const statements = template.Resources[roleId(fn)].Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
      const bedrock = statements.find((st: any) => st.Sid === 'InvokeBedrockModels');
      const resources = bedrock.Resource.map((r: { 'Fn::Sub': string }) => r['Fn::Sub']);
      expect(resources.some((r: string) => r.endsWith('/*')), fn).toBe(false);
      expect(resources, fn).toEqual(expect.arrayContaining([
        'arn:${AWS::Partition}:bedrock:*::foundation-model/amazon.titan-embed-text-v2:0',
        'arn:${AWS::Partition}:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
      ]));
    }
  });

  it('bounds cost: a timeout on every execution, ERROR-level execution logs, a throttled API stage, the callers\' caps in every function', () => {
    const machine = template.Resources.DelphiPipeline.Properties;
    expect(JSON.parse(machine.DefinitionString['Fn::Sub'][0]).TimeoutSeconds).toBe(21600);
    expect(machine.LoggingConfiguration).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['PipelineLogGroup', 'Arn'] } } }],
    });
    expect(machine.TracingConfiguration).toEqual({ Enabled: false });
    const [[, deployment]] = ofType('AWS::ApiGateway::Deployment');
    expect(deployment.Properties.StageDescription).toMatchObject({
      ThrottlingRateLimit: 10,
      ThrottlingBurstLimit: 20,
      MethodSettings: [{ ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }],
    });
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      expect(Object.keys(fn.Properties.Environment.Variables), id).toEqual(
        expect.arrayContaining(['DELPHI_ALLOWED_EMBEDDING_URLS', 'DELPHI_ALLOWED_NAMER_MODELS', 'DELPHI_MAX_EMBEDDING_DIMENSIONS', 'DELPHI_MAX_N_NEIGHBORS', 'DELPHI_MAX_CONCURRENCY']),
      );
    }
  });

  it('alarms on every function\'s errors and throttles and on the API\'s 5xx answers', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    for (const fn of FUNCTION_NAMES) {
      for (const metric of ['Errors', 'Throttles']) {
        const found = alarms.filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === metric && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: `${pascal(fn)}LambdaFunction` } }]));
        expect(found, `${fn} ${metric}`).toHaveLength(1);
        expect(found[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching', AlarmActions: [{ Ref: 'AlarmTopic' }] });
      }
    }
    const api = alarms.filter((a) => a.Namespace === 'AWS/ApiGateway');
    expect(api).toEqual([expect.objectContaining({ MetricName: '5XXError', Dimensions: [{ Name: 'ApiName', Value: template.Resources.ApiGatewayRestApi.Properties.Name }, { Name: 'Stage', Value: 'test' }], AlarmActions: [{ Ref: 'AlarmTopic' }] })]);
  });

  it('keeps uploads in a private, encrypted bucket that survives the stack', () => {
    const bucket = template.Resources.UploadsBucket as Resource & { DeletionPolicy?: string };
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(template.Outputs.UploadsBucketName).toEqual({ Description: expect.any(String), Value: { Ref: 'UploadsBucket' } });
  });
});
