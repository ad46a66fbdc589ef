/**
 * The lease a local execution (`delphi run`, `delphi serve`) holds on its job record: the process
 * that runs it, renewed by a heartbeat. A deployed job has no lease — Step Functions knows whether
 * its execution lives. A RUNNING job whose lease holder is gone is shown as interrupted (FAILED) by
 * every reader, so a killed `delphi run` does not leave a job RUNNING forever.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Item } from './repository';

export type JobLease = {
  pid: number;
  host: string;
  /** The process's start time (Linux /proc starttime): a reused pid is not mistaken for the holder. */
  process_start?: string;
  heartbeat_at: string;
  expires_at: string;
  /** The top-level state the execution is in. */
  state?: string;
};

/** How often the holder renews its lease, and how long a lease lasts without renewal. */
export const LEASE_HEARTBEAT_MS = 5_000;
export const LEASE_TTL_MS = 30_000;

export const INTERRUPTED = 'Interrupted';

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined off Linux. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function newLease(state: string | undefined, now = new Date()): JobLease {
  return {
    pid: process.pid,
    host: hostname(),
    process_start: processStart(process.pid),
    heartbeat_at: now.toISOString(),
    expires_at: new Date(now.getTime() + LEASE_TTL_MS).toISOString(),
    state,
  };
}

/**
 * Whether the lease holder still runs: true or false on the holder's host, undefined elsewhere. The
 * process check comes first because a busy holder (a long synchronous step) cannot renew its lease.
 */
export function holderAlive(lease: Pick<JobLease, 'pid' | 'host' | 'process_start'>): boolean | undefined {
  if (lease.host !== hostname()) return undefined;
  try {
    process.kill(lease.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = processStart(lease.pid);
  return !(lease.process_start && started && started !== lease.process_start);
}

export interface Interruption {
  type: typeof INTERRUPTED;
  step?: string;
  cause: string;
  /** When the holder was last heard of. */
  at: string;
}

/**
 * The step a dead execution was in: the job's current step unless that one had finished (the next
 * state was entered, but its handler had not recorded itself yet), then the state the lease last named.
 */
export function interruptedStep(job: Item, state?: string): string | undefined {
  const current = job.current_step as string | undefined;
  const steps = (job.steps ?? {}) as Record<string, { status?: string } | undefined>;
  if (current && steps[current]?.status !== 'COMPLETED') return current;
  return state ?? current;
}

/** Why a RUNNING job is in fact dead, or undefined when it is not (or cannot be told). */
export function interruption(job: Item, now = new Date()): Interruption | undefined {
  if (job.status !== 'RUNNING' || !job.lease || typeof job.lease !== 'object') return undefined;
  const lease = job.lease as JobLease;
  const alive = holderAlive(lease);
  if (alive === true || (alive === undefined && Date.parse(lease.expires_at) > now.getTime())) return undefined;
  const step = interruptedStep(job, lease.state);
  return {
    type: INTERRUPTED,
    step,
    at: lease.heartbeat_at,
    cause:
      `the local process that ran it (pid ${lease.pid} on ${lease.host}) stopped${step ? ` during ${step}` : ''} without recording an outcome ` +
      `(last heard of at ${lease.heartbeat_at}); resume it with \`delphi resume ${String(job.job_id)}\``,
  };
}

/** The job record as readers show it: an interrupted job is FAILED with the interruption as its error. */
export function withInterruption<T extends Item>(job: T, now = new Date()): T {
  const interrupted = interruption(job, now);
  if (!interrupted) return job;
  return {
    ...job,
    status: 'FAILED',
    failed_at: interrupted.at,
    error: { type: interrupted.type, step: interrupted.step, cause: interrupted.cause },
  };
}
