/**
 * The local DynamoDB: an in-process dynalite server, data under .delphi/ (or in memory for tests),
 * with the seven tables created from shared/schema.ts — the same declarations CloudFormation gets.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
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

type LevelClass = { prototype: { _open(options: unknown): Promise<void>; location: string } };

/**
 * How dynalite's own LevelDB open ended, by folder. dynalite opens its database in the background and,
 * when another process holds the folder, crashes the process on the first request ("Database is not
 * open"); a probe opened and closed before it leaves a window in which a second process takes the
 * lock. So the one open that matters — dynalite's — is watched (its class's `_open`, wrapped once).
 */
const openings = new Map<string, Promise<void>>();
{
  // dynalite's own `level`, whatever the hoisting.
  const { Level } = createRequire(require.resolve('dynalite'))('level') as { Level: LevelClass };
  const open = Level.prototype._open;
  Level.prototype._open = function watchedOpen(this: LevelClass['prototype'], options: unknown) {
    const opening = open.call(this, options);
    opening.catch(() => undefined); // a failure is reported by awaitOpen, not as an unhandled rejection
    openings.set(path.resolve(this.location), opening);
    return opening;
  };
}

const isLockError = (error: unknown) => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return (error as { code?: string }).code === 'LEVEL_LOCKED' || cause?.code === 'LEVEL_LOCKED' || /lock/i.test(String(cause?.message ?? (error as Error).message));
};

/** Waits for dynalite's open of `dataDir`: a DatabaseLockedError when another process holds it. */
async function awaitOpen(dataDir: string): Promise<void> {
  const folder = path.resolve(dataDir);
  for (let tick = 0; tick < 100 && !openings.has(folder); tick++) await new Promise((resolve) => setImmediate(resolve));
  try {
    await openings.get(folder);
  } catch (error) {
    if (isLockError(error)) throw new DatabaseLockedError(dataDir);
    throw error;
  } finally {
    openings.delete(folder);
  }
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
    openings.delete(path.resolve(options.dataDir));
  }
  const server = dynalite({ path: options.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  if (options.dataDir) {
    try {
      await awaitOpen(options.dataDir);
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw error;
    }
  }
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
