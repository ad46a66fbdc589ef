/**
 * A local execution's lease and its record in the data folder. The lease on the job record (see
 * shared/jobLease.ts) lets every reader tell a dead run from a running one; the record in
 * <data>/executions/<job_id>.json is the local stand-in for Step Functions' execution history: the
 * state the execution was in and that state's input, which `delphi resume` redrives from, and the list
 * `delphi serve` checks at start-up (the job table is never scanned).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { holderAlive, interruptedStep, INTERRUPTED, LEASE_HEARTBEAT_MS, newLease, processStart } from '../jobLease';
import type { Repository } from '../repository';
import type { EventLog, ExecutionLease, ExecutionOutcome, LeasedExecution } from './runner';

export interface ExecutionRecord {
  job_id: string;
  conversation_id?: string;
  execution_name: string;
  execution_arn: string;
  redrive_count: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  pid: number;
  host: string;
  process_start?: string;
  /** The top-level Task or Map state entered last, and its input: where a redrive starts. */
  state?: string;
  state_input?: Record<string, unknown>;
  updated_at: string;
}

export const executionsDir = (dataDir: string) => path.join(dataDir, 'executions');
const recordFile = (dir: string, jobId: string) => path.join(dir, `${encodeURIComponent(jobId)}.json`);

export function readExecutionRecord(dir: string, jobId: string): ExecutionRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(dir, jobId), 'utf8')) as ExecutionRecord;
  } catch {
    return undefined;
  }
}

export function listExecutionRecords(dir: string): ExecutionRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const record = readExecutionRecord(dir, decodeURIComponent(name.slice(0, -'.json'.length)));
    return record ? [record] : [];
  });
}

export function writeExecutionRecord(dir: string, record: ExecutionRecord): void {
  mkdirSync(dir, { recursive: true });
  const file = recordFile(dir, record.job_id);
  const temporary = `${file}.${process.pid}.tmp`;
  // The state input holds the source as given (a postgres:// password included): readable by the user only.
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

function removeExecutionRecord(dir: string, jobId: string): void {
  try {
    unlinkSync(recordFile(dir, jobId));
  } catch {
    // already gone
  }
}

/** The fields a job gets when its execution is known to be dead: FAILED, with the interruption as its error. */
export function interruptedFields(record: Pick<ExecutionRecord, 'redrive_count' | 'state' | 'job_id'>, cause: string, step?: string, now = new Date()) {
  return {
    status: 'FAILED' as const,
    failed_at: now.toISOString(),
    updated_at: now.toISOString(),
    error: { type: INTERRUPTED, step: step ?? record.state, cause: `${cause}; resume it with \`delphi resume ${record.job_id}\`` },
    // MarkFailed's rule: a redrive count above this one is a redrive of this failure.
    failure_redrive_count: record.redrive_count,
    lease: null,
  };
}

/**
 * Holds the lease of one execution run by this process: records the state entered in the data
 * folder, renews the lease on the job record every LEASE_HEARTBEAT_MS, and on the way out removes the
 * lease (and the record of a SUCCEEDED execution; a FAILED one stays for `delphi resume`).
 */
export class LeaseHolder implements ExecutionLease {
  private record?: ExecutionRecord;
  private timer?: NodeJS.Timeout;
  private renewal: Promise<void> = Promise.resolve();
  /** The job record exists (MarkRunning wrote it, or this is a redrive). */
  private held = false;
  private finished = false;

  constructor(private readonly options: { repository: Repository; dir: string; onError?: (error: Error) => void }) {}

  get jobId(): string | undefined {
    return this.record?.job_id;
  }

  begin(execution: LeasedExecution): void {
    this.record = {
      job_id: execution.jobId,
      conversation_id: execution.conversationId,
      execution_name: execution.executionName,
      execution_arn: execution.executionArn,
      redrive_count: execution.redriveCount,
      status: 'RUNNING',
      pid: process.pid,
      host: hostname(),
      process_start: processStart(process.pid),
      state: execution.state,
      state_input: execution.stateInput,
      updated_at: new Date().toISOString(),
    };
    writeExecutionRecord(this.options.dir, this.record);
    if (execution.redriveCount > 0) this.hold();
  }

  onEvent(event: EventLog, redrivable: (state: string) => boolean): void {
    const record = this.record;
    const name = event.state?.name;
    if (!record || this.finished || !name || event.index !== undefined) return;
    if (event.type === 'StateEntered' && redrivable(name)) {
      record.state = name;
      record.state_input = event.state?.input as Record<string, unknown>;
      record.updated_at = new Date(event.timestamp).toISOString();
      writeExecutionRecord(this.options.dir, record);
      if (this.held) this.renew();
    }
    if (event.type === 'StateExited' && name === 'MarkRunning') {
      const output = event.state?.output as { conversation_id?: string } | undefined;
      if (output?.conversation_id) record.conversation_id = output.conversation_id;
      this.hold();
    }
  }

  private hold(): void {
    if (this.held || !this.record?.conversation_id) return;
    this.held = true;
    this.renew();
    this.timer = setInterval(() => this.renew(), LEASE_HEARTBEAT_MS);
    this.timer.unref();
  }

  private renew(): void {
    const record = this.record!;
    this.renewal = this.renewal
      .then(() => (this.finished ? undefined : this.options.repository.updateJob(record.job_id, record.conversation_id!, { lease: newLease(record.state) })))
      .catch((error: Error) => this.options.onError?.(error));
  }

  private async stop(): Promise<void> {
    this.finished = true;
    clearInterval(this.timer);
    await this.renewal;
  }

  async finish(outcome: Pick<ExecutionOutcome, 'status'>): Promise<void> {
    const record = this.record;
    if (!record || this.finished) return;
    await this.stop();
    if (this.held) await this.options.repository.updateJob(record.job_id, record.conversation_id!, { lease: null }).catch((error: Error) => this.options.onError?.(error));
    if (outcome.status === 'SUCCEEDED') return removeExecutionRecord(this.options.dir, record.job_id);
    record.status = 'FAILED';
    record.updated_at = new Date().toISOString();
    writeExecutionRecord(this.options.dir, record);
  }

  /** This process is being stopped (SIGINT, SIGTERM): the job is marked interrupted before it exits. */
  async interrupt(signal: string): Promise<void> {
    const record = this.record;
    if (!record || this.finished) return;
    await this.stop();
    record.status = 'FAILED';
    record.updated_at = new Date().toISOString();
    writeExecutionRecord(this.options.dir, record);
    if (!this.held) return;
    // Finished in the meantime (MarkCompleted or MarkFailed wrote its outcome): that outcome stands.
    const job = await this.options.repository.getJob(record.job_id).catch(() => undefined);
    if (job?.status !== 'RUNNING') return;
    const cause = `the local process that ran it (pid ${process.pid}) was stopped by ${signal}${record.state ? ` during ${record.state}` : ''}`;
    await this.options.repository.updateJob(record.job_id, record.conversation_id!, interruptedFields(record, cause)).catch((error: Error) => this.options.onError?.(error));
  }
}

/**
 * Marks FAILED (interrupted) the jobs of this data folder whose local process died without recording
 * an outcome, as `delphi serve` does at start-up; returns their job_ids. Records of processes on
 * another host, or still alive, are left alone.
 */
export async function markInterruptedJobs(repository: Repository, dir: string, now = new Date()): Promise<string[]> {
  const marked: string[] = [];
  for (const record of listExecutionRecords(dir)) {
    if (record.status !== 'RUNNING' || holderAlive(record) !== false) continue;
    const job = await repository.getJob(record.job_id);
    if (job?.status === 'RUNNING' && job.execution_name === record.execution_name) {
      const cause = `the local process that ran it (pid ${record.pid}) stopped${record.state ? ` during ${record.state}` : ''} without recording an outcome`;
      await repository.updateJob(record.job_id, String(job.conversation_id), interruptedFields(record, cause, interruptedStep(job, record.state), now));
      marked.push(record.job_id);
    }
    writeExecutionRecord(dir, { ...record, status: 'FAILED', updated_at: now.toISOString() });
  }
  return marked;
}
