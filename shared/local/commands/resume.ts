/** delphi resume <job_id> — redrive a failed or interrupted local job from the state it stopped in. */
import { DATA_DIR } from '../openDatabase';
import { jobIdArgument, parseCommandArgs, UsageError } from '../usage';
import { executeLocally } from './run';

export const usage = `resume <job_id>
      redrive a FAILED or interrupted job of this data folder from the step it stopped in, as a Step
      Functions redrive does (the steps before it keep their rows); exit code 1 when it fails again`;

export async function command(args: string[]): Promise<void> {
  const { positionals } = parseCommandArgs(args, { positionals: ['job_id'], required: 1 });
  const jobId = jobIdArgument(positionals[0]);
  const [{ executionsDir, readExecutionRecord }, { holderAlive, withInterruption }] = await Promise.all([import('../lease'), import('../../jobLease')]);
  const dir = executionsDir(DATA_DIR);
  const record = readExecutionRecord(dir, jobId);
  await executeLocally({
    jobId,
    title: `Delphi pipeline — resuming job ${jobId}`,
    details: record?.state ? [`  from: ${record.state} (redrive ${record.redrive_count + 1})`] : [],
    prepare: async (db) => {
      const stored = await db.repository.requireJob(jobId);
      const job = withInterruption(stored);
      if (job.status === 'COMPLETED') throw new UsageError(`job ${jobId} is COMPLETED: nothing to resume`);
      if (job.status === 'RUNNING') {
        const lease = stored.lease as { pid?: number } | undefined;
        throw new UsageError(`job ${jobId} is still RUNNING${lease?.pid ? ` (pid ${lease.pid})` : ''}: stop that process first, or wait for it`);
      }
      if (!record?.state || !record.state_input) {
        throw new UsageError(`job ${jobId} has no local execution record in ${dir}: only jobs run by delphi run or delphi serve on this data folder can be resumed`);
      }
      if (record.status === 'RUNNING' && holderAlive(record)) {
        throw new UsageError(`job ${jobId} is still being run by pid ${record.pid}: stop that process first`);
      }
      // MarkFailed resumes the failed step itself on a redrive; any other state is redriven as it was
      // when the process died, so the job is RUNNING again from here.
      if (record.state !== 'MarkFailed') {
        const now = new Date().toISOString();
        await db.repository.updateJob(jobId, String(stored.conversation_id), {
          status: 'RUNNING',
          error: null,
          updated_at: now,
          redriven_at: now,
          redrive_count: record.redrive_count + 1,
        });
      }
    },
    start: (pipeline, options) =>
      pipeline.redriveFrom(record!.state!, record!.state_input!, {
        ...options,
        executionName: record!.execution_name,
        redriveCount: record!.redrive_count + 1,
      }),
  });
}
