/**
 * GET /jobs/{job_id}/topics a page at a time: past the page size (topics or bytes) the answer carries
 * `next` / `next_url`, and following them yields every topic once, in order, with the layers' full
 * counts — so a huge conversation never passes Lambda's 6 MB response limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as getConversationTopics } from '../../functions/api/getConversationTopics';
import { handler as getJobTopics } from '../../functions/api/getJobTopics';
import { setApiDependencies } from '../../shared/api/dependencies';
import { DEFAULT_TOPICS_PAGE, encodeTopicsCursor, pageTopics } from '../../shared/api/topicPages';
import { loadReportData } from '../../shared/report/data';
import { readJobTopics } from '../../shared/results';
import { apiEvent, call } from './support/api';
import { BIODIVERSITY, startHarness, type Harness } from './support/harness';

let harness: Harness;
const JOB = 'pages-job';
const CONVERSATION = 'pages';

type Page = {
  layers: Array<{ layer_id: number; num_clusters: number; topics: Array<{ cluster_key: string }> }>;
  total_topics: number;
  limit: number;
  next: string | null;
  next_url: string | null;
};

beforeAll(async () => {
  harness = await startHarness();
  setApiDependencies({ repository: harness.repository, executions: { start: async () => { throw new Error('unused'); }, describe: async () => undefined }, sources: { allowLocalPaths: true, allowedBuckets: [] } });
  const outcome = await harness.pipeline.run({ conversation_id: CONVERSATION, source: BIODIVERSITY, job_id: JOB });
  expect(outcome.status).toBe('SUCCEEDED');
}, 120_000);

afterAll(async () => {
  setApiDependencies(undefined);
  await harness?.close();
});

const topicsOf = (query: Record<string, string>, jobId = JOB) =>
  call<Page>(getJobTopics, apiEvent('getJobTopics', { pathParameters: { job_id: jobId }, query }));

describe('the report of a huge conversation', () => {
  it('draws a sample of the points past its cap, every finest topic in it, with the full counts', async () => {
    const full = await loadReportData(harness.repository, JOB);
    expect(full.job.points_shown).toBeUndefined();
    const sampled = await loadReportData(harness.repository, JOB, { maxPoints: 40 });
    expect(sampled.job.num_comments).toBe(full.comments.length);
    expect(sampled.job.points_shown).toBe(sampled.comments.length);
    expect(sampled.comments.length).toBeGreaterThanOrEqual(39);
    expect(sampled.comments.length).toBeLessThan(40 + full.layers[0].topics.length + 1);
    expect(sampled.layers).toEqual(full.layers);
    const finest = (comments: typeof full.comments) => new Set(comments.map((c) => c.labels[0]));
    expect(finest(sampled.comments)).toEqual(finest(full.comments));
    for (const comment of sampled.comments) expect(full.comments).toContainEqual(comment);
  });
});

describe('GET /jobs/{job_id}/topics pages', () => {
  it('a job within the page size is one page: every topic, next null', async () => {
    const answer = await topicsOf({});
    expect(answer.status).toBe(200);
    const count = answer.body.layers.reduce((sum, layer) => sum + layer.topics.length, 0);
    expect(count).toBeLessThan(DEFAULT_TOPICS_PAGE);
    expect(answer.body).toMatchObject({ total_topics: count, limit: DEFAULT_TOPICS_PAGE, next: null, next_url: null });
    for (const layer of answer.body.layers) expect(layer.topics).toHaveLength(layer.num_clusters);
  });

  it('past the page size: pages of at most `limit` topics whose next_url chain gives every topic once, in order', async () => {
    const whole = (await topicsOf({})).body;
    const all = whole.layers.flatMap((layer) => layer.topics.map((topic) => topic.cluster_key));
    expect(all.length).toBeGreaterThan(4);
    const keys: string[] = [];
    let query: Record<string, string> = { limit: '2' };
    let pages = 0;
    for (;;) {
      const page = await topicsOf(query);
      expect(page.status).toBe(200);
      pages++;
      const onPage = page.body.layers.flatMap((layer) => layer.topics.map((topic) => topic.cluster_key));
      expect(onPage.length).toBeLessThanOrEqual(2);
      expect(onPage.length).toBeGreaterThan(0);
      keys.push(...onPage);
      // A layer on a page keeps the count of all its clusters.
      for (const layer of page.body.layers) expect(layer.num_clusters).toBe(whole.layers.find((l) => l.layer_id === layer.layer_id)!.num_clusters);
      expect(page.body.total_topics).toBe(all.length);
      if (!page.body.next) {
        expect(page.body.next_url).toBeNull();
        break;
      }
      const url = new URL(page.body.next_url!);
      expect(url.pathname).toMatch(new RegExp(`/jobs/${JOB}/topics$`));
      query = Object.fromEntries(url.searchParams);
      expect(query).toMatchObject({ limit: '2', next: page.body.next });
    }
    expect(pages).toBe(Math.ceil(all.length / 2));
    expect(keys).toEqual(all);
  });

  it('a page also ends before its byte budget, with at least one topic', async () => {
    const topics = await readJobTopics(harness.repository, JOB);
    const first = pageTopics(topics, { start: 0, limit: 1000 }, 1);
    expect(first.layers.flatMap((l) => l.topics)).toHaveLength(1);
    expect(first.next).toBe(1);
    const budget = pageTopics(topics, { start: 0, limit: 1000 }, 4000);
    const shown = budget.layers.flatMap((l) => l.topics);
    expect(Buffer.byteLength(JSON.stringify(shown))).toBeLessThanOrEqual(4000 + shown.length);
    expect(budget.next).toBe(shown.length);
  });

  it('a cursor that is not one, or is another job\'s, and a bad limit are 400s naming the parameter', async () => {
    for (const query of <Record<string, string>[]>[{ next: 'garbage' }, { next: encodeTopicsCursor('other-job', 3) }, { limit: '0' }, { limit: '5000' }]) {
      const answer = await call<{ field: string }>(getJobTopics, apiEvent('getJobTopics', { pathParameters: { job_id: JOB }, query }));
      expect(answer.status, JSON.stringify(query)).toBe(400);
      expect(answer.body.field).toBe(query.next ? 'next' : 'limit');
    }
  });

  it('GET /conversations/{id}/topics pages through the job it answered with', async () => {
    const first = await call<Page>(getConversationTopics, apiEvent('getConversationTopics', { pathParameters: { conversation_id: CONVERSATION }, query: { limit: '2' } }));
    expect(first.status).toBe(200);
    expect(first.body.next_url).toContain(`/jobs/${JOB}/topics?limit=2&next=`);
    const second = await call<Page>(
      getConversationTopics,
      apiEvent('getConversationTopics', { pathParameters: { conversation_id: CONVERSATION }, query: { limit: '2', next: first.body.next! } }),
    );
    expect(second.status).toBe(200);
    const viaJob = await topicsOf({ limit: '2', next: first.body.next! });
    expect(second.body.layers).toEqual(viaJob.body.layers);
    const elsewhere = await call<{ field: string }>(
      getConversationTopics,
      apiEvent('getConversationTopics', { pathParameters: { conversation_id: 'another' }, query: { next: first.body.next! } }),
    );
    expect(elsewhere.status).toBe(400);
  });
});
