/** GET /jobs/{job_id} — status (RUNNING / COMPLETED / FAILED with the failed step and cause), timings per step, rows per table. */
import { apiDependencies } from '../../shared/api/dependencies';
import { apiHandler, baseUrl, json } from '../../shared/api/http';
import { jobStatus } from '../../shared/api/jobs';
import { jobIdOf } from '../../shared/api/requests';
import { jobLinks } from '../../shared/api/views';

export const handler = apiHandler(async (event) => {
  const status = await jobStatus(apiDependencies(), jobIdOf(event));
  return json(200, { ...status, ...jobLinks(baseUrl(event), status.job_id) });
});
