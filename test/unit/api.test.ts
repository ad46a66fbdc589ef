import { describe, expect, it } from 'vitest';
import { parseEnvironment } from '../../shared/config';
import { readApiConfig } from '../../shared/api/dependencies';
import { executionArnFor } from '../../shared/api/executions';
import { newExecutionName } from '../../shared/api/jobs';
import { canonicalJson, requestHash } from '../../shared/api/requests';
import { matchRoute, ROUTES } from '../../shared/api/routes';
import { isValidExecutionName, jobIdForExecution } from '../../shared/jobId';

describe('execution names the API chooses', () => {
  it('are valid Step Functions names, readable and sortable, even for the longest conversation ids', () => {
    const when = new Date('2026-11-27T17:48:09.661Z');
    expect(newExecutionName('scoop-hivemind.biodiversity', when, '1a2b3c4d')).toBe('scoop-hivemind-biodiversity-20261127T174809Z-1a2b3c4d');
    const longest = newExecutionName('x:'.repeat(64), when, 'ffffffff');
    expect(longest.length).toBeLessThanOrEqual(80);
    expect(isValidExecutionName(longest)).toBe(true);
    expect(jobIdForExecution(longest)).toBe(`pipeline_run_${longest}`);
  });

  it('map to execution ARNs of the state machine', () => {
    expect(executionArnFor('arn:aws:states:eu-west-1:123456789012:stateMachine:DelphiPipeline-prod', 'abc')).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:DelphiPipeline-prod:abc',
    );
  });
});

describe('the request fingerprint an Idempotency-Key is bound to', () => {
  it('ignores key order and nothing else', () => {
    const a = requestHash({ conversation_id: 'c', source: 's3://b/p', options: { seed: 1, max_layers: 3 } });
    expect(requestHash({ options: { max_layers: 3, seed: 1 }, source: 's3://b/p', conversation_id: 'c' })).toBe(a);
    expect(requestHash({ conversation_id: 'c', source: 's3://b/p', options: { seed: 1, max_layers: 4 } })).not.toBe(a);
    expect(requestHash({ conversation_id: 'd', source: 's3://b/p', options: { seed: 1, max_layers: 3 } })).not.toBe(a);
    expect(canonicalJson({ b: [2, { d: 1, c: null }], a: 'x' })).toBe('{"a":"x","b":[2,{"c":null,"d":1}]}');
  });
});

describe('the API configuration', () => {
  const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:DelphiPipeline-prod';

  it('reads the state machine, the source buckets and the local switches', () => {
    expect(readApiConfig(parseEnvironment({ STATE_MACHINE_ARN: arn, DELPHI_SOURCE_BUCKETS: 'a, b', DELPHI_ALLOW_LOCAL_SOURCES: 'false', DELPHI_ALLOWED_PG_HOSTS: 'db.internal, 10.0.0.9:6432' }))).toEqual({
      stateMachineArn: arn,
      sourceBuckets: ['a', 'b'],
      allowLocalSources: false,
      databaseHosts: ['db.internal', '10.0.0.9:6432'],
      stepFunctionsEndpoint: undefined,
    });
  });

  it.each([
    [{}, /STATE_MACHINE_ARN must be a Step Functions state machine ARN, got ""/],
    [{ STATE_MACHINE_ARN: 'DelphiPipeline' }, /STATE_MACHINE_ARN/],
    [{ STATE_MACHINE_ARN: arn, STEPFUNCTIONS_ENDPOINT: 'localhost:3000' }, /STEPFUNCTIONS_ENDPOINT must be an http\(s\) URL/],
    [{ STATE_MACHINE_ARN: arn, DELPHI_ALLOW_LOCAL_SOURCES: 'yes' }, /DELPHI_ALLOW_LOCAL_SOURCES must be true or false/],
  ])('fails at once, naming the variable, for %j', (env, message) => {
    expect(() => readApiConfig(parseEnvironment(env))).toThrow(message);
  });
});

describe('the route table', () => {
  it('matches paths with their parameters, decoded, and tells which methods a known path allows', () => {
    const match = matchRoute('GET', '/jobs/pipeline_run_a%3Ab/topics');
    expect(match && 'route' in match && match.route.function).toBe('getJobTopics');
    expect(match && 'route' in match && match.pathParameters).toEqual({ job_id: 'pipeline_run_a:b' });
    expect(matchRoute('DELETE', '/conversations/c/jobs')).toEqual({ allowed: ['POST', 'GET'] });
    expect(matchRoute('GET', '/jobs')).toBeUndefined();
    expect(new Set(ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(ROUTES.length);
  });
});
