/** delphi jobs <conversation_id> — a conversation's jobs, newest first. */
import { listConversationJobs } from '../../results';
import { withDatabase } from '../database';

export const usage = `jobs <conversation_id>
      list a conversation's jobs, newest first`;

export async function command(args: string[]): Promise<void> {
  const conversationId = args[0];
  if (!conversationId) throw new Error('usage: delphi jobs <conversation_id>');
  await withDatabase(async (db) => {
    const { jobs } = await listConversationJobs(db.repository, conversationId);
    if (jobs.length === 0) console.log(`No jobs for conversation ${conversationId}.`);
    for (const job of jobs) {
      console.log(`${job.created_at}  ${String(job.status).padEnd(9)}  ${job.job_id}  ${job.num_comments ?? '?'} comments`);
    }
  });
}
