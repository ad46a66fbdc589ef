/** Opens the local DynamoDB for a CLI command: DYNAMODB_ENDPOINT when set, else dynalite under .delphi/. */
import * as path from 'node:path';
import { createDocumentClient } from '../aws/clients';
import { Repository } from '../repository';
import { createTables, startLocalDatabase } from './db';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const BUNDLED_CONVERSATION = path.join(REPO_ROOT, 'test/fixtures/scoop-hivemind.biodiversity');
export const DATA_DIR = path.resolve(process.env.DELPHI_DATA_DIR ?? path.join(REPO_ROOT, '.delphi'));

export interface OpenDatabase {
  repository: Repository;
  endpoint: string;
  close(): Promise<void>;
}

export async function openDatabase(): Promise<OpenDatabase> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (endpoint) {
    await createTables(endpoint);
    const client = createDocumentClient(endpoint);
    return { repository: new Repository({ client }), endpoint, close: async () => client.destroy() };
  }
  try {
    return await startLocalDatabase({ dataDir: path.join(DATA_DIR, 'dynamodb') });
  } catch (error) {
    if (/lock/i.test(String((error as Error).message))) {
      throw new Error(
        `${DATA_DIR}/dynamodb is in use by another process (is \`delphi db\` running?). Set DYNAMODB_ENDPOINT to its endpoint.`,
      );
    }
    throw error;
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
