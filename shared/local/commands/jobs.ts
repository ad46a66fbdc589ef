/** delphi jobs <conversation_id> — a conversation's jobs, newest first. */
import { assertConversationId } from '../../jobId';
import { listConversationJobs } from '../../results';
import { withDatabase } from '../openDatabase';
import { parseCommandArgs, UsageError } from '../usage';

export const usage = `jobs <conversation_id>
      list a conversation's jobs, newest first`;

export async function command(args: string[]): Promise<void> {
  const { positionals } = parseCommandArgs(args, { positionals: ['conversation_id'], required: 1 });
  const conversationId = positionals[0];
  try {
    assertConversationId(conversationId);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  await withDatabase(async (db) => {
    const { jobs } = await listConversationJobs(db.repository, conversationId);
    if (jobs.length === 0) console.log(`No jobs for conversation ${conversationId}.`);
    for (const job of jobs) {
      console.log(`${job.created_at}  ${String(job.status).padEnd(9)}  ${job.job_id}  ${job.num_comments ?? '?'} comments`);
    }
  });
}
