/** delphi run [<polis-export-dir>] — the whole state machine on a Polis export, printing each state. */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { setDependencies } from '../../dependencies';
import { BUNDLED_CONVERSATION, formatMs, withDatabase } from '../database';
import { PROVIDER_FLAGS, PROVIDER_FLAGS_USAGE, providerOptions } from '../providerFlags';
import { LocalPipeline } from '../runner';
import { printSummary } from '../summary';
import { describeReport, writeJobReport } from './report';

export const usage = `run [<polis-export-dir>] [--conversation-id ID] [--job-id ID] [--options JSON]
      ${PROVIDER_FLAGS_USAGE}
      run the whole state machine on a Polis export (default: the bundled biodiversity conversation)`;

export async function command(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'conversation-id': { type: 'string' },
      'job-id': { type: 'string' },
      options: { type: 'string' },
      'execution-name': { type: 'string' },
      ...PROVIDER_FLAGS,
    },
  });
  const source = path.resolve(positionals[0] ?? BUNDLED_CONVERSATION);
  const conversation_id = values['conversation-id'] ?? path.basename(source).replace(/[^A-Za-z0-9_.:-]/g, '-');
  const input: Record<string, unknown> = { conversation_id, source };
  if (values['job-id']) input.job_id = values['job-id'];
  if (values.options) input.options = JSON.parse(values.options);
  const chosen = providerOptions(values);
  if (Object.keys(chosen).length > 0) input.options = { ...(input.options as object | undefined), ...chosen };

  await withDatabase(async (db) => {
    setDependencies({ repository: db.repository });
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
          // A step's summary is in $.steps (a Map state's: its items' summaries); an item inside a Map returns its own.
          const stepSummary = (output?.steps as Record<string, unknown> | undefined)?.[name] ?? (output?.step ? output : undefined);
          const rows = [stepSummary]
            .flat()
            .reduce((sum: number, item) => sum + Number((item as { rows_written?: number } | undefined)?.rows_written ?? 0), 0);
          const extra = stepSummary ? `  ${rows} rows` : name === 'MarkRunning' ? `  job_id ${output?.job_id}` : '';
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
    const report = await writeJobReport(db.repository, String(outcome.output?.job_id));
    console.log(`\nReport: ${describeReport(report)}`);
  });
}
