/** delphi show <job_id> [--layer N] — a job's status and topics. */
import { MAX_LAYER } from '../../api/requests';
import { withDatabase } from '../openDatabase';
import { jobIdArgument, parseCommandArgs, UsageError } from '../usage';

export const usage = `show <job_id> [--layer N]
      show a job's status, row counts and topics (all topics of layer N with --layer)`;

export async function command(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, { positionals: ['job_id'], required: 1, options: { layer: { type: 'string' } } });
  const jobId = jobIdArgument(positionals[0]);
  let layer: number | undefined;
  if (values.layer !== undefined) {
    if (!/^\d+$/.test(values.layer) || Number(values.layer) > MAX_LAYER) {
      throw new UsageError(`--layer must be an integer from 0 (finest) to ${MAX_LAYER}, got '${values.layer}'`);
    }
    layer = Number(values.layer);
  }
  const { printSummary } = await import('../summary');
  await withDatabase((db) => printSummary(db.repository, jobId, layer));
}
