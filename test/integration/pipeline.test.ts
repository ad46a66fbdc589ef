import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as clusterHandler } from '../../functions/cluster';
import { handler as computeFeaturesHandler } from '../../functions/computeFeatures';
import { handler as embedHandler } from '../../functions/embed';
import { handler as extractKeywordsHandler } from '../../functions/extractKeywords';
import { handler as nameTopicsHandler } from '../../functions/nameTopics';
import { handler as projectUmapHandler } from '../../functions/projectUmap';
import type { ExecutionOutcome } from '../../shared/local/runner';
import { TABLE_IDS, TABLES, type TableId } from '../../shared/schema';
import { BIODIVERSITY, dumpJob, dumpTable, startHarness, type Harness } from './support/harness';

const CONVERSATION = 'scoop-hivemind.biodiversity';
const STEP_TABLES: Record<string, { table: TableId; handler: (event: never, context: never) => Promise<unknown> }> = {
  Embed: { table: 'embeddings', handler: embedHandler },
  ProjectUmap: { table: 'graph', handler: projectUmapHandler },
  Cluster: { table: 'assignments', handler: clusterHandler },
  ExtractKeywords: { table: 'keywords', handler: extractKeywordsHandler },
  ComputeFeatures: { table: 'features', handler: computeFeaturesHandler },
  NameTopics: { table: 'topicNames', handler: nameTopicsHandler },
};

let harness: Harness;
let first: ExecutionOutcome;

beforeAll(async () => {
  harness = await startHarness();
  first = await harness.pipeline.run({ conversation_id: CONVERSATION, source: BIODIVERSITY }, { executionName: 'first-run' });
});

afterAll(async () => harness?.close());

describe('the pipeline on the bundled biodiversity conversation', () => {
  it('succeeds with a job_id made from the execution name', () => {
    expect(first.status, `${first.error}: ${first.cause}`).toBe('SUCCEEDED');
    expect(first.output?.job_id).toBe('pipeline_run_first-run');
  });

  it('writes rows under the job_id in all seven tables, each carrying job_id and conversation_id', async () => {
    for (const table of TABLE_IDS) {
      const rows = await harness.repository.queryByJob(table, 'pipeline_run_first-run');
      expect(rows.length, table).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.job_id).toBe('pipeline_run_first-run');
        expect(row.conversation_id).toBe(CONVERSATION);
      }
    }
  });

  it('finds the same rows through ConversationIdIndex as by job_id', async () => {
    for (const table of TABLE_IDS) {
      const range = TABLES[table].rangeKey.name;
      const byJob = await harness.repository.queryByJob(table, 'pipeline_run_first-run');
      const { items } = await harness.repository.queryByConversation(table, CONVERSATION);
      const keysOf = (rows: Record<string, unknown>[]) =>
        rows
          .filter((row) => row.job_id === 'pipeline_run_first-run')
          .map((row) => String(row[range]))
          .sort();
      expect(keysOf(items), table).toEqual(keysOf(byJob));
    }
  });

  it('ends the job COMPLETED with counts that match the tables', async () => {
    const job = await harness.repository.getJob('pipeline_run_first-run');
    expect(job?.status).toBe('COMPLETED');
    expect(job?.execution_name).toBe('first-run');
    const counts = job?.counts as Record<string, number>;
    for (const table of TABLE_IDS.filter((id) => id !== 'config')) {
      expect(counts[harness.repository.tableName(table)], table).toBe(await harness.repository.countByJob(table, 'pipeline_run_first-run'));
    }
    // 316 comments in the export: 154 accepted by the moderators, 162 moderated out (moderated = -1).
    expect(counts.Delphi_CommentEmbeddings).toBe(154);
    expect(job?.num_comments).toBe(154);
    expect(job?.source_filtering).toEqual({ moderated_out: 162, empty: 0 });
    const layers = job?.cluster_layers as Array<{ num_clusters: number }>;
    expect(layers.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(job?.step_timings_ms as object)).toEqual(Object.keys(STEP_TABLES));
  });

  it('nests every fine cluster inside one coarse cluster', async () => {
    const rows = await harness.repository.queryByJob('assignments', 'pipeline_run_first-run');
    const layerCount = Number(rows[0].layer_count);
    for (let layer = 0; layer + 1 < layerCount; layer++) {
      const parents = new Map<number, Set<number>>();
      for (const row of rows) {
        const fine = Number(row[`layer${layer}_cluster_id`]);
        if (fine < 0) continue;
        const set = parents.get(fine) ?? new Set();
        set.add(Number(row[`layer${layer + 1}_cluster_id`]));
        parents.set(fine, set);
      }
      for (const [fine, set] of parents) expect(set.size, `layer ${layer} cluster ${fine}`).toBe(1);
    }
  });

  it('names every cluster with the offline keywords provider', async () => {
    const names = await harness.repository.queryByJob('topicNames', 'pipeline_run_first-run');
    const keywords = await harness.repository.queryByJob('keywords', 'pipeline_run_first-run');
    expect(names.length).toBe(keywords.length);
    for (const row of names) {
      expect(row.provider).toBe('keywords');
      expect(String(row.topic_name).length).toBeGreaterThan(2);
      expect(row.topic_key).toBe(`pipeline_run_first-run#${row.layer_id}#${row.cluster_id}`);
    }
  });
});

describe('the seed', () => {
  it('moves the map but not the topics: the layers come from the embeddings alone', async () => {
    const run = async (seed: number) => {
      const outcome = await harness.pipeline.run({ conversation_id: CONVERSATION, source: BIODIVERSITY, options: { seed } }, { executionName: `seed-${seed}` });
      expect(outcome.status).toBe('SUCCEEDED');
      const job = `pipeline_run_seed-${seed}`;
      const byId = <T>(rows: Record<string, unknown>[], pick: (row: Record<string, unknown>) => T) =>
        rows.sort((a, b) => Number(a.comment_id ?? a.source_id) - Number(b.comment_id ?? b.source_id)).map(pick);
      const assignments = byId(await harness.repository.queryByJob('assignments', job), (row) => [row.layer0_cluster_id, row.layer1_cluster_id]);
      const positions = byId(await harness.repository.queryByJob('graph', job, { where: { is_node: true } }), (row) => row.position);
      return { assignments, positions };
    };
    const [first, second] = [await run(42), await run(7)];
    expect(second.assignments).toEqual(first.assignments);
    expect(second.positions).not.toEqual(first.positions);
  });
});

describe('jobs', () => {
  it('gives two runs of the same conversation different job_ids, neither overwriting the other', async () => {
    const before = await dumpJob(harness.repository, 'pipeline_run_first-run');
    const second = await harness.pipeline.run({ conversation_id: CONVERSATION, source: BIODIVERSITY }, { executionName: 'second-run' });
    expect(second.status).toBe('SUCCEEDED');
    expect(second.output?.job_id).toBe('pipeline_run_second-run');
    expect(await dumpJob(harness.repository, 'pipeline_run_first-run')).toEqual(before);
    expect(await harness.repository.countByJob('embeddings', 'pipeline_run_second-run')).toBe(before.embeddings.length);
    const { items } = await harness.repository.queryByConversation('config', CONVERSATION, { newestFirst: true });
    expect(items.map((job) => job.job_id)).toEqual(expect.arrayContaining(['pipeline_run_first-run', 'pipeline_run_second-run']));
  });

  it('uses a job_id given in the input as is', async () => {
    const outcome = await harness.pipeline.run(
      { conversation_id: CONVERSATION, source: BIODIVERSITY, job_id: 'nightly-2026-11-27' },
      { executionName: 'given-job-id' },
    );
    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output?.job_id).toBe('nightly-2026-11-27');
    expect((await harness.repository.getJob('nightly-2026-11-27'))?.status).toBe('COMPLETED');
    expect(await harness.repository.getJob('pipeline_run_given-job-id')).toBeUndefined();
  });

  it('rejects a malformed job_id with a clear error and writes nothing', async () => {
    const outcome = await harness.pipeline.run(
      { conversation_id: CONVERSATION, source: BIODIVERSITY, job_id: 'bad id with spaces/and/slashes' },
      { executionName: 'malformed-job-id' },
    );
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('InvalidInputError');
    expect(outcome.cause).toMatch(/job_id "bad id with spaces\/and\/slashes" is malformed/);
    expect(outcome.events.some((event) => event.type === 'StateRetried')).toBe(false);
    const { items } = await harness.repository.queryByConversation('config', CONVERSATION);
    expect(items.some((job) => String(job.job_id).startsWith('bad id'))).toBe(false);
  });
});

describe('idempotent steps', () => {
  it.each(Object.keys(STEP_TABLES))('leaves exactly the same rows when %s runs twice for a job', async (step) => {
    const { table, handler } = STEP_TABLES[step];
    const state = { job_id: 'pipeline_run_first-run', conversation_id: CONVERSATION, source: BIODIVERSITY, options: {} };
    const before = await dumpJob(harness.repository, 'pipeline_run_first-run');
    await handler(state as never, {} as never);
    const after = await dumpJob(harness.repository, 'pipeline_run_first-run');
    expect(after[table].length).toBeGreaterThan(0);
    expect(after).toEqual(before);
  });

  it('removes rows a re-run no longer produces', async () => {
    const rows = await harness.repository.queryByJob('keywords', 'pipeline_run_first-run');
    const stale = { ...rows[0], cluster_key: 'layer9_999', layer_id: 9, cluster_id: 999 };
    await harness.repository.replaceJobRows('keywords', 'pipeline_run_first-run', [...rows, stale]);
    expect((await dumpTable(harness.repository, 'keywords', 'pipeline_run_first-run')).some((row) => row.cluster_key === 'layer9_999')).toBe(true);
    await extractKeywordsHandler(
      { job_id: 'pipeline_run_first-run', conversation_id: CONVERSATION, source: BIODIVERSITY } as never,
      {} as never,
    );
    const after = await dumpTable(harness.repository, 'keywords', 'pipeline_run_first-run');
    expect(after.some((row) => row.cluster_key === 'layer9_999')).toBe(false);
  });

  it('replaces rows given in parts: both parts kept, stale rows deleted, a key repeated across parts refused', async () => {
    const job = 'pipeline_run_parts';
    const row = (edge_id: string) => ({ job_id: job, conversation_id: CONVERSATION, edge_id, source_id: 1, target_id: 2, is_node: false });
    await harness.repository.replaceJobRows('graph', job, [row('1_2'), row('stale')]);

    const replacement = await harness.repository.beginReplace('graph', job);
    await replacement.write([row('1_2'), row('1_3')]);
    await replacement.write([row('2_2')]);
    await expect(replacement.write([row('1_3')])).rejects.toThrow(/Duplicate edge_id 1_3/);
    expect(await replacement.finish()).toEqual({ written: 3, deleted: 1 });

    const keys = (await harness.repository.queryKeys('graph', job)).map((item) => item.edge_id);
    expect(keys.sort()).toEqual(['1_2', '1_3', '2_2']);
  });
});

describe('failures', () => {
  it('fails the execution on a non-retryable error and records the step and the cause on the job', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'delphi-bad-'));
    writeFileSync(path.join(folder, 'comments.csv'), 'comment-id,author-id,moderated\n1,2,1\n');
    const outcome = await harness.pipeline.run({ conversation_id: 'broken-export', source: folder }, { executionName: 'broken-export' });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('InvalidInputError');
    expect(outcome.cause).toMatch(/^Embed failed: comments.csv is missing column\(s\) comment-body/);
    expect(outcome.events.some((event) => event.type === 'StateRetried')).toBe(false);
    const job = await harness.repository.getJob('pipeline_run_broken-export');
    expect(job?.status).toBe('FAILED');
    expect(job?.error).toEqual({
      type: 'InvalidInputError',
      step: 'Embed',
      cause: expect.stringMatching(/comments.csv is missing column\(s\) comment-body/),
    });
    expect((job?.steps as Record<string, { status: string }>).Embed.status).toBe('FAILED');
    expect(await harness.repository.countByJob('embeddings', 'pipeline_run_broken-export')).toBe(0);
  });
});
