/**
 * `delphi` — run the pipeline locally and read its results.
 *   delphi run [<polis-export-dir>] [--conversation-id ID] [--job-id ID] [--options JSON]
 *   delphi jobs <conversation_id>
 *   delphi show <job_id> [--layer N]
 *   delphi db [--port 8000]
 * Data lives in an in-process dynalite under .delphi/ (or DYNAMODB_ENDPOINT when set).
 */
import './polyfills';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const REPO_ROOT = path.resolve(__dirname, '../..');
export const BUNDLED_CONVERSATION = path.join(REPO_ROOT, 'test/fixtures/scoop-hivemind.biodiversity');
const DATA_DIR = path.resolve(process.env.DELPHI_DATA_DIR ?? path.join(REPO_ROOT, '.delphi'));

const USAGE = `Usage:
  delphi run [<polis-export-dir>] [--conversation-id ID] [--job-id ID] [--options JSON]
                                  run the whole state machine on a Polis export (default: the bundled
                                  biodiversity conversation)
  delphi jobs <conversation_id>   list a conversation's jobs, newest first
  delphi show <job_id> [--layer N] show a job's status and topics
  delphi db [--port 8000]         serve the local DynamoDB (for sls invoke local)
Data: ${path.relative(process.cwd(), DATA_DIR) || '.'}/dynamodb (DELPHI_DATA_DIR), or DYNAMODB_ENDPOINT when set.`;

async function openDatabase() {
  const { startLocalDatabase, createTables } = await import('./db');
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (endpoint) {
    await createTables(endpoint);
    const { Repository } = await import('../repository');
    const { createDocumentClient } = await import('../aws/clients');
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

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

async function run(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      default: { type: 'boolean' },
      'conversation-id': { type: 'string' },
      'job-id': { type: 'string' },
      options: { type: 'string' },
      'execution-name': { type: 'string' },
    },
  });
  const source = path.resolve(positionals[0] ?? BUNDLED_CONVERSATION);
  const conversation_id = values['conversation-id'] ?? path.basename(source).replace(/[^A-Za-z0-9_.:-]/g, '-');
  const input: Record<string, unknown> = { conversation_id, source };
  if (values['job-id']) input.job_id = values['job-id'];
  if (values.options) input.options = JSON.parse(values.options);

  const db = await openDatabase();
  try {
    const { setDependencies } = await import('../dependencies');
    setDependencies({ repository: db.repository });
    const { LocalPipeline } = await import('./runner');
    const { printSummary } = await import('./summary');
    const pipeline = new LocalPipeline();
    console.log(`Delphi pipeline — conversation ${conversation_id}`);
    console.log(`  source: ${path.relative(process.cwd(), source) || source}`);
    const entered = new Map<string, number>();
    const started = Date.now();
    const outcome = await pipeline.run(input, {
      executionName: values['execution-name'],
      onEvent: (event) => {
        const name = event.state?.name;
        if (!name) return;
        if (event.type === 'StateEntered') entered.set(name, event.timestamp);
        if (event.type === 'StateExited') {
          const output = event.state?.output as Record<string, unknown> | undefined;
          const stepSummary = (output?.steps as Record<string, Record<string, unknown>> | undefined)?.[name];
          const extra = stepSummary ? `  ${stepSummary.rows_written} rows` : name === 'MarkRunning' ? `  job_id ${output?.job_id}` : '';
          console.log(`  ✓ ${name.padEnd(16)} ${formatMs(event.timestamp - (entered.get(name) ?? event.timestamp)).padStart(9)}${extra}`);
        }
        if (event.type === 'StateRetried') console.log(`  ↻ ${name} retried (attempt ${event.retry?.attempt})`);
        if (event.type === 'StateFailed') console.log(`  ✗ ${name} failed: ${event.Error}`);
      },
    });
    console.log(`Execution ${outcome.executionName} ${outcome.status} in ${formatMs(Date.now() - started)}`);
    if (outcome.status === 'FAILED') {
      console.error(`  ${outcome.error}: ${outcome.cause}`);
      process.exitCode = 1;
      return;
    }
    await printSummary(db.repository, String(outcome.output?.job_id));
  } finally {
    await db.close();
  }
}

async function jobs(args: string[]) {
  const conversationId = args[0];
  if (!conversationId) throw new Error('usage: delphi jobs <conversation_id>');
  const db = await openDatabase();
  try {
    const { listConversationJobs } = await import('../results');
    const { jobs: list } = await listConversationJobs(db.repository, conversationId);
    if (list.length === 0) console.log(`No jobs for conversation ${conversationId}.`);
    for (const job of list) {
      console.log(`${job.created_at}  ${String(job.status).padEnd(9)}  ${job.job_id}  ${job.num_comments ?? '?'} comments`);
    }
  } finally {
    await db.close();
  }
}

async function show(args: string[]) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { layer: { type: 'string' } } });
  if (!positionals[0]) throw new Error('usage: delphi show <job_id> [--layer N]');
  const db = await openDatabase();
  try {
    const { printSummary } = await import('./summary');
    await printSummary(db.repository, positionals[0], values.layer === undefined ? undefined : Number(values.layer));
  } finally {
    await db.close();
  }
}

async function serveDb(args: string[]) {
  const { values } = parseArgs({ args, options: { port: { type: 'string', default: '8000' } } });
  const { startLocalDatabase } = await import('./db');
  const db = await startLocalDatabase({ dataDir: path.join(DATA_DIR, 'dynamodb'), port: Number(values.port) });
  console.log(`Local DynamoDB (dynalite) with the seven Delphi tables at ${db.endpoint}`);
  console.log(`  data: ${path.join(DATA_DIR, 'dynamodb')}`);
  console.log(`  use it with: DYNAMODB_ENDPOINT=${db.endpoint} (e.g. in .env for sls invoke local)`);
  console.log('  Ctrl-C to stop.');
  const stop = async () => {
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  process.env.LOG_LEVEL ??= 'WARN';
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return run(rest);
    case 'jobs':
      return jobs(rest);
    case 'show':
      return show(rest);
    case 'db':
      return serveDb(rest);
    default:
      console.log(USAGE);
      if (command && command !== 'help' && command !== '--help') process.exitCode = 2;
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`delphi: ${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`);
    process.exitCode = 1;
  });
}
