/** GET /conversations/{conversation_id}/jobs?limit=N&next=… — the conversation's jobs, newest first (ConversationIdIndex), a page at a time. */
import { apiDependencies } from '../../shared/api/dependencies';
import { apiHandler, baseUrl, json } from '../../shared/api/http';
import { conversationIdOf, encodeCursor, parsePage } from '../../shared/api/requests';
import { conversationJobsPath, jobSummaryView } from '../../shared/api/views';
import { listConversationJobs } from '../../shared/results';

export const handler = apiHandler(async (event) => {
  const conversationId = conversationIdOf(event);
  const page = parsePage(event, conversationId);
  const { jobs, lastKey } = await listConversationJobs(apiDependencies().repository, conversationId, page);
  const base = baseUrl(event);
  const next = lastKey ? encodeCursor(lastKey) : null;
  return json(200, {
    conversation_id: conversationId,
    jobs: jobs.map((job) => jobSummaryView(job, base)),
    next,
    next_url: next ? `${base}${conversationJobsPath(conversationId)}?limit=${page.limit}&next=${next}` : null,
  });
});
