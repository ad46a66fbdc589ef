/** Lambda for the MarkCompleted state: job record → COMPLETED with counts, timings and warnings. */
import middy from '@middy/core';
import { dependencies } from '../shared/dependencies';
import { logger } from '../shared/logger';
import { markCompleted } from '../shared/steps/jobLifecycle';

export const handler = middy(async (event: unknown) => {
  const summary = await markCompleted(event, dependencies().repository);
  logger.info('job completed', { job_id: summary.job_id, counts: summary.counts });
  return summary;
});
