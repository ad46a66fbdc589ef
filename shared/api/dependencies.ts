/**
 * What the API handlers need, made once per container from the environment (a missing or malformed
 * variable fails the first request with ConfigurationError, naming it). `delphi serve` and the tests
 * replace them with setApiDependencies — locally the execution starter is the local runner.
 */
import { createStepFunctionsClient } from '../aws/apiClients';
import { createS3Client } from '../aws/clients';
import { environment, type Environment } from '../config';
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

/** The API's slice of the environment (shared/config.ts checked each value); the state machine is required here. */
export function readApiConfig(env: Environment = environment()): ApiConfig {
  if (env.STATE_MACHINE_ARN === undefined) throw new ConfigurationError('STATE_MACHINE_ARN must be a Step Functions state machine ARN, got ""');
  return {
    stateMachineArn: env.STATE_MACHINE_ARN,
    sourceBuckets: env.DELPHI_SOURCE_BUCKETS,
    allowLocalSources: env.DELPHI_ALLOW_LOCAL_SOURCES,
    databaseHosts: env.DELPHI_ALLOWED_PG_HOSTS,
    stepFunctionsEndpoint: env.STEPFUNCTIONS_ENDPOINT,
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
