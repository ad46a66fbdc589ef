/**
 * The local DynamoDB: an in-process dynalite server, data under .delphi/ (or in memory for tests),
 * with the seven tables created from shared/schema.ts — the same declarations CloudFormation gets.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../aws/clients';
import { Repository, type RepositoryOptions } from '../repository';
import { TABLE_IDS, createTableInput } from '../schema';

// dynalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

/** Another process holds the LevelDB folder (LevelDB allows one process per folder). */
export class DatabaseLockedError extends Error {
  constructor(readonly dataDir: string) {
    super(`${dataDir} is in use by another process`);
    this.name = 'DatabaseLockedError';
  }
}

/**
 * dynalite opens its LevelDB lazily and, when another process holds the folder, crashes the process
 * on the first request ("Database is not open"). Opening it here first turns that into an error.
 */
async function assertNotLocked(dataDir: string): Promise<void> {
  // dynalite's own `level`, whatever the hoisting.
  const { Level } = createRequire(require.resolve('dynalite'))('level') as {
    Level: new (location: string) => { open(): Promise<void>; close(): Promise<void> };
  };
  const probe = new Level(dataDir);
  try {
    await probe.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED' || /lock/i.test(String((error as { cause?: Error }).cause?.message))) throw new DatabaseLockedError(dataDir);
    throw error;
  }
  await probe.close();
}

export interface LocalDatabase {
  endpoint: string;
  port: number;
  repository: Repository;
  close(): Promise<void>;
}

export interface LocalDatabaseOptions {
  /** Folder for the LevelDB files; omitted = in memory. */
  dataDir?: string;
  port?: number;
  host?: string;
  repositoryOptions?: Omit<RepositoryOptions, 'client'>;
}

export async function createTables(endpoint: string, suffix = ''): Promise<string[]> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    const created: string[] = [];
    for (const id of TABLE_IDS) {
      const input = createTableInput(id, suffix);
      if (existing.has(input.TableName!)) continue;
      await client.send(new CreateTableCommand(input));
      created.push(input.TableName!);
    }
    return created;
  } finally {
    client.destroy();
  }
}

export async function startLocalDatabase(options: LocalDatabaseOptions = {}): Promise<LocalDatabase> {
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    await assertNotLocked(options.dataDir);
  }
  const server = dynalite({ path: options.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host}:${port}`;
  await createTables(endpoint);
  const client = createDocumentClient(endpoint);
  return {
    endpoint,
    port,
    repository: new Repository({ client, ...options.repositoryOptions }),
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
