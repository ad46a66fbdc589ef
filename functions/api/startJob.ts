/**
 * POST /conversations/{conversation_id}/jobs — starts the pipeline on a Polis export and answers 202
 * with the job_id (the rule of the state machine's first state), the execution ARN and the status URL.
 * An Idempotency-Key header becomes the execution name: a retried POST never starts a second run.
 */
import { apiDependencies } from '../../shared/api/dependencies';
import { apiHandler, baseUrl, json } from '../../shared/api/http';
import { startJob } from '../../shared/api/jobs';
import { parseStartJob } from '../../shared/api/requests';
import { jobLinks } from '../../shared/api/views';
import { logger } from '../../shared/logger';

export const handler = apiHandler(async (event) => {
  const request = parseStartJob(event);
  const job = await startJob(apiDependencies(), request);
  logger.info(job.replayed ? 'job request replayed' : 'job started', {
    job_id: job.job_id,
    conversation_id: job.conversation_id,
    execution_arn: job.execution_arn,
  });
  const links = jobLinks(baseUrl(event), job.job_id);
  return json(202, { ...job, ...links }, { Location: links.status_url });
});
