/**
 * Dead local runs: a `delphi run` or `delphi serve` killed mid-job leaves a job that every reader
 * shows as interrupted (FAILED), `delphi resume` redrives it to the rows of a clean run, and a second
 * process on a held data folder gets one line, not a LevelDB crash. Real child processes, real kills.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { interruption, processStart, withInterruption, LEASE_TTL_MS } from '../../shared/jobLease';
import { startLocalDatabase } from '../../shared/local/dynaliteServer';
import { dumpJobComparable, MARCH_ON, BIODIVERSITY } from './support/harness';

const ROOT = path.resolve(__dirname, '../..');
const temporary: string[] = [];

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'delphi-dead-'));
  temporary.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function start(args: string[], data: string): ChildProcess & { output: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env, DELPHI_DATA_DIR: data, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  delete env.LOG_LEVEL;
  delete env.POWERTOOLS_LOG_LEVEL;
  delete env.DYNAMODB_ENDPOINT;
  const child = spawn(process.execPath, ['--import', 'tsx', 'shared/local/cli.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return Object.assign(child, { output: () => output });
}

function finished(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('close', (code) => resolve(code))));
}

async function delphi(args: string[], data: string) {
  const child = start(args, data);
  const code = await finished(child);
  return { code, output: child.output() };
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The state a local execution is in, from its record in the data folder. */
function recordedState(data: string, jobId: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(data, 'executions', `${jobId}.json`), 'utf8')) as { state?: string }).state;
  } catch {
    return undefined;
  }
}

async function dump(data: string, jobId: string) {
  const db = await startLocalDatabase({ dataDir: path.join(data, 'dynamodb') });
  try {
    return await dumpJobComparable(db.repository, jobId);
  } finally {
    await db.close();
  }
}

describe('a delphi run killed with SIGKILL during ProjectUmap', () => {
  it('is shown interrupted by show and jobs, and delphi resume brings it to COMPLETED with the rows of a clean run', async () => {
    // The same job_id in two data folders: a clean run, and one killed then resumed.
    const [killedData, cleanData] = [dataDir(), dataDir()];
    // The fast hybrid embedder: the lease and the resume are the point here, and March On's
    // ProjectUmap is long enough to be killed in.
    const clean = start(['run', MARCH_ON, '--job-id', 'march-dead', '--embedder', 'hybrid'], cleanData);
    const killed = start(['run', MARCH_ON, '--job-id', 'march-dead', '--embedder', 'hybrid'], killedData);
    await until('ProjectUmap', () => recordedState(killedData, 'march-dead') === 'ProjectUmap');
    // Into the step (it takes seconds on this conversation), past its first writes.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    killed.kill('SIGKILL');
    expect(await finished(killed)).toBeNull();

    // One after the other: each opens the data folder itself, and only one process can hold it.
    const show = await delphi(['show', 'march-dead'], killedData);
    const jobs = await delphi(['jobs', 'march-on.operation-marchin-orders'], killedData);
    expect(show.code, show.output).toBe(0);
    expect(show.output).toMatch(new RegExp(`status\\s+FAILED in step ProjectUmap \\(Interrupted: the local process that ran it \\(pid ${killed.pid} on .*\\) stopped during ProjectUmap`));
    expect(show.output).toContain('delphi resume march-dead');
    expect(jobs.output).toMatch(/FAILED\s+march-dead/);

    const resumed = await delphi(['resume', 'march-dead'], killedData);
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toContain('from: ProjectUmap (redrive 1)');
    expect(resumed.output).not.toMatch(/✓ (Embed|MarkRunning)\b/);
    expect(resumed.output).toMatch(/✓ ProjectUmap[\s\S]*✓ MarkCompleted[\s\S]*SUCCEEDED/);
    expect(resumed.output).toMatch(/status\s+COMPLETED/);
    // A SUCCEEDED execution leaves no record to resume from.
    expect(existsSync(path.join(killedData, 'executions', 'march-dead.json'))).toBe(false);

    expect(await finished(clean), clean.output()).toBe(0);
    const [afterResume, afterClean] = [await dump(killedData, 'march-dead'), await dump(cleanData, 'march-dead')];
    expect(Object.values(afterResume).slice(1).flat().length).toBeGreaterThan(10_000);
    expect(afterResume).toEqual(afterClean);

    expectUsageLine(await delphi(['resume', 'march-dead'], killedData), /^delphi resume: job march-dead is COMPLETED: nothing to resume \(see delphi resume --help\)$/);
  }, 240_000);
});

function expectUsageLine(result: { code: number | null; output: string }, message: RegExp) {
  expect(result.code, result.output).toBe(2);
  expect(result.output.trim()).toMatch(message);
}

describe('a delphi run stopped with SIGTERM', () => {
  it('marks its job interrupted before it exits (exit 1), and resume finishes it', async () => {
    const data = dataDir();
    const run = start(['run', BIODIVERSITY, '--job-id', 'bio-term'], data);
    await until('Embed', () => recordedState(data, 'bio-term') === 'Embed');
    run.kill('SIGTERM');
    expect(await finished(run)).toBe(1);
    expect(run.output()).toMatch(/INTERRUPTED by SIGTERM after .*: job bio-term is marked FAILED; resume it with delphi resume bio-term/);
    const show = await delphi(['show', 'bio-term'], data);
    expect(show.output).toMatch(/status\s+FAILED in step Embed \(Interrupted: the local process that ran it \(pid \d+\) was stopped by SIGTERM during Embed/);
    const resumed = await delphi(['resume', 'bio-term'], data);
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toContain('from: Embed (redrive 1)');
  }, 120_000);

  it('resume refuses a job that does not exist (exit 2)', async () => {
    const data = dataDir();
    expectUsageLine(await delphi(['resume', 'nope'], data), /^delphi resume: No job with job_id "nope" exists\.$/);
  }, 60_000);
});

describe('delphi serve killed while a job runs', () => {
  it('marks the job interrupted at its next start-up, and a replayed Idempotency-Key says so', async () => {
    const data = dataDir();
    const serveUntilReady = async () => {
      const serve = start(['serve', '--port', '0'], data);
      await until('serve', () => /Ctrl-C/.test(serve.output()) && existsSync(path.join(data, 'endpoint.json')), 60_000);
      const api = (JSON.parse(readFileSync(path.join(data, 'endpoint.json'), 'utf8')) as { api: string }).api;
      return { serve, api };
    };
    const post = (api: string) =>
      fetch(`${api}/conversations/march/jobs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'march-key-1' },
        body: JSON.stringify({ source: MARCH_ON }),
      });
    const first = await serveUntilReady();
    const started = (await (await post(first.api)).json()) as { job_id: string; replayed: boolean };
    expect(started.replayed).toBe(false);
    await until('ProjectUmap', () => recordedState(data, started.job_id) === 'ProjectUmap');
    first.serve.kill('SIGKILL');
    await finished(first.serve);

    const second = await serveUntilReady();
    try {
      expect(second.serve.output()).toContain(`Interrupted job ${started.job_id} (its process was gone) is marked FAILED: delphi resume ${started.job_id}`);
      const status = (await (await fetch(`${second.api}/jobs/${started.job_id}`)).json()) as { status: string; error: { type: string; step: string } };
      expect(status).toMatchObject({ status: 'FAILED', error: { type: 'Interrupted', step: 'ProjectUmap' } });
      const replay = await post(second.api);
      expect(replay.status).toBe(202);
      expect(await replay.json()).toMatchObject({ job_id: started.job_id, replayed: true, execution_status: 'FAILED', error: { type: 'Interrupted' } });
    } finally {
      second.serve.kill('SIGTERM');
      await finished(second.serve);
    }
  }, 180_000);
});

describe('the lease rule', () => {
  const running = (lease: Record<string, unknown>) => ({ job_id: 'j', conversation_id: 'c', status: 'RUNNING', current_step: 'Cluster', lease });
  const now = new Date('2026-01-01T00:00:00Z');
  const later = new Date(now.getTime() + LEASE_TTL_MS + 1).toISOString();
  const host = require('node:os').hostname() as string;

  it('a live holder keeps its job RUNNING even past its lease (a long synchronous step cannot renew it)', () => {
    const job = running({ pid: process.pid, host, process_start: processStart(process.pid), heartbeat_at: '', expires_at: '2000-01-01T00:00:00Z' });
    expect(interruption(job, now)).toBeUndefined();
    expect(withInterruption(job, now)).toBe(job);
  });

  it('names the state the lease last held when the job\'s current step had already finished', () => {
    const job = { ...running({ pid: 2 ** 22 + 11, host, heartbeat_at: 'h', expires_at: later, state: 'ProjectUmap' }), current_step: 'Embed', steps: { Embed: { status: 'COMPLETED' } } };
    expect(interruption(job, now)?.step).toBe('ProjectUmap');
    expect(interruption({ ...job, steps: { Embed: { status: 'RUNNING' } } }, now)?.step).toBe('Embed');
  });

  it('a dead holder, or a reused pid (another start time), interrupts the job at once', () => {
    const dead = running({ pid: 2 ** 22 + 11, host, heartbeat_at: 'h', expires_at: later });
    expect(withInterruption(dead, now)).toMatchObject({ status: 'FAILED', failed_at: 'h', error: { type: 'Interrupted', step: 'Cluster' } });
    const reused = running({ pid: process.pid, host, process_start: 'not-this-one', heartbeat_at: 'h', expires_at: later });
    expect(interruption(reused, now)?.cause).toMatch(/stopped during Cluster without recording an outcome/);
  });

  it('on another host only the expiry counts; finished and lease-less (deployed) jobs are left alone', () => {
    const remote = (expires_at: string) => running({ pid: 1, host: `not-${host}`, heartbeat_at: 'h', expires_at });
    expect(interruption(remote(later), now)).toBeUndefined();
    expect(interruption(remote('2025-12-31T23:59:00Z'), now)?.type).toBe('Interrupted');
    expect(interruption({ ...running({ pid: 2 ** 22 + 11, host }), status: 'COMPLETED' }, now)).toBeUndefined();
    expect(interruption({ job_id: 'j', status: 'RUNNING', current_step: 'Embed' }, now)).toBeUndefined();
  });
});

describe('a data folder another process holds', () => {
  it('is a DatabaseLockedError at once, and opens once it is free', async () => {
    const folder = path.join(dataDir(), 'dynamodb');
    const { Level } = createRequire(require.resolve('dynalite'))('level') as { Level: new (dir: string) => { open(): Promise<void>; close(): Promise<void> } };
    const holder = new Level(folder);
    await holder.open();
    await expect(startLocalDatabase({ dataDir: folder })).rejects.toMatchObject({ name: 'DatabaseLockedError' });
    await holder.close();
    const db = await startLocalDatabase({ dataDir: folder });
    await db.close();
  });

  it('a second delphi process gets one line naming the holder, no "Database is not open" stack', async () => {
    const data = dataDir();
    const run = start(['run', BIODIVERSITY, '--job-id', 'bio-held'], data);
    await until('Embed', () => recordedState(data, 'bio-held') === 'Embed');
    const second = await delphi(['jobs', 'scoop-hivemind.biodiversity'], data);
    expect(second.code).toBe(1);
    expect(second.output.trim().split('\n')).toHaveLength(1);
    expect(second.output).toMatch(/dynamodb is held by another process/);
    expect(second.output).not.toMatch(/not open|ModuleError|\n\s+at /);
    expect(await finished(run)).toBe(0);
  }, 120_000);
});
