/**
 * Lambda for the MarkFailed state (reached through every Task's Catch). On a failure it records the
 * failed step and its error on the job and fails the execution with that error; entered again by a
 * redrive, it resumes the failed step (see shared/steps/jobLifecycle.ts markFailed).
 */
import middy from '@middy/core';
import { dependencies } from '../shared/dependencies';
import { logger } from '../shared/logger';
import { markFailed, type MarkFailedEvent } from '../shared/steps/jobLifecycle';

export const handler = middy(async (event: MarkFailedEvent) => {
  const ids = { job_id: event.state?.job_id, conversation_id: event.state?.conversation_id };
  try {
    const resume = await markFailed(event, dependencies().repository);
    logger.info('job redriven: resuming the failed step', { ...ids, resume });
    return resume;
  } catch (error) {
    logger.error('job failed', { ...ids, error: error as Error });
    throw error;
  }
});
