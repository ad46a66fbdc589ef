/**
 * GET /jobs/{job_id}/topics a page at a time (?limit=N&next=<cursor>), as the jobs list pages: a huge
 * conversation's topics (thousands of clusters, each with representative comments of up to 5,000
 * characters) would pass Lambda's 6 MB response limit in one answer. Topics keep their order — layer by
 * layer, finest first, largest first within a layer — and a page ends at `limit` topics or before
 * PAGE_BYTES of topics, whichever comes first. A small job is one page with `next: null`.
 */
import { z } from 'zod';
import type { JobTopics, Topic } from '../results';
import { badRequest, type ApiEvent } from './http';
import { jobTopicsPath, topicsView, topicView } from './views';

export const DEFAULT_TOPICS_PAGE = 500;
export const MAX_TOPICS_PAGE = 2000;
/** Topics per answer by size: well under the 6 MB a Lambda response may hold, with the envelope. */
export const PAGE_BYTES = 4 * 2 ** 20;

export interface TopicsPage {
  limit: number;
  /** Index of the first topic of the page in the job's topic order. */
  start: number;
}

const CursorSchema = z.object({ job_id: z.string(), start: z.number().int().min(0) }).strict();

export function encodeTopicsCursor(jobId: string, start: number): string {
  return Buffer.from(JSON.stringify({ job_id: jobId, start })).toString('base64url');
}

/**
 * ?limit and ?next of a topics request. A cursor names its job: on /conversations/{id}/topics the next
 * pages are read from /jobs/{job_id}/topics, so they stay with the job the first page came from.
 */
export function parseTopicsPage(event: ApiEvent, jobId?: string): TopicsPage & { jobId?: string } {
  const query = event.queryStringParameters ?? {};
  let limit = DEFAULT_TOPICS_PAGE;
  if (query.limit !== undefined && query.limit !== '') {
    if (!/^\d+$/.test(query.limit) || Number(query.limit) < 1 || Number(query.limit) > MAX_TOPICS_PAGE) {
      throw badRequest('limit', `limit must be an integer from 1 to ${MAX_TOPICS_PAGE}, got "${query.limit}"`);
    }
    limit = Number(query.limit);
  }
  if (query.next === undefined || query.next === '') return { limit, start: 0 };
  try {
    const cursor = CursorSchema.parse(JSON.parse(Buffer.from(query.next, 'base64url').toString('utf8')));
    if (jobId === undefined || cursor.job_id === jobId) return { limit, start: cursor.start, jobId: cursor.job_id };
  } catch {
    // reported below
  }
  throw badRequest('next', 'next is not a topics page cursor of this job: pass the `next` value of the previous page unchanged');
}

export interface PagedLayers {
  layers: Array<{ layer_id: number; num_clusters: number; topics: ReturnType<typeof topicView>[] }>;
  /** Topics in the whole answer (all pages). */
  total: number;
  /** Start of the next page, when there is one. */
  next?: number;
}

/** One page of a job's topics, layers kept (with their full cluster counts) for the topics on the page. */
export function pageTopics(topics: JobTopics, page: TopicsPage, maxBytes = PAGE_BYTES): PagedLayers {
  const ordered: Array<{ layer_id: number; topic: Topic }> = topics.layers.flatMap(({ layer_id, topics: list }) => list.map((topic) => ({ layer_id, topic })));
  const counts = new Map(topics.layers.map(({ layer_id, topics: list }) => [layer_id, list.length]));
  const layers: PagedLayers['layers'] = [];
  let bytes = 0;
  let index = page.start;
  for (; index < ordered.length && index - page.start < page.limit; index++) {
    const { layer_id, topic } = ordered[index];
    const view = topicView(topic);
    const size = Buffer.byteLength(JSON.stringify(view));
    // A page holds at least one topic, whatever its size (one topic's rows are DynamoDB items of ≤ 400 KB each).
    if (index > page.start && bytes + size > maxBytes) break;
    bytes += size;
    let layer = layers[layers.length - 1];
    if (layer?.layer_id !== layer_id) layers.push((layer = { layer_id, num_clusters: counts.get(layer_id) ?? 0, topics: [] }));
    layer.topics.push(view);
  }
  return { layers, total: ordered.length, next: index < ordered.length ? index : undefined };
}

/** The answer of a topics route: one page, with `next` and `next_url` (null on the last page). */
export function pagedTopicsView(topics: JobTopics, base: string, layer: number | undefined, page: TopicsPage) {
  const jobId = String(topics.job.job_id);
  const paged = pageTopics(topics, page);
  const next = paged.next === undefined ? null : encodeTopicsCursor(jobId, paged.next);
  const query = `${layer === undefined ? '' : `layer=${layer}&`}limit=${page.limit}&next=${next}`;
  return {
    ...topicsView(topics, base, layer, paged.layers),
    total_topics: paged.total,
    limit: page.limit,
    next,
    next_url: next ? `${base}${jobTopicsPath(jobId)}?${query}` : null,
  };
}
