/**
 * Lambda for the MarkRunning state: validates the execution input (job_id given or assigned by
 * AssignJobId, conversation_id, source, options), writes the RUNNING job record and returns the
 * normalised state the later steps receive.
 */
import middy from '@middy/core';
import { dependencies } from '../shared/dependencies';
import { logger } from '../shared/logger';
import { markRunning, type MarkRunningEvent } from '../shared/steps/jobLifecycle';

export const handler = middy(async (event: MarkRunningEvent) => {
  const state = await markRunning(event, dependencies().repository);
  logger.info('job started', { job_id: state.job_id, conversation_id: state.conversation_id, execution_name: state.execution_name });
  return state;
});
