/** Test harness: an in-memory dynalite with the seven tables, and the real ASL bound to the real handlers. */
import * as path from 'node:path';
import { createDocumentClient } from '../../../shared/aws/clients';
import { setDependencies } from '../../../shared/dependencies';
import { startLocalDatabase, type LocalDatabase } from '../../../shared/local/dynaliteServer';
import { LocalPipeline } from '../../../shared/local/runner';
import { Repository, type Item, type RepositoryOptions } from '../../../shared/repository';
import { TABLE_IDS, TABLES, type TableId } from '../../../shared/schema';

export const FIXTURES = path.resolve(__dirname, '../../fixtures');
export const BIODIVERSITY = path.join(FIXTURES, 'scoop-hivemind.biodiversity');
export const MARCH_ON = path.join(FIXTURES, 'march-on.operation-marchin-orders');

export interface Harness {
  db: LocalDatabase;
  repository: Repository;
  pipeline: LocalPipeline;
  /** A repository on the same database (or another endpoint) with other options, e.g. a fault hook. */
  repositoryWith(options: Omit<RepositoryOptions, 'client'>, endpoint?: string): Repository;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const db = await startLocalDatabase({ repositoryOptions: { backoffBaseMs: 5 } });
  setDependencies({ repository: db.repository });
  const pipeline = new LocalPipeline();
  return {
    db,
    repository: db.repository,
    pipeline,
    repositoryWith: (options, endpoint = db.endpoint) =>
      new Repository({ client: createDocumentClient(endpoint, { maxAttempts: 4, baseDelayMs: 5 }), backoffBaseMs: 5, ...options }),
    close: async () => {
      setDependencies(undefined);
      await db.close();
    },
  };
}

/** Attributes that record wall-clock time: the only ones allowed to differ between two runs of a step. */
export const WALL_CLOCK_ATTRIBUTES = ['created_at'];

/**
 * Job record attributes that record wall-clock time (when, how long) or the execution's own history
 * (its name, how often it failed and was redriven): the only ones excluded when comparing two jobs.
 */
export const JOB_WALL_CLOCK_ATTRIBUTES = [
  'created_at', 'started_at', 'updated_at', 'completed_at', 'failed_at', 'redriven_at', 'steps', 'step_timings_ms',
  'execution_name', 'execution_arn', 'failure_redrive_count', 'redrive_count',
];

/**
 * How a job relates to the earlier jobs of its conversation (docs/lineage.md): two jobs of the same
 * input differ there by design (the second is matched with the first, its clustering parameters
 * say it followed the first one's layers: `continuity_layers`, and Embed says whose vectors it
 * reused: `embedding_reuse`), so comparing them leaves those out. The topic uids and the vectors
 * stay in: the second job carries the first one's uids, and the same bytes.
 */
export const LINEAGE_ATTRIBUTES = ['lineage', 'continuity_layers', 'embedding_reuse'];

/** A job's rows in all seven tables with its job_id replaced, to compare two jobs of the same input. */
export async function dumpJobComparable(repository: Repository, jobId: string): Promise<Record<string, unknown>> {
  const job = await repository.requireJob(jobId);
  const record = Object.fromEntries(Object.entries(job).filter(([key]) => !JOB_WALL_CLOCK_ATTRIBUTES.includes(key)));
  const text = JSON.stringify({ config: record, ...(await dumpJob(repository, jobId)) }, (key, value) =>
    LINEAGE_ATTRIBUTES.includes(key) ? undefined : value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
  );
  return JSON.parse(text.split(jobId).join('<job_id>'));
}

/** Every row of the job in a table, sorted by range key, with wall-clock attributes removed. */
export async function dumpTable(repository: Repository, table: TableId, jobId: string): Promise<Item[]> {
  const rows = await repository.queryByJob(table, jobId);
  const range = TABLES[table].rangeKey.name;
  return rows
    .map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !WALL_CLOCK_ATTRIBUTES.includes(key))))
    .sort((a, b) => String(a[range]).localeCompare(String(b[range])));
}

export async function dumpJob(repository: Repository, jobId: string): Promise<Record<string, Item[]>> {
  const tables = TABLE_IDS.filter((table) => table !== 'config');
  const dumps = await Promise.all(tables.map((table) => dumpTable(repository, table, jobId)));
  return Object.fromEntries(tables.map((table, i) => [table, dumps[i]]));
}
