/** delphi evaluate <job_id> — per-layer quality figures of a job (and stores them on the job record). */
import { withDatabase } from '../openDatabase';
import { jobIdArgument, parseCommandArgs } from '../usage';

export const usage = `evaluate <job_id>
      per layer: clusters, noise share, silhouette, topic diversity, NPMI coherence (stored on the job)`;

export async function command(args: string[]): Promise<void> {
  const { positionals } = parseCommandArgs(args, { positionals: ['job_id'], required: 1 });
  const jobId = jobIdArgument(positionals[0]);
  const [{ evaluateJob }, { formatEvaluation }] = await Promise.all([import('../../steps/evaluate'), import('../evaluation')]);
  await withDatabase(async (db) => {
    const job = await db.repository.requireJob(jobId);
    const evaluation = await evaluateJob(db.repository, jobId);
    await db.repository.updateJob(jobId, String(job.conversation_id), { evaluation });
    console.log(`Quality of job ${jobId} (${job.num_comments} comments, ${job.embedding_model})`);
    console.log(formatEvaluation(evaluation));
  });
}
