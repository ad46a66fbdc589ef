/** delphi db [--port 8000] — serve the local DynamoDB so `sls invoke local` and other processes can use it. */
import { announceEndpoint, DYNAMODB_DIR, ENDPOINT_FILE, displayPath, holdLocalDatabase } from '../openDatabase';
import { parseCommandArgs, parsePort } from '../usage';

export const usage = `db [--port 8000]
      serve the local DynamoDB (dynalite, data under .delphi/) for sls invoke local and other processes`;

export async function command(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, { options: { port: { type: 'string' } } });
  const port = parsePort('--port', values.port ?? '8000');
  const db = await holdLocalDatabase(port).catch((error: Error) => {
    throw /EADDRINUSE/.test(error.message) ? new Error(`port ${port} is in use: choose another with --port`) : error;
  });
  const removeEndpoint = announceEndpoint({ endpoint: db.endpoint, command: 'db' });
  console.log(`Local DynamoDB (dynalite) with the seven Delphi tables at ${db.endpoint}`);
  console.log(`  data: ${displayPath(DYNAMODB_DIR)} (endpoint in ${displayPath(ENDPOINT_FILE)}: other delphi commands use it by themselves)`);
  console.log(`  sls invoke local --stage local: DYNAMODB_ENDPOINT=${db.endpoint}`);
  console.log('  Ctrl-C to stop.');
  const stop = async () => {
    removeEndpoint();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
