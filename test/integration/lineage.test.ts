/**
 * Lineage across jobs (docs/lineage.md), through the real state machine: the bundled biodiversity
 * conversation run on its earliest 120 comments and then on all of them, named by an LLM behind a
 * loopback OpenAI-compatible server that counts the calls.
 */
import { resetEnvironment } from '../../shared/config';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as getJobChanges } from '../../functions/api/getJobChanges';
import { setApiDependencies } from '../../shared/api/dependencies';
import { defaultSinceJob, readJobChanges, type JobChanges } from '../../shared/changes';
import { setDependencies } from '../../shared/dependencies';
import { command as diffCommand, formatChanges } from '../../shared/local/commands/diff';
import { loadReportData } from '../../shared/report/data';
import { renderReport } from '../../shared/report/render';
import type { RetryPolicy } from '../../shared/providers/http';
import type { Item } from '../../shared/repository';
import type { JobLineageSummary, TopicLineageRecord } from '../../shared/steps/lineage';
import { fakeOpenAiProviders, openAiResponder, startFakeServer, type FakeServer } from '../support/providerServers';
import { commentsByTime, writeExport } from './support/exports';
import { apiEvent, call } from './support/api';
import { BIODIVERSITY, startHarness, type Harness } from './support/harness';

const CONVERSATION = 'scoop-hivemind.biodiversity';
const KEY = 'sk-local-test-lineage';
const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, timeoutMs: 10_000 };
const EARLY = 'pipeline_run_lineage-early';
const ALL = 'pipeline_run_lineage-all';
const AGAIN = 'pipeline_run_lineage-again';

let harness: Harness;
let server: FakeServer;
/** Chat calls per job. */
const calls = new Map<string, number>();
/** The comments of the earliest export, and how many the full conversation has. */
let earlyIds: Set<number>;

// The hybrid embedder: on its vectors biodiversity's two jobs keep their topics only because Cluster
// follows the earlier layers (continuity), so the test below fails without it; on the default
// sentence encoder's they continue either way, and the test would not see continuity break.
const namerOptions = () => ({ embedder: 'hybrid', topic_namer: 'openai', namer_url: `${server.url}/v1`, namer_model: 'llama3.1:8b' });

async function run(executionName: string, source: string, options: Record<string, unknown> = {}) {
  const before = server.requests.length;
  const outcome = await harness.pipeline.run(
    { conversation_id: CONVERSATION, source, options: { ...namerOptions(), ...options } },
    { executionName, retryIntervalMs: 1 },
  );
  calls.set(`pipeline_run_${executionName}`, server.requests.slice(before).filter((request) => request.path === '/v1/chat/completions').length);
  return outcome;
}

const rowsOf = async (table: 'keywords' | 'topicNames' | 'features' | 'assignments', jobId: string) => (await harness.repository.queryByJob(table, jobId)) as Item[];
const lineageOf = (row: Item) => row.lineage as TopicLineageRecord;

beforeAll(async () => {
  harness = await startHarness();
  // The API reads its configuration as in AWS; only the repository is used by the changes route.
  vi.stubEnv('STATE_MACHINE_ARN', 'arn:aws:states:eu-west-1:123456789012:stateMachine:DelphiPipeline-test');
  vi.stubEnv('DELPHI_ALLOW_LOCAL_SOURCES', 'true');
  resetEnvironment();
  setApiDependencies(undefined);
  server = await startFakeServer(openAiResponder((prompt) => `${/^Keywords: ([^,\n]*)/m.exec(prompt)?.[1] ?? 'misc'} topic`));
  setDependencies({
    repository: harness.repository,
    providers: fakeOpenAiProviders(server.url, KEY, FAST),
  });
  const comments = commentsByTime(BIODIVERSITY);
  const early = comments.slice(0, 120);
  earlyIds = new Set(early.map((comment) => comment.id));
  for (const [name, source] of [
    ['lineage-early', writeExport(early.map(({ id, body }) => ({ id, body })), 'delphi-lineage-')],
    ['lineage-all', BIODIVERSITY],
  ] as const) {
    const outcome = await run(name, source);
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');
  }
}, 180_000);

afterAll(async () => {
  setApiDependencies(undefined);
  vi.unstubAllEnvs();
  resetEnvironment();
  await server?.close();
  await harness?.close();
});

describe('a conversation run on its earliest 120 comments, then on all', () => {
  it('matches the second job with the first and records the new comments on the job', async () => {
    const job = await harness.repository.requireJob(ALL);
    const lineage = job.lineage as JobLineageSummary;
    const all = commentsByTime(BIODIVERSITY).length;

    expect(lineage.compared_to).toBe(EARLY);
    expect(lineage.comments).toEqual({ new: all - 120, changed: 0, gone: 0 });
    expect((await harness.repository.requireJob(EARLY)).lineage).toMatchObject({ compared_to: null, gone_topics: [] });
  });

  it('carries the first job\'s topic uids, on the topic, keyword, feature and assignment rows', async () => {
    const earlyUids = new Set((await rowsOf('keywords', EARLY)).map((row) => String(row.topic_uid)));
    const keywords = await rowsOf('keywords', ALL);
    const uidByKey = new Map(keywords.map((row) => [String(row.cluster_key), String(row.topic_uid)]));
    const carried = keywords.filter((row) => earlyUids.has(String(row.topic_uid)));

    // In every layer both jobs have, most topics continue a topic of the first job (docs/lineage.md has the figures).
    const earlyLayers = new Set((await rowsOf('keywords', EARLY)).map((row) => Number(row.layer_id)));
    for (const layer of earlyLayers) {
      const inLayer = keywords.filter((row) => Number(row.layer_id) === layer);
      expect(inLayer.filter((row) => carried.includes(row)).length, `layer ${layer}`).toBeGreaterThan(inLayer.length / 2);
      // …and most of them continue one topic one to one: the same, grown or shrunk (Cluster follows the earlier layers).
      const continued = inLayer.filter((row) => ['same', 'grown', 'shrunk'].includes(lineageOf(row).status));
      expect(continued.length, `layer ${layer}`).toBeGreaterThan(inLayer.length / 2);
    }
    // A uid is carried exactly when the topic is matched one to one, and then it is the matched topic's.
    const earlyByKey = new Map((await rowsOf('keywords', EARLY)).map((row) => [String(row.cluster_key), String(row.topic_uid)]));
    for (const row of keywords) {
      const lineage = lineageOf(row);
      if (lineage.matched) expect(row.topic_uid).toBe(earlyByKey.get(lineage.matched));
      else expect(earlyUids.has(String(row.topic_uid))).toBe(false);
    }
    for (const table of ['topicNames', 'features'] as const) {
      for (const row of await rowsOf(table, ALL)) expect(row.topic_uid, `${table} ${String(row.cluster_key)}`).toBe(uidByKey.get(String(row.cluster_key)));
    }
    for (const row of await rowsOf('assignments', ALL)) {
      for (let layer = 0; layer < Number(row.layer_count); layer++) {
        const cluster = Number(row[`layer${layer}_cluster_id`]);
        expect(row[`layer${layer}_topic_uid`]).toBe(cluster < 0 ? undefined : uidByKey.get(`layer${layer}_${cluster}`));
      }
    }
  });

  it('gives each topic the status its shares say, and a layer the first job lacked only new topics', async () => {
    const earlyLayers = new Set((await rowsOf('keywords', EARLY)).map((row) => Number(row.layer_id)));
    for (const row of await rowsOf('keywords', ALL)) {
      const lineage = lineageOf(row);
      if (!earlyLayers.has(Number(row.layer_id))) {
        expect(lineage).toMatchObject({ status: 'new', previous: [] });
        continue;
      }
      if (lineage.status === 'same') expect(Math.min(lineage.kept, lineage.inherited)).toBeGreaterThanOrEqual(0.9);
      if (lineage.status === 'grown' || lineage.status === 'shrunk') {
        const previousSize = lineage.previous[0].shared / lineage.kept;
        expect(lineage.previous).toHaveLength(1);
        expect(Number(row.size) >= Math.round(previousSize)).toBe(lineage.status === 'grown');
      }
      if (lineage.status === 'merged') expect(lineage.previous.length).toBeGreaterThanOrEqual(2);
      if (lineage.status === 'new') expect(lineage.matched).toBeUndefined();
    }
  });

  it('reuses the earlier name of every topic whose members are unchanged, without calling the LLM, and counts the calls saved', async () => {
    const names = await rowsOf('topicNames', ALL);
    const earlyNames = new Map((await rowsOf('topicNames', EARLY)).map((row) => [String(row.cluster_key), row]));
    const reused = names.filter((row) => row.provider === 'reused');

    expect(reused.length).toBe(names.filter((row) => lineageOf(row).status === 'same').length);
    for (const row of reused) {
      const source = row.reused_from as { job_id: string; cluster_key: string; topic_key: string; provider: string };
      expect(source).toEqual({ job_id: EARLY, cluster_key: lineageOf(row).matched, topic_key: earlyNames.get(source.cluster_key)!.topic_key, provider: 'openai' });
      expect(row.topic_name).toBe(earlyNames.get(source.cluster_key)!.topic_name);
      expect(row.model_name).toBe('llama3.1:8b');
    }
    expect(calls.get(EARLY)).toBe((await rowsOf('topicNames', EARLY)).length);
    expect(calls.get(ALL)).toBe(names.length - reused.length);
    expect((await harness.repository.requireJob(ALL)).naming_calls_saved).toBe(reused.length);
  });

  it('lists in the diff the new comments with their topics in every layer', async () => {
    const job = await harness.repository.requireJob(ALL);
    const changes = await readJobChanges(harness.repository, job, await defaultSinceJob(harness.repository, job));
    const newIds = commentsByTime(BIODIVERSITY).map((c) => c.id).filter((id) => !earlyIds.has(id)).sort((a, b) => a - b);
    const assignments = new Map((await rowsOf('assignments', ALL)).map((row) => [Number(row.comment_id), row]));
    const names = new Map((await rowsOf('topicNames', ALL)).map((row) => [String(row.cluster_key), String(row.topic_name)]));

    expect(changes.since.job_id).toBe(EARLY);
    expect(changes.new_comments.map((comment) => comment.comment_id)).toEqual(newIds);
    for (const comment of changes.new_comments) {
      const row = assignments.get(comment.comment_id)!;
      expect(comment.topics.map((topic) => topic.cluster_key)).toEqual(
        Array.from({ length: Number(row.layer_count) }, (_, layer) => (Number(row[`layer${layer}_cluster_id`]) < 0 ? null : `layer${layer}_${row[`layer${layer}_cluster_id`]}`)),
      );
      for (const topic of comment.topics) expect(topic.name).toBe(topic.cluster_key ? names.get(topic.cluster_key) : null);
    }
    // The diff's counts are the ones NameTopics stored.
    const stored = (job.lineage as JobLineageSummary).layers;
    expect(changes.layers.map((layer) => ({ layer_id: layer.layer_id, uids_kept: layer.uids_kept, ...layer.counts }))).toEqual(
      stored.map(({ topics: _topics, ...counts }) => counts),
    );
    const text = formatChanges(changes);
    expect(text).toContain(`comments: ${newIds.length} new, 0 changed, 0 gone`);
    expect(text).toContain(`New comments (${newIds.length})`);
  });

  it('calls every topic `same` when a job is compared with itself', async () => {
    const job = await harness.repository.requireJob(ALL);

    const changes = await readJobChanges(harness.repository, job, job);

    expect(changes.comments).toEqual({ new: 0, changed: 0, gone: 0 });
    for (const layer of changes.layers) {
      expect(layer.counts).toEqual({ same: layer.topics, grown: 0, shrunk: 0, split: 0, merged: 0, new: 0, gone: 0 });
      expect(layer.uids_kept).toBe(layer.topics);
    }
  });

  it('re-run on the same comments against an explicit compare_to: all same, every uid and name kept, no LLM call', async () => {
    const outcome = await run('lineage-again', BIODIVERSITY, { compare_to: ALL });
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');

    const before = new Map((await rowsOf('topicNames', ALL)).map((row) => [String(row.cluster_key), row]));
    const names = await rowsOf('topicNames', AGAIN);
    expect(names.length).toBe(before.size);
    for (const row of names) {
      expect(lineageOf(row)).toMatchObject({ status: 'same', compared_to: ALL, matched: row.cluster_key, overlap: 1 });
      expect(row.topic_uid).toBe(before.get(String(row.cluster_key))!.topic_uid);
      expect(row).toMatchObject({ provider: 'reused', topic_name: before.get(String(row.cluster_key))!.topic_name });
      // A name reused twice still names the LLM that made it.
      expect((row.reused_from as { provider: string }).provider).toBe('openai');
    }
    expect(calls.get(AGAIN)).toBe(0);
    expect((await harness.repository.requireJob(AGAIN)).naming_calls_saved).toBe(names.length);
  });
});

describe('delphi diff', () => {
  it('prints the changes since the matched job, or since the job named, and refuses a malformed one', async () => {
    vi.stubEnv('DYNAMODB_ENDPOINT', harness.db.endpoint);
    resetEnvironment();
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
    try {
      await diffCommand([ALL]);
      await diffCommand([ALL, ALL, '--json']);
      await expect(diffCommand([ALL, 'not a job'])).rejects.toThrow(/other_job_id 'not a job' is malformed/);
    } finally {
      log.mockRestore();
    }
    const [text, json] = printed;
    expect(text).toMatch(new RegExp(`^${ALL} \\(154 comments, .*\\)\n  since ${EARLY} \\(120 comments, `));
    expect(text).toContain('comments: 34 new, 0 changed, 0 gone');
    const self = JSON.parse(json) as JobChanges;
    expect(self.since.job_id).toBe(ALL);
    expect(self.layers.every((layer) => layer.counts.same === layer.topics && layer.counts.gone === 0)).toBe(true);
  });
});

describe('the report', () => {
  it('has a "Since" table when an earlier job exists, and none for the first job', async () => {
    const job = await harness.repository.requireJob(ALL);
    const stored = (job.lineage as JobLineageSummary).layers;

    const data = await loadReportData(harness.repository, ALL);
    const first = await loadReportData(harness.repository, EARLY);
    const html = renderReport(data);

    expect(data.since).toMatchObject({ job_id: EARLY, comments: (job.lineage as JobLineageSummary).comments });
    expect(data.since!.layers.map((layer) => ({ layer_id: layer.layer_id, topics: layer.topics, uids_kept: layer.uids_kept, ...layer.counts }))).toEqual(stored);
    expect(html).toContain(`id="since"`);
    expect(html).toContain(`(job ${EARLY}): ${data.since!.comments.new} new, 0 changed, 0 gone comments`);
    expect(first.since).toBeUndefined();
    expect(renderReport(first)).not.toContain('id="since"');
  });
});

describe('a large job, named layer by layer (NameLayers)', () => {
  it('reuses the names there too, and the job counts the calls saved over all layers', async () => {
    const outcome = await run('lineage-fanout', BIODIVERSITY, { compare_to: AGAIN, fanout_naming_clusters: 1 });
    expect(outcome.status, `${outcome.error}: ${outcome.cause}`).toBe('SUCCEEDED');

    const names = await rowsOf('topicNames', 'pipeline_run_lineage-fanout');
    const layers = new Set(names.map((row) => Number(row.layer_id)));
    expect(outcome.events.filter((event) => event.type === 'StateEntered' && event.state?.name === 'NameLayer')).toHaveLength(layers.size);
    expect(names.every((row) => row.provider === 'reused' && (row.reused_from as { job_id: string }).job_id === AGAIN)).toBe(true);
    expect(calls.get('pipeline_run_lineage-fanout')).toBe(0);
    expect((await harness.repository.requireJob('pipeline_run_lineage-fanout')).naming_calls_saved).toBe(names.length);
  });
});

describe('GET /jobs/{job_id}/changes', () => {
  it('answers the diff against the matched job, or against ?since', async () => {
    const job = await harness.repository.requireJob(ALL);
    const expected = await readJobChanges(harness.repository, job, await harness.repository.requireJob(EARLY));

    const answer = await call<JobChanges & { since_url: string }>(getJobChanges, apiEvent('getJobChanges', { pathParameters: { job_id: ALL } }));
    const self = await call<JobChanges>(getJobChanges, apiEvent('getJobChanges', { pathParameters: { job_id: ALL }, query: { since: ALL } }));

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject(JSON.parse(JSON.stringify(expected)));
    expect(answer.body.since_url).toMatch(new RegExp(`/jobs/${EARLY}$`));
    expect(self.body.layers.every((layer) => layer.counts.same === layer.topics)).toBe(true);
  });

  it('refuses an unknown or malformed since, and says when there is no earlier job', async () => {
    const unknown = await call(getJobChanges, apiEvent('getJobChanges', { pathParameters: { job_id: ALL }, query: { since: 'pipeline_run_nope' } }));
    const malformed = await call(getJobChanges, apiEvent('getJobChanges', { pathParameters: { job_id: ALL }, query: { since: 'a b' } }));
    const first = await call(getJobChanges, apiEvent('getJobChanges', { pathParameters: { job_id: EARLY } }));

    expect(unknown).toMatchObject({ status: 404, body: { error: 'JobNotFound', field: 'since' } });
    expect(malformed).toMatchObject({ status: 400, body: { error: 'BadRequest', field: 'since' } });
    expect(first).toMatchObject({ status: 404, body: { error: 'NoEarlierJob', field: 'since' } });
  });
});

describe('options.compare_to', () => {
  it('fails the job in MarkRunning when it names no job, a job of another conversation, or the job itself', async () => {
    await harness.pipeline.run({ conversation_id: 'another-conversation', source: BIODIVERSITY }, { executionName: 'lineage-other' });
    for (const [executionName, compare_to, message] of [
      ['lineage-missing', 'pipeline_run_nope', /options\.compare_to: no job pipeline_run_nope exists/],
      ['lineage-foreign', 'pipeline_run_lineage-other', /belongs to conversation another-conversation, not scoop-hivemind\.biodiversity/],
      ['lineage-itself', 'pipeline_run_lineage-itself', /names the job itself/],
    ] as const) {
      const outcome = await harness.pipeline.run({ conversation_id: CONVERSATION, source: BIODIVERSITY, options: { compare_to } }, { executionName });
      expect(outcome.status).toBe('FAILED');
      expect(outcome.error).toBe('InvalidInputError');
      expect(outcome.cause).toMatch(message);
      expect(outcome.events.some((event) => event.state?.name === 'Embed')).toBe(false);
    }
  });
});
