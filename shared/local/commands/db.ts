/** delphi db [--port 8000] — serve the local DynamoDB so `sls invoke local` and other processes can use it. */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalDatabase } from '../db';
import { DATA_DIR } from '../database';

export const usage = `db [--port 8000]
      serve the local DynamoDB (dynalite, data under .delphi/) for sls invoke local`;

export async function command(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: 'string', default: '8000' } } });
  const db = await startLocalDatabase({ dataDir: path.join(DATA_DIR, 'dynamodb'), port: Number(values.port) });
  console.log(`Local DynamoDB (dynalite) with the seven Delphi tables at ${db.endpoint}`);
  console.log(`  data: ${path.join(DATA_DIR, 'dynamodb')}`);
  console.log(`  use it with DYNAMODB_ENDPOINT=${db.endpoint} (delphi run, sls invoke local --stage local)`);
  console.log('  Ctrl-C to stop.');
  const stop = async () => {
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
