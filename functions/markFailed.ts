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
  logger.error('job failed', { job_id: event.job_id, conversation_id: event.conversation_id, failure });
  return failure;
});
