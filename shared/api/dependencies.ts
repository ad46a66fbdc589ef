/**
 * What the API handlers need, made once per container from the environment (a missing or malformed
 * variable fails the first request with ConfigurationError, naming it). `delphi serve` and the tests
 * replace them with setApiDependencies — locally the execution starter is the local runner.
 */
import { createS3Client, createStepFunctionsClient } from '../aws/apiClients';
import { dependencies } from '../dependencies';
import { ConfigurationError } from '../errors';
import { StepFunctionsExecutions } from './executions';
import type { ApiDependencies } from './jobs';

export interface ApiConfig {
  stateMachineArn: string;
  /** Buckets a source may be in (the uploads bucket); empty = any. */
  sourceBuckets: string[];
  /** Local folders as sources: only for `--stage local`. */
  allowLocalSources: boolean;
  /** Database servers a postgres:// source may name (DELPHI_ALLOWED_PG_HOSTS). */
  databaseHosts: string[];
  stepFunctionsEndpoint?: string;
}

export function readApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const stateMachineArn = env.STATE_MACHINE_ARN?.trim() ?? '';
  if (!/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/.test(stateMachineArn)) {
    throw new ConfigurationError(`STATE_MACHINE_ARN must be a Step Functions state machine ARN, got "${stateMachineArn}"`);
  }
  const endpoint = env.STEPFUNCTIONS_ENDPOINT?.trim() || undefined;
  if (endpoint && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new ConfigurationError(`STEPFUNCTIONS_ENDPOINT must be an http(s) URL, got "${endpoint}"`);
  }
  const allow = env.DELPHI_ALLOW_LOCAL_SOURCES?.trim() ?? '';
  if (!['', 'true', 'false'].includes(allow)) {
    throw new ConfigurationError(`DELPHI_ALLOW_LOCAL_SOURCES must be true or false, got "${allow}"`);
  }
  return {
    stateMachineArn,
    sourceBuckets: (env.DELPHI_SOURCE_BUCKETS ?? '').split(',').map((bucket) => bucket.trim()).filter(Boolean),
    allowLocalSources: allow === 'true',
    databaseHosts: (env.DELPHI_ALLOWED_PG_HOSTS ?? '').split(',').map((host) => host.trim()).filter(Boolean),
    stepFunctionsEndpoint: endpoint,
  };
}

let current: ApiDependencies | undefined;

export function apiDependencies(): ApiDependencies {
  if (!current) {
    const config = readApiConfig();
    current = {
      repository: dependencies().repository,
      executions: new StepFunctionsExecutions({
        client: createStepFunctionsClient(config.stepFunctionsEndpoint),
        stateMachineArn: config.stateMachineArn,
      }),
      sources: {
        allowLocalPaths: config.allowLocalSources,
        allowedBuckets: config.sourceBuckets,
        allowedDatabaseHosts: config.databaseHosts,
        // Local folders are checked on disk; S3 objects only where the bucket is a real one.
        s3: config.allowLocalSources ? undefined : createS3Client(),
      },
    };
  }
  return current;
}

export function setApiDependencies(next: ApiDependencies | undefined): void {
  current = next;
}
