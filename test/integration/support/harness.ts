/** Test harness: an in-memory dynalite with the seven tables, and the real ASL bound to the real handlers. */
import * as path from 'node:path';
import { setDependencies } from '../../../shared/dependencies';
import { startLocalDatabase, type LocalDatabase } from '../../../shared/local/db';
import { LocalPipeline } from '../../../shared/local/runner';
import type { Item, Repository } from '../../../shared/repository';
import { TABLE_IDS, TABLES, type TableId } from '../../../shared/schema';

export const FIXTURES = path.resolve(__dirname, '../../fixtures');
export const BIODIVERSITY = path.join(FIXTURES, 'scoop-hivemind.biodiversity');
export const MARCH_ON = path.join(FIXTURES, 'march-on.operation-marchin-orders');

export interface Harness {
  db: LocalDatabase;
  repository: Repository;
  pipeline: LocalPipeline;
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
    close: async () => {
      setDependencies(undefined);
      await db.close();
    },
  };
}

/** Attributes that record wall-clock time: the only ones allowed to differ between two runs of a step. */
export const WALL_CLOCK_ATTRIBUTES = ['created_at'];

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
