/** delphi serve [--port 3000] — the HTTP API on 127.0.0.1, jobs run in this process with the local runner. */
import { announceEndpoint, BUNDLED_CONVERSATION, DATA_DIR, openDatabase } from '../openDatabase';
import { parseCommandArgs, parsePort } from '../usage';

export const usage = `serve [--port 3000]
      serve the HTTP API on 127.0.0.1 (the Lambda handlers; jobs run locally), see README "HTTP API"`;

export async function command(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, { options: { port: { type: 'string' } } });
  const port = parsePort('--port', values.port ?? '3000');
  const [{ ROUTES }, { startLocalApi }, { executionsDir, LeaseHolder, markInterruptedJobs }] = await Promise.all([
    import('../../api/routes'),
    import('../server'),
    import('../lease'),
  ]);
  const db = await openDatabase();
  const leases = executionsDir(DATA_DIR);
  // Jobs of processes killed since (a `delphi run`, an earlier serve): FAILED, and resumable.
  const interrupted = await markInterruptedJobs(db.repository, leases);
  const api = await startLocalApi({
    repository: db.repository,
    port,
    lease: () => new LeaseHolder({ repository: db.repository, dir: leases }),
    log: (line) => console.log(`${new Date().toISOString().slice(11, 23)}  ${line}`),
  }).catch(async (error: Error) => {
    await db.close();
    throw /EADDRINUSE/.test(error.message) ? new Error(`port ${port} is in use: choose another with --port`) : error;
  });
  // Holding the data in this process: tell the other delphi commands where it is (a running `delphi db` already did).
  const removeEndpoint = db.via === 'in-process' ? announceEndpoint({ endpoint: db.endpoint, command: 'serve', api: api.url }) : () => undefined;
  const via = db.server ? ` of \`delphi ${db.server.command}\` (pid ${db.server.pid})` : '';
  console.log(`Delphi API at ${api.url} (no authentication: loopback only; data at ${db.endpoint}${via})`);
  for (const route of ROUTES) console.log(`  ${route.method.padEnd(5)} ${route.path}`);
  for (const jobId of interrupted) console.log(`Interrupted job ${jobId} (its process was gone) is marked FAILED: delphi resume ${jobId}`);
  console.log(`Start a job:\n  curl -s -X POST ${api.url}/conversations/bio/jobs -H 'Content-Type: application/json' \\`);
  console.log(`    -d '{"source": "${BUNDLED_CONVERSATION}"}'`);
  console.log('Ctrl-C to stop (running jobs are finished first; Ctrl-C twice to quit at once).');

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(130);
    stopping = true;
    await api.close();
    if (api.executions.running > 0) console.log(`Waiting for ${api.executions.running} running job(s)…`);
    await api.executions.settle();
    removeEndpoint();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
