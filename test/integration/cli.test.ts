/**
 * The `delphi` CLI as a user runs it, as a subprocess: `delphi serve` running while other commands
 * use its database, honest progress for a failed run, input validated before anything starts, and a
 * one-line message with exit code 2 for every mistake in the command line. Each test uses its own
 * DELPHI_DATA_DIR (never .delphi/); one `delphi serve` is shared by the tests that need it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { progressPrinter } from '../../shared/local/commands/run';
import type { EventLog } from '../../shared/local/runner';
import { FIXTURES } from './support/harness';

const ROOT = path.resolve(__dirname, '../..');
const UBI = path.join(FIXTURES, 'scoop-hivemind.ubi');
const temporary: string[] = [];

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'delphi-cli-'));
  temporary.push(dir);
  return dir;
}

function childEnv(data: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DELPHI_DATA_DIR: data, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  // The defaults a user gets: vitest's LOG_LEVEL=SILENT would hide the logger's console lines.
  delete env.LOG_LEVEL;
  delete env.POWERTOOLS_LOG_LEVEL;
  delete env.DYNAMODB_ENDPOINT;
  return env;
}

function start(args: string[], data: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'shared/local/cli.ts', ...args], { cwd: ROOT, env: childEnv(data), stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function delphi(args: string[], data: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = start(args, data);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Many short command lines in one subprocess (each through the CLI's main(), with its own output and
 * exit code): a Node start per command line costs more than the tests' whole budget allows.
 */
const BATCH_DRIVER = `
const { main } = require('./shared/local/cli.ts');
(async () => {
  const results = [];
  const log = console.log, error = console.error;
  for (const argv of JSON.parse(process.argv[1])) {
    let stdout = '', stderr = '';
    console.log = (...a) => { stdout += a.join(' ') + '\\n'; };
    console.error = (...a) => { stderr += a.join(' ') + '\\n'; };
    process.exitCode = undefined;
    try { await main(argv); } catch (e) { stderr += 'UNCAUGHT ' + (e && e.stack) + '\\n'; process.exitCode = 99; }
    results.push({ code: process.exitCode ?? 0, stdout, stderr });
  }
  console.log = log; console.error = error;
  process.exitCode = 0;
  process.stdout.write(JSON.stringify(results));
})();
`;

async function delphiBatch(argvs: string[][], data: string): Promise<Result[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', BATCH_DRIVER, JSON.stringify(argvs)], {
    cwd: ROOT,
    env: childEnv(data),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as Result[];
}

/** A long-running command (serve, db): resolves once its endpoint file is written. */
async function startServer(args: string[], data: string) {
  const child = start(args, data);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const file = path.join(data, 'endpoint.json');
  const deadline = Date.now() + 30_000;
  while (!existsSync(file) || !/Ctrl-C/.test(output)) {
    if (child.exitCode !== null) throw new Error(`delphi ${args.join(' ')} exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`delphi ${args.join(' ')} did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const endpoint = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; endpoint: string; command: string; api?: string };
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  return { child, endpoint, file, output: () => output, stop };
}

/** A bad command line: exit 2, one line on stderr naming the problem, nothing on stdout. */
function expectUsageError(result: Result, message: RegExp) {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr.trim()).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at |TypeError|ERR_PARSE_ARGS|"level"/);
}

let served: Awaited<ReturnType<typeof startServer>>;
let servedData: string;

beforeAll(async () => {
  servedData = dataDir();
  served = await startServer(['serve', '--port', '0'], servedData);
});

afterAll(async () => {
  await served?.stop();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

describe('while `delphi serve` holds the data', () => {
  it('announces its endpoint next to the data', () => {
    expect(served.endpoint).toMatchObject({ pid: served.child.pid, command: 'serve' });
    expect(served.endpoint.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(served.endpoint.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('run, jobs, show and report use its database (no LevelDB crash)', async () => {
    const run = await delphi(['run', UBI, '--job-id', 'cli-ok'], servedData);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`the database of \`delphi serve\` (pid ${served.endpoint.pid})`);
    expect(run.stdout).toMatch(/✓ Embed .*rows/);
    expect(run.stdout).toContain('SUCCEEDED');
    expect(run.stdout).not.toMatch(/✗|FAILED/);
    expect(run.stderr).toBe('');

    // The API of the serve process sees the job the CLI ran: one database.
    const status = await fetch(`${served.endpoint.api}/jobs/cli-ok`);
    expect(status.status).toBe(200);
    expect(((await status.json()) as { status: string }).status).toBe('COMPLETED');

    const [jobs, show, all, report] = await Promise.all([
      delphi(['jobs', 'scoop-hivemind.ubi'], servedData),
      delphi(['show', 'cli-ok'], servedData),
      delphi(['show', 'cli-ok', '--layer', '0'], servedData),
      delphi(['report', 'cli-ok', '--out', path.join(servedData, 'ubi.html')], servedData),
    ]);
    for (const result of [jobs, show, all, report]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toMatch(/not open|ModuleError|\n\s+at /);
    }
    expect(jobs.stdout).toMatch(/COMPLETED\s+cli-ok/);
    expect(show.stdout).toMatch(/status\s+COMPLETED/);
    expect(show.stdout).not.toMatch(/\b1 clusters\b/);
    const layer0 = /Topics of layer 0 \((\d+) clusters?; finest\)/.exec(show.stdout);
    expect(layer0).not.toBeNull();
    if (Number(layer0![1]) > 8) expect(show.stdout).toContain('more: delphi show cli-ok --layer 0 lists all');
    expect(all.stdout.match(/^ {2}\s*\d+ {2}\S/gm)?.length).toBe(Number(layer0![1]));
    expect(existsSync(path.join(servedData, 'ubi.html'))).toBe(true);

    const noLayer = await delphi(['show', 'cli-ok', '--layer', '4'], servedData);
    expectUsageError(noLayer, /^delphi show: job cli-ok has no layer 4 \(its layers: 0(–\d)?\)/);
  });

  it('a second run of a conversation says what it was compared with and how many topics kept their uid', async () => {
    expect((await delphi(['run', UBI, '--job-id', 'cli-first'], servedData)).code).toBe(0);
    const again = await delphi(['run', UBI, '--job-id', 'cli-again'], servedData);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    // The same comments again: every topic of every layer keeps its uid.
    const line = again.stdout.split('\n').find((text) => text.startsWith('since '));
    expect(line, again.stdout).toMatch(/^since \S+ {2}topics that kept their uid (L\d+: (\d+)\/\2 ?)+; comments 0 new, 0 changed, 0 gone {2}\(delphi diff cli-again\)$/);
  });

  it('a failed run prints ✗ with the reason, never ✓ for the failed state, and a final FAILED line (exit 1)', async () => {
    const folder = path.join(servedData, 'no-body');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'comments.csv'), 'comment-id,text\n1,hello\n2,world\n');
    const run = await delphi(['run', folder], servedData);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✓ MarkRunning/);
    expect(run.stdout).toMatch(/✗ Embed .*InvalidInputError: comments\.csv is missing column\(s\) comment-body/);
    expect(run.stdout).not.toMatch(/✓ Embed/);
    expect(run.stdout).not.toMatch(/✓ MarkFailed|✗ MarkFailed/);
    expect(run.stdout).toMatch(/^FAILED in Embed after .*: InvalidInputError: comments\.csv is missing column\(s\) comment-body/m);
    // No JSON log lines or stack traces on the console without --verbose.
    expect(run.stdout + run.stderr).not.toMatch(/"level"|\n\s+at /);
    // …they are in the job's log file instead.
    const logFile = /its logs: (\S+\.jsonl)/.exec(run.stdout)?.[1];
    expect(logFile).toBeDefined();
    expect(readFileSync(path.resolve(ROOT, logFile!), 'utf8')).toMatch(/"level":"ERROR","message":"step failed".*missing column/);

    const verbose = await delphi(['run', folder, '--verbose'], servedData);
    expect(verbose.code).toBe(1);
    expect(verbose.stdout + verbose.stderr).toMatch(/"level":"ERROR"/);
  });

  it('`delphi db` refuses to start on the data serve holds, in one line', async () => {
    const db = await delphi(['db', '--port', '0'], servedData);
    expect(db.code).toBe(1);
    expect(db.stderr.trim()).toBe(
      `delphi: \`delphi serve\` (pid ${served.endpoint.pid}) already serves ${servedData} at ${served.endpoint.endpoint}; stop it first, or use it (other delphi commands find it by themselves)`,
    );
  });

  it('input the API would reject is rejected before anything is started or stored (exit 2)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['run', path.join(servedData, 'no-such-folder'), '--conversation-id', 'rejected'], /^delphi run: '.*no-such-folder' is not a folder holding comments\.csv/],
      [['run', UBI, '--conversation-id', 'rejected', '--options', '{"frobs":3}'], /^delphi run: unknown field frobs in options/],
      [['run', UBI, '--conversation-id', 'rejected', '--options', '{"max_layers":9}'], /^delphi run: options\.max_layers: /],
      [['run', UBI, '--conversation-id', 'rejected', '--options', 'nope'], /^delphi run: --options is not valid JSON/],
      [['run', UBI, '--conversation-id', 'rejected', '--job-id', 'bad id!'], /^delphi run: --job-id 'bad id!' is malformed/],
      [['run', UBI, '--conversation-id', 'bad conversation'], /^delphi run: conversation_id "bad conversation" is missing or malformed/],
    ];
    const [alone, batch] = await Promise.all([delphi(cases[0][0], servedData), delphiBatch(cases.map(([args]) => args), servedData)]);
    expectUsageError(alone, cases[0][1]);
    batch.forEach((result, i) => expectUsageError(result, cases[i][1]));
    const jobs = await delphi(['jobs', 'rejected'], servedData);
    expect(jobs.stdout.trim()).toBe('No jobs for conversation rejected.');
  });
});

describe('the command line', () => {
  const data = dataDir();

  it('--help for every verb, -h/--help/help, exit 0; an unknown verb is named, exit 2', async () => {
    const verbs = ['run', 'resume', 'jobs', 'show', 'db', 'report', 'evaluate', 'serve'];
    const [results, [alone]] = await Promise.all([
      delphiBatch([...verbs.map((verb) => [verb, '--help']), ['-h'], ['--help'], ['help'], ['frobnicate']], data),
      Promise.all([delphi(['-h'], data)]),
    ]);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toMatch(/^Usage:/);
    verbs.forEach((verb, i) => {
      expect(results[i].code).toBe(0);
      expect(results[i].stdout).toMatch(new RegExp(`^Usage: delphi ${verb}\\b`));
    });
    for (const result of results.slice(verbs.length, verbs.length + 3)) {
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage:/);
      expect(result.stdout).toMatch(/Exit codes: 0 ok, 1 .*, 2 usage/);
    }
    const unknown = results[results.length - 1];
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^delphi: unknown command 'frobnicate'\nUsage:/);
    expect(existsSync(path.join(data, 'dynamodb'))).toBe(false);
  });

  it('every bad flag or argument: exit 2 and one line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['run', '--frob'], /^delphi run: unknown flag --frob \(see delphi run --help\)$/],
      [['run', UBI, 'extra'], /^delphi run: unexpected argument 'extra'/],
      [['run', '--job-id'], /^delphi run: --job-id needs a value/],
      [['run', '--embedding-dimensions', 'abc'], /^delphi run: --embedding-dimensions must be a whole number/],
      [['show'], /^delphi show: missing <job_id>/],
      [['show', 'j', '--layer', 'abc'], /^delphi show: --layer must be an integer from 0 \(finest\) to 4, got 'abc'/],
      [['show', 'j', '--layer', '9'], /^delphi show: --layer must be an integer/],
      [['show', 'j', '--layer'], /^delphi show: --layer needs a value/],
      [['show', 'j', 'k'], /^delphi show: unexpected argument 'k'/],
      [['show', 'bad id!'], /^delphi show: job_id 'bad id!' is malformed/],
      [['resume'], /^delphi resume: missing <job_id>/],
      [['resume', 'bad id!'], /^delphi resume: job_id 'bad id!' is malformed/],
      [['resume', 'j', '--from', 'Embed'], /^delphi resume: unknown flag --from/],
      [['jobs'], /^delphi jobs: missing <conversation_id>/],
      [['jobs', 'a', 'b'], /^delphi jobs: unexpected argument 'b'/],
      [['report', 'j', '--outt', 'x'], /^delphi report: unknown flag --outt/],
      [['evaluate'], /^delphi evaluate: missing <job_id>/],
      [['db', '--port', 'abc'], /^delphi db: --port must be a port number from 0 to 65535, got 'abc'/],
      [['serve', '--port', '70000'], /^delphi serve: --port must be a port number/],
      [['serve', 'now'], /^delphi serve: unexpected argument 'now'/],
    ];
    // Two as separate processes (the real exit code), all of them through the CLI's main() in one process.
    const [alone, batch] = await Promise.all([
      Promise.all([cases[0], cases[5]].map(([args]) => delphi(args, data))),
      delphiBatch(cases.map(([args]) => args), data),
    ]);
    alone.forEach((result, i) => expectUsageError(result, [cases[0], cases[5]][i][1]));
    batch.forEach((result, i) => expectUsageError(result, cases[i][1]));
    expect(existsSync(path.join(data, 'dynamodb'))).toBe(false);
  });

  it('a job_id that does not exist: exit 2, one line', async () => {
    expectUsageError(await delphi(['show', 'no-such-job'], data), /^delphi show: No job with job_id "no-such-job" exists\.$/);
  });

  it('a stale endpoint file (its process is gone) is removed and the command runs in-process', async () => {
    const stale = dataDir();
    const file = path.join(stale, 'endpoint.json');
    writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 7, endpoint: 'http://127.0.0.1:1', command: 'serve', data_dir: stale, started_at: '' }));
    const jobs = await delphi(['jobs', 'nothing'], stale);
    expect(jobs.code, jobs.stderr).toBe(0);
    expect(jobs.stdout.trim()).toBe('No jobs for conversation nothing.');
    expect(existsSync(file)).toBe(false);
  });

  it('`delphi db` announces its endpoint, other commands use it, and the file goes when it stops', async () => {
    const dbData = dataDir();
    const db = await startServer(['db', '--port', '0'], dbData);
    expect(db.endpoint).toMatchObject({ pid: db.child.pid, command: 'db' });
    const jobs = await delphi(['jobs', 'nothing'], dbData);
    expect(jobs.code, jobs.stderr).toBe(0);
    expect(jobs.stdout.trim()).toBe('No jobs for conversation nothing.');
    expect(await db.stop()).toBe(0);
    expect(existsSync(db.file)).toBe(false);
  });
});

describe('progress lines', () => {
  it('↻ for a retry with its reason, then ✓ once the state succeeds', () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      const printer = progressPrinter();
      const state = (type: string, extra: Partial<EventLog> = {}): EventLog => ({ type, timestamp: 1000, state: { name: 'Embed', type: 'Task' }, ...extra });
      printer.onEvent(state('StateEntered'));
      printer.onEvent(state('StateFailed', { Error: 'ProviderThrottledError', Cause: 'rate limited' }));
      printer.onEvent(state('StateRetried', { retry: { attempt: 1 } }));
      printer.onEvent(state('StateExited', { state: { name: 'Embed', type: 'Task', output: { steps: { Embed: { rows_written: 3 } } } } }));
      expect(printer.uncaught()).toBeUndefined();
    } finally {
      log.mockRestore();
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ {2}↻ Embed .*retry 1 after ProviderThrottledError: rate limited$/);
    expect(lines[1]).toMatch(/^ {2}✓ Embed .* 3 rows$/);
  });
});

describe('progress lines of a failure', () => {
  it('✗ for the caught step; MarkFailed re-raising its error is not a second failure, a failure of its own is', () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const at = (name: string, type: string, extra: Partial<EventLog> = {}): EventLog => ({ type, timestamp: 5, state: { name, type: 'Task' }, ...extra });
    try {
      for (const markFailedError of ['InvalidInputError', 'ResourceNotFoundException']) {
        const printer = progressPrinter();
        printer.onEvent(at('Cluster', 'StateEntered'));
        printer.onEvent(at('Cluster', 'StateFailed', { Error: 'InvalidInputError', Cause: 'too few comments' }));
        printer.onEvent(at('Cluster', 'StateCaught'));
        printer.onEvent(at('Cluster', 'StateExited'));
        printer.onEvent(at('MarkFailed', 'StateEntered'));
        printer.onEvent(at('MarkFailed', 'StateFailed', { Error: markFailedError, Cause: 'x' }));
        expect(printer.uncaught()).toEqual({ name: 'Cluster', reason: 'InvalidInputError: too few comments', error: 'InvalidInputError' });
      }
    } finally {
      log.mockRestore();
    }
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^ {2}✗ Cluster .*InvalidInputError: too few comments$/);
    expect(lines[1]).toMatch(/^ {2}· MarkFailed .*job recorded as FAILED$/);
    expect(lines[2]).toMatch(/^ {2}✗ Cluster /);
    expect(lines[3]).toMatch(/^ {2}✗ MarkFailed .*ResourceNotFoundException: x$/);
    expect(lines.join('\n')).not.toMatch(/✓/);
  });
});

describe('when serve stops', () => {
  it('removes its endpoint file', async () => {
    expect(await served.stop()).toBe(0);
    expect(existsSync(served.file)).toBe(false);
  });
});
