/** GET /jobs/{job_id}/changes?since=<job_id> — what changed in a COMPLETED job's topics since an earlier job (docs/lineage.md). */
import { changesView, jobChanges, parseSince } from '../../shared/api/changes';
import { apiDependencies } from '../../shared/api/dependencies';
import { apiHandler, baseUrl, json } from '../../shared/api/http';
import { jobIdOf } from '../../shared/api/requests';

export const handler = apiHandler(async (event) => {
  const jobId = jobIdOf(event);
  const since = parseSince(event);
  const changes = await jobChanges(apiDependencies().repository, jobId, since);
  return json(200, changesView(changes, baseUrl(event)));
});
