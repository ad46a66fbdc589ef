/**
 * The API's Lambda handlers as `delphi serve` runs them: loaded on first use, so the local server
 * imports only the handlers it serves. The routes themselves are declared once, in shared/api/routes.ts
 * (which, being part of the deployed API, imports no handler).
 */
import type { ApiRoute } from '../api/http';
import type { ApiFunction } from '../api/routes';

const LOADERS = {
  startJob: () => import('../../functions/api/startJob'),
  listConversationJobs: () => import('../../functions/api/listConversationJobs'),
  getConversationTopics: () => import('../../functions/api/getConversationTopics'),
  getJob: () => import('../../functions/api/getJob'),
  getJobTopics: () => import('../../functions/api/getJobTopics'),
  getJobChanges: () => import('../../functions/api/getJobChanges'),
} satisfies Record<ApiFunction, () => Promise<{ handler: ApiRoute }>>;

export async function loadApiHandler(fn: string): Promise<ApiRoute> {
  const load = (LOADERS as Record<string, (() => Promise<{ handler: ApiRoute }>) | undefined>)[fn];
  if (!load) throw new Error(`No local handler for the API function ${fn} (shared/local/apiHandlers.ts)`);
  return (await load()).handler;
}
