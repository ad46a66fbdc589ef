/**
 * Opens the local DynamoDB for a CLI command: DYNAMODB_ENDPOINT when set; else the one a running
 * `delphi db` / `delphi serve` announces in .delphi/endpoint.json; else dynalite in this process, data
 * under .delphi/ (DELPHI_DATA_DIR). Only one process can hold .delphi/dynamodb (LevelDB locks it), so
 * the process that holds it writes its endpoint next to the data and removes the file on exit.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import * as path from 'node:path';
import { environment } from '../config';
import type { Repository } from '../repository';
import type { LocalDatabase } from './dynaliteServer';

// The SDK, the repository and dynalite load only when a command opens the database (usage errors and
// --help stay fast).
const loadDb = () => import('./dynaliteServer');
const isLocked = (error: unknown) => (error as Error | undefined)?.name === 'DatabaseLockedError';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const BUNDLED_CONVERSATION = path.join(REPO_ROOT, 'test/fixtures/scoop-hivemind.biodiversity');
export const DATA_DIR = path.resolve(environment().DELPHI_DATA_DIR ?? path.join(REPO_ROOT, '.delphi'));
export const DYNAMODB_DIR = path.join(DATA_DIR, 'dynamodb');
/** Written by the process that holds DYNAMODB_DIR (`delphi db`, `delphi serve`). */
export const ENDPOINT_FILE = path.join(DATA_DIR, 'endpoint.json');

export interface OpenDatabase {
  repository: Repository;
  endpoint: string;
  /** Where the endpoint came from. */
  via: 'DYNAMODB_ENDPOINT' | 'endpoint-file' | 'in-process';
  /** The command that serves it, when found through the endpoint file. */
  server?: EndpointInfo;
  close(): Promise<void>;
}

export interface EndpointInfo {
  pid: number;
  /** The DynamoDB endpoint. */
  endpoint: string;
  command: string;
  /** `delphi serve`'s HTTP API. */
  api?: string;
  data_dir: string;
  started_at: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function reachable(endpoint: string, timeoutMs = 1000): Promise<boolean> {
  const url = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 80) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function readEndpointFile(file = ENDPOINT_FILE): EndpointInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as EndpointInfo;
    return Number.isInteger(info.pid) && typeof info.endpoint === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The endpoint of a running `delphi db` / `delphi serve` for DATA_DIR; a stale file (process gone, port closed) is removed. */
export async function findRunningServer(file = ENDPOINT_FILE): Promise<EndpointInfo | undefined> {
  const info = readEndpointFile(file);
  if (!info) return undefined;
  if (info.pid !== process.pid && pidAlive(info.pid) && (await reachable(info.endpoint))) return info;
  if (info.pid !== process.pid) removeFile(file);
  return undefined;
}

function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/**
 * Announces this process's database in ENDPOINT_FILE and removes the file when the process exits
 * (only if it is still ours). Returns the function that removes it now.
 */
export function announceEndpoint(info: Omit<EndpointInfo, 'pid' | 'data_dir' | 'started_at'>, file = ENDPOINT_FILE): () => void {
  mkdirSync(path.dirname(file), { recursive: true });
  const record: EndpointInfo = { pid: process.pid, ...info, data_dir: DATA_DIR, started_at: new Date().toISOString() };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(temporary, file);
  const remove = () => {
    if (readEndpointFile(file)?.pid === process.pid) removeFile(file);
  };
  process.once('exit', remove);
  return remove;
}

async function fromEndpoint(endpoint: string, via: OpenDatabase['via'], server?: EndpointInfo): Promise<OpenDatabase> {
  const [{ createDocumentClient }, { Repository }] = await Promise.all([import('../aws/clients'), import('../repository')]);
  const client = createDocumentClient(endpoint);
  return { repository: new Repository({ client }), endpoint, via, server, close: async () => client.destroy() };
}

function describeServer(info: EndpointInfo): string {
  return `\`delphi ${info.command}\` (pid ${info.pid})`;
}

/** Holds DYNAMODB_DIR in this process (for `delphi db` and `delphi serve`); a clear error when another process holds it. */
export async function holdLocalDatabase(port?: number): Promise<LocalDatabase> {
  const running = await findRunningServer();
  if (running) {
    throw new Error(`${describeServer(running)} already serves ${DATA_DIR} at ${running.endpoint}; stop it first, or use it (other delphi commands find it by themselves)`);
  }
  const { startLocalDatabase } = await loadDb();
  try {
    return await startLocalDatabase({ dataDir: DYNAMODB_DIR, port });
  } catch (error) {
    if (isLocked(error)) {
      throw new Error(`${DYNAMODB_DIR} is held by another process that did not announce its endpoint: stop it, or set DYNAMODB_ENDPOINT to its endpoint`);
    }
    throw error;
  }
}

export async function openDatabase(): Promise<OpenDatabase> {
  const endpoint = environment().DYNAMODB_ENDPOINT;
  const { createTables, startLocalDatabase } = await loadDb();
  if (endpoint) {
    await createTables(endpoint);
    return fromEndpoint(endpoint, 'DYNAMODB_ENDPOINT');
  }
  const running = await findRunningServer();
  if (running) return fromEndpoint(running.endpoint, 'endpoint-file', running);
  try {
    return { ...(await startLocalDatabase({ dataDir: DYNAMODB_DIR })), via: 'in-process' };
  } catch (error) {
    if (!isLocked(error)) throw error;
    // A server may have started between the two checks.
    const late = await findRunningServer();
    if (late) return fromEndpoint(late.endpoint, 'endpoint-file', late);
    throw new Error(`${DYNAMODB_DIR} is held by another process that did not announce its endpoint: stop it, or set DYNAMODB_ENDPOINT to its endpoint`);
  }
}

/** Opens the database, runs `work`, always closes. */
export async function withDatabase<T>(work: (db: OpenDatabase) => Promise<T>): Promise<T> {
  const db = await openDatabase();
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** A path as the CLI shows it: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string): string {
  const absolute = path.resolve(file);
  const relative = path.relative(process.cwd(), absolute);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
}
