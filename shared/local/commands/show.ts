/** delphi show <job_id> [--layer N] — a job's status and topics. */
import { parseArgs } from 'node:util';
import { withDatabase } from '../database';
import { printSummary } from '../summary';

export const usage = `show <job_id> [--layer N]
      show a job's status, row counts and topics (all topics of layer N with --layer)`;

export async function command(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { layer: { type: 'string' } } });
  if (!positionals[0]) throw new Error('usage: delphi show <job_id> [--layer N]');
  await withDatabase((db) => printSummary(db.repository, positionals[0], values.layer === undefined ? undefined : Number(values.layer)));
}
