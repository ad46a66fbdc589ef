/**
 * GET /conversations/{conversation_id}/topics?layer=N&limit=N — the topics of the conversation's newest
 * COMPLETED job; the next pages (`next_url`) are that job's, so they stay with it.
 */
import { apiDependencies } from '../../shared/api/dependencies';
import { apiHandler, badRequest, baseUrl, json } from '../../shared/api/http';
import { conversationTopics, jobTopics } from '../../shared/api/jobs';
import { conversationIdOf, parseLayer } from '../../shared/api/requests';
import { pagedTopicsView, parseTopicsPage } from '../../shared/api/topicPages';

export const handler = apiHandler(async (event) => {
  const conversationId = conversationIdOf(event);
  const layer = parseLayer(event);
  const page = parseTopicsPage(event);
  const topics = page.jobId ? await jobTopics(apiDependencies(), page.jobId, layer) : await conversationTopics(apiDependencies(), conversationId, layer);
  if (topics.job.conversation_id !== conversationId) throw badRequest('next', 'next is a topics page cursor of another conversation');
  return json(200, pagedTopicsView(topics, baseUrl(event), layer, page));
});
