/** GET /conversations/{conversation_id}/topics?layer=N — the topics of the conversation's newest COMPLETED job. */
import { apiDependencies } from '../../shared/api/dependencies';
import { apiHandler, baseUrl, json } from '../../shared/api/http';
import { conversationTopics } from '../../shared/api/jobs';
import { conversationIdOf, parseLayer } from '../../shared/api/requests';
import { topicsView } from '../../shared/api/views';

export const handler = apiHandler(async (event) => {
  const conversationId = conversationIdOf(event);
  const layer = parseLayer(event);
  const topics = await conversationTopics(apiDependencies(), conversationId, layer);
  return json(200, topicsView(topics, baseUrl(event), layer));
});
