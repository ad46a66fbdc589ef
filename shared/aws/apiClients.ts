/**
 * The Step Functions client of the API functions, created once per container (their S3 client is
 * ./clients.ts createS3Client, the source reader's). STEPFUNCTIONS_ENDPOINT points the
 * Step Functions client at `delphi serve`, which answers StartExecution and DescribeExecution with the
 * local runner (so `sls invoke local -f startJob` starts a real local job); unset, it talks to AWS.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { environment, localRegion } from '../config';

export function createStepFunctionsClient(endpoint = environment().STEPFUNCTIONS_ENDPOINT): SFNClient {
  return new SFNClient(
    endpoint
      ? {
          endpoint,
          region: localRegion(),
          // The local endpoint accepts any credentials; real ones must never be needed locally.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          maxAttempts: 3,
        }
      : { maxAttempts: 3 },
  );
}
