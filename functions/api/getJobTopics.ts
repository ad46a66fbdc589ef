/** GET /jobs/{job_id}/topics?layer=N — a COMPLETED job's clusters: names, keywords, sizes, representative comments, hierarchy. */
import { apiDependencies } from '../../shared/api/dependencies';
import { apiHandler, baseUrl, json } from '../../shared/api/http';
import { jobTopics } from '../../shared/api/jobs';
import { jobIdOf, parseLayer } from '../../shared/api/requests';
import { topicsView } from '../../shared/api/views';

export const handler = apiHandler(async (event) => {
  const jobId = jobIdOf(event);
  const layer = parseLayer(event);
  const topics = await jobTopics(apiDependencies(), jobId, layer);
  return json(200, topicsView(topics, baseUrl(event), layer));
});
