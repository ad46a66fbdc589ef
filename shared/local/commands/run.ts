/** delphi run [<polis-export-dir>] — the whole state machine on a Polis export, printing each state. */
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpError } from '../../api/http';
import { parseStartJob } from '../../api/requests';
import { checkSource } from '../../api/sources';
import { isValidExecutionName } from '../../jobId';
import { BUNDLED_CONVERSATION, DATA_DIR, displayPath, formatMs, withDatabase, type OpenDatabase } from '../openDatabase';
import { PROVIDER_FLAGS, PROVIDER_FLAGS_USAGE, providerOptions } from '../providerFlags';
import type { EventLog, ExecutionOutcome, LocalPipeline, RunOptions } from '../runner';
import { consoleLogs, EXIT_FAILED, jobIdArgument, parseCommandArgs, UsageError } from '../usage';

export const usage = `run [<polis-export-dir>] [--conversation-id ID] [--job-id ID] [--options JSON]
      ${PROVIDER_FLAGS_USAGE}
      run the whole state machine on a Polis export (default: the bundled biodiversity conversation);
      exit code 1 when the job fails; Ctrl-C or SIGTERM marks the job interrupted (delphi resume goes on)`;

/** Sources that are not local folders: passed on as they are (the pipeline reads them). */
const URI = /^[a-z][a-z0-9+.-]*:\/\//i;

export interface RunInput {
  conversation_id: string;
  source: string;
  job_id?: string;
  options: Record<string, unknown>;
  executionName?: string;
}

/**
 * The command line as an execution input, checked as `POST /conversations/{id}/jobs` checks a request
 * (shared/api/requests.ts, shared/api/sources.ts) — before anything is started or stored.
 */
export async function parseRunArgs(args: string[]): Promise<RunInput> {
  const { values, positionals } = parseCommandArgs(args, {
    positionals: ['polis-export-dir'],
    options: {
      'conversation-id': { type: 'string' },
      'job-id': { type: 'string' },
      options: { type: 'string' },
      'execution-name': { type: 'string' },
      ...PROVIDER_FLAGS,
    },
  });
  const given = positionals[0] ?? BUNDLED_CONVERSATION;
  let source = URI.test(given) ? given : path.resolve(given);
  const conversation_id = values['conversation-id'] ?? path.basename(source).replace(/[^A-Za-z0-9_.:-]/g, '-');
  let options: Record<string, unknown> = {};
  if (values.options !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values.options);
    } catch (error) {
      throw new UsageError(`--options is not valid JSON: ${(error as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--options must be a JSON object, got ${values.options}`);
    options = parsed as Record<string, unknown>;
  }
  try {
    options = { ...options, ...providerOptions(values) };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const job_id = values['job-id'] === undefined ? undefined : jobIdArgument(values['job-id'], '--job-id');
  const executionName = values['execution-name'];
  if (executionName !== undefined && !isValidExecutionName(executionName)) {
    throw new UsageError(`--execution-name '${executionName}' is not valid: use 1–80 letters, digits, '-' or '_'`);
  }
  try {
    // The API's own checks: conversation_id, unknown or out-of-range options, provider API keys, the source.
    // Not the caller policy: the command line's user is the deployment and may name any provider endpoint.
    const event = { pathParameters: { conversation_id }, headers: {}, body: JSON.stringify({ source, options }), isBase64Encoded: false };
    parseStartJob(event as unknown as APIGatewayProxyEvent, 'deployment');
    if (!URI.test(source) || source.startsWith('s3://')) source = await checkSource(source, { allowLocalPaths: true, allowedBuckets: [] });
  } catch (error) {
    if (error instanceof HttpError) {
      const field = error.field === 'conversation_id' && values['conversation-id'] === undefined ? ' (from the folder name; set --conversation-id)' : '';
      throw new UsageError(`${error.message.replace(/^source "(.*)" is not/, (_, s) => `'${positionals[0] ?? s}' is not`)}${field}`);
    }
    throw error;
  }
  return { conversation_id, source, job_id, options, executionName };
}

const reason = (event: EventLog) => {
  const cause = event.Cause as { message?: string } | string | undefined;
  const text = typeof cause === 'string' ? cause : cause?.message;
  return text ? `${event.Error}: ${text}` : String(event.Error);
};

/** Prints one line per state: ✓ succeeded, ✗ failed (with the reason), ↻ retried. Returns the failed step. */
export function progressPrinter() {
  const entered = new Map<string, number>();
  const lastFailure = new Map<string, EventLog>();
  const failed = new Set<string>();
  let failedStep: { name: string; reason: string; error?: string } | undefined;
  const key = (event: EventLog) => `${event.state!.name}#${event.index ?? ''}`;
  const label = (event: EventLog) => `${event.state!.name}${event.index === undefined ? '' : `[${event.index}]`}`;
  const took = (event: EventLog) => formatMs(event.timestamp - (entered.get(key(event)) ?? event.timestamp)).padStart(9);
  const onEvent = (event: EventLog) => {
    const name = event.state?.name;
    if (!name) return;
    const id = key(event);
    switch (event.type) {
      case 'StateEntered':
        entered.set(id, event.timestamp);
        failed.delete(id);
        return;
      case 'StateFailed':
        // Followed by StateRetried, StateCaught, or nothing (the execution fails).
        lastFailure.set(id, event);
        if (name === 'MarkFailed' && failedStep && event.Error === failedStep.error) {
          // MarkFailed records the failure on the job and then fails the execution with the step's error, by design.
          failed.add(id);
          console.log(`  · ${label(event).padEnd(16)} ${took(event)}  job recorded as FAILED`);
        }
        return;
      case 'StateRetried': {
        const failure = lastFailure.get(id);
        lastFailure.delete(id);
        console.log(`  ↻ ${label(event).padEnd(16)} ${took(event)}  retry ${event.retry?.attempt} after ${failure ? reason(failure) : 'an error'}`);
        entered.set(id, event.timestamp);
        return;
      }
      case 'StateCaught': {
        const failure = lastFailure.get(id);
        failed.add(id);
        const why = failure ? reason(failure) : 'failed';
        if (event.index === undefined) failedStep ??= { name, reason: why, error: failure?.Error };
        console.log(`  ✗ ${label(event).padEnd(16)} ${took(event)}  ${why}`);
        return;
      }
      case 'StateExited': {
        if (failed.has(id)) return; // caught: the state did not succeed, whatever comes next
        const output = event.state?.output as Record<string, unknown> | undefined;
        // A step's summary is in $.steps (a Map state's: its items' summaries); an item inside a Map returns its own.
        const stepSummary = (output?.steps as Record<string, unknown> | undefined)?.[name] ?? (output?.step ? output : undefined);
        const rows = [stepSummary]
          .flat()
          .reduce((sum: number, item) => sum + Number((item as { rows_written?: number } | undefined)?.rows_written ?? 0), 0);
        const extra = stepSummary ? `  ${rows} rows` : name === 'MarkRunning' ? `  job_id ${output?.job_id}` : '';
        console.log(`  ✓ ${label(event).padEnd(16)} ${took(event)}${extra}`);
        return;
      }
    }
  };
  /** States that failed without being caught (the execution failed there). */
  const uncaught = () => {
    for (const [id, event] of lastFailure) {
      if (failed.has(id)) continue;
      failed.add(id);
      console.log(`  ✗ ${label(event).padEnd(16)} ${took(event)}  ${reason(event)}`);
      if (event.index === undefined) failedStep ??= { name: event.state!.name, reason: reason(event) };
    }
    return failedStep;
  };
  return { onEvent, uncaught };
}

/** Diverts the logger's JSON lines (shared/logger.ts writes them to stdout/stderr) to `file`; returns the undo. */
function divertJsonLogs(file: string): () => void {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  const restore = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write;
    stream.write = function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      if (typeof chunk === 'string' && chunk.startsWith('{"level":')) {
        writeSync(fd, chunk);
        (rest.find((arg) => typeof arg === 'function') as (() => void) | undefined)?.();
        return true;
      }
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
    return () => (stream.write = original);
  });
  return () => {
    restore.forEach((undo) => undo());
    closeSync(fd);
  };
}

export async function command(args: string[]): Promise<void> {
  const run = await parseRunArgs(args);
  const input: Record<string, unknown> = { conversation_id: run.conversation_id, source: run.source };
  if (run.job_id) input.job_id = run.job_id;
  if (Object.keys(run.options).length > 0) input.options = run.options;
  const executionName = run.executionName ?? randomUUID();
  const jobId = run.job_id ?? `pipeline_run_${executionName}`;
  await executeLocally({
    jobId,
    title: `Delphi pipeline — conversation ${run.conversation_id}`,
    details: [`  source: ${URI.test(run.source) ? run.source.replace(/\/\/[^@/]*@/, '//…@') : displayPath(run.source)}`],
    start: (pipeline, options) => pipeline.run(input, { ...options, executionName }),
  });
}

export interface LocalExecution {
  jobId: string;
  title: string;
  details: string[];
  /** Checks made once the database is open (`delphi resume`: the job exists and can be resumed). */
  prepare?: (db: OpenDatabase) => Promise<void>;
  start: (pipeline: LocalPipeline, options: Pick<RunOptions, 'onEvent' | 'lease'>) => Promise<ExecutionOutcome>;
}

/**
 * Runs an execution in this process (`delphi run`, `delphi resume`) with the progress lines, the lease
 * that tells other readers it lives, and SIGINT/SIGTERM marking the job interrupted before the exit.
 */
export async function executeLocally(execution: LocalExecution): Promise<void> {
  // Loaded once the input is known to be good: the pipeline's modules take a second to load.
  const [{ setDependencies }, { LocalPipeline }, { printSummary }, { describeReport, writeJobReport }, { LeaseHolder, executionsDir }] = await Promise.all([
    import('../../dependencies'),
    import('../runner'),
    import('../summary'),
    import('./report'),
    import('../lease'),
  ]);
  const { jobId } = execution;
  await withDatabase(async (db) => {
    await execution.prepare?.(db);
    setDependencies({ repository: db.repository });
    const pipeline = new LocalPipeline();
    console.log(execution.title);
    for (const line of execution.details) console.log(line);
    if (db.server) console.log(`  data: the database of \`delphi ${db.server.command}\` (pid ${db.server.pid}) at ${db.endpoint}`);
    const progress = progressPrinter();
    const started = Date.now();
    const logFile = path.join(DATA_DIR, 'logs', `${jobId}.jsonl`);
    const undivert = consoleLogs.enabled ? () => undefined : divertJsonLogs(logFile);
    const lease = new LeaseHolder({ repository: db.repository, dir: executionsDir(DATA_DIR) });
    const stopSignals = onStopSignal(async (signal) => {
      undivert();
      await lease.interrupt(signal);
      console.log(`INTERRUPTED by ${signal} after ${formatMs(Date.now() - started)}: job ${jobId} is marked FAILED; resume it with delphi resume ${jobId}`);
    });
    const outcome = await execution.start(pipeline, { onEvent: progress.onEvent, lease }).finally(() => {
      stopSignals();
      undivert();
    });
    const elapsed = formatMs(Date.now() - started);
    if (outcome.status === 'FAILED') {
      const step = progress.uncaught();
      const why = step?.reason ?? `${outcome.error}: ${outcome.cause}`;
      console.log(`FAILED in ${step?.name ?? 'the execution'} after ${elapsed}: ${why}`);
      console.log(`  job ${jobId}: delphi show ${jobId}${consoleLogs.enabled ? '' : `; its logs: ${displayPath(logFile)}`}`);
      process.exitCode = EXIT_FAILED;
      return;
    }
    console.log(`SUCCEEDED in ${elapsed} (execution ${outcome.executionName})`);
    await printSummary(db.repository, jobId);
    const report = await writeJobReport(db.repository, jobId);
    console.log(`\nReport: ${describeReport(report)}`);
  });
}

/**
 * SIGINT (Ctrl-C) and SIGTERM run `interrupt` once and exit with code 1 (the command could not finish);
 * a second signal exits at once. A long synchronous step delays both until it yields. Returns the undo.
 */
function onStopSignal(interrupt: (signal: string) => Promise<void>): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(EXIT_FAILED);
    stopping = true;
    const deadline = setTimeout(() => process.exit(EXIT_FAILED), 5000);
    interrupt(signal)
      .catch((error: Error) => console.error(`delphi: could not mark the job interrupted: ${error.message}`))
      .finally(() => {
        clearTimeout(deadline);
        process.exit(EXIT_FAILED);
      });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
