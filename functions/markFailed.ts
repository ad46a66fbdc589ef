/**
 * Lambda for the MarkFailed state (reached through every Task's Catch): records the failed step and
 * its error on the job, and returns {error, cause} that the final Fail state reports.
 */
import middy from '@middy/core';
import { dependencies } from '../shared/dependencies';
import { logger } from '../shared/logger';
import { markFailed, type FailureEvent } from '../shared/steps/jobLifecycle';

export const handler = middy(async (event: FailureEvent) => {
  const failure = await markFailed(event, dependencies().repository);
  logger.appendKeys({ job_id: typeof event.job_id === 'string' ? event.job_id : 'unknown' });
  logger.error('job failed', { failure });
  return failure;
});
