/**
 * GET /jobs/{job_id}/topics?layer=N&limit=N&next=… — a COMPLETED job's clusters: names, keywords, sizes,
 * representative comments, hierarchy; a page at a time when there are many (shared/api/topicPages.ts).
 */
import { apiDependencies } from '../../shared/api/dependencies';
import { apiHandler, baseUrl, json } from '../../shared/api/http';
import { jobTopics } from '../../shared/api/jobs';
import { jobIdOf, parseLayer } from '../../shared/api/requests';
import { pagedTopicsView, parseTopicsPage } from '../../shared/api/topicPages';

export const handler = apiHandler(async (event) => {
  const jobId = jobIdOf(event);
  const layer = parseLayer(event);
  const page = parseTopicsPage(event, jobId);
  const topics = await jobTopics(apiDependencies(), jobId, layer);
  return json(200, pagedTopicsView(topics, baseUrl(event), layer, page));
});
