/** delphi diff <job_id> [<other_job_id>] [--json] — what changed in a job's topics since another job. */
import { defaultSinceJob, readJobChanges, type JobChanges, type TopicChange } from '../../changes';
import type { JobRecord } from '../../contract/job';
import type { Repository } from '../../repository';
import { withDatabase } from '../openDatabase';
import { jobIdArgument, parseCommandArgs } from '../usage';

export const usage = `diff <job_id> [<other_job_id>] [--json]
      what changed since the other job (default: the one the job was matched with, docs/lineage.md):
      per layer the new, grown, shrunk, split, merged and gone topics, and the new comments`;

const NEW_COMMENTS_SHOWN = 20;
const clip = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);
const named = (topic: { name: string | null; cluster_key: string }) => topic.name ?? `(${topic.cluster_key})`;

function topicLine(topic: TopicChange): string {
  const from = topic.previous.map((p) => `${named(p)} (${p.size})`).join(' + ');
  const sizes = topic.previous.length > 0 ? `${String(topic.size).padStart(4)} ← ${from}` : String(topic.size).padStart(4);
  return `    ${topic.status.padEnd(7)} ${topic.status === 'new' ? `${sizes}  ${named(topic)}` : `${named(topic)}: ${sizes}`}`;
}

/** The changes as text, finest layer first. */
export function formatChanges(changes: JobChanges): string {
  const lines: string[] = [];
  const when = (side: JobChanges['job']) => `${side.num_comments ?? '?'} comments, ${side.completed_at ?? side.created_at ?? '?'}`;
  lines.push(`${changes.job.job_id} (${when(changes.job)})`);
  lines.push(`  since ${changes.since.job_id} (${when(changes.since)})`);
  lines.push(`comments: ${changes.comments.new} new, ${changes.comments.changed} changed, ${changes.comments.gone} gone`);
  for (const layer of changes.layers) {
    const { counts } = layer;
    lines.push('');
    lines.push(
      `Layer ${layer.layer_id}: ${layer.topics} topics — ${counts.same} same, ${counts.grown} grown, ${counts.shrunk} shrunk, ` +
        `${counts.split} split, ${counts.merged} merged, ${counts.new} new; ${counts.gone} gone; ${layer.uids_kept} kept their uid`,
    );
    for (const status of ['grown', 'shrunk', 'split', 'merged', 'new'] as const) {
      for (const topic of layer.changed[status]) lines.push(topicLine(topic));
    }
    for (const topic of layer.gone) {
      const to = topic.went_to.slice(0, 3).map((t) => `${named(t)} (${t.shared})`).join(', ');
      lines.push(`    gone    ${named(topic)} (${topic.size})${to ? ` → ${to}` : ''}`);
    }
  }
  if (changes.new_comments.length > 0) {
    lines.push('');
    lines.push(`New comments (${changes.new_comments.length}) and their topics, finest → coarsest:`);
    for (const comment of changes.new_comments.slice(0, NEW_COMMENTS_SHOWN)) {
      const topics = comment.topics.map((t) => (t.cluster_key ? named({ name: t.name, cluster_key: t.cluster_key }) : '(noise)')).join(' / ');
      lines.push(`  ${String(comment.comment_id).padStart(5)}  ${clip(comment.text, 70)}`);
      lines.push(`         → ${topics}`);
    }
    if (changes.new_comments.length > NEW_COMMENTS_SHOWN) {
      lines.push(`  … ${changes.new_comments.length - NEW_COMMENTS_SHOWN} more (--json lists all)`);
    }
  }
  return lines.join('\n');
}

async function completedJob(repository: Repository, jobId: string): Promise<JobRecord> {
  const job = await repository.requireJob(jobId);
  if (job.status !== 'COMPLETED') throw new Error(`job ${jobId} is ${job.status}: only COMPLETED jobs can be compared`);
  return job;
}

export async function command(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, {
    positionals: ['job_id', 'other_job_id'],
    required: 1,
    options: { json: { type: 'boolean' } },
  });
  const jobId = jobIdArgument(positionals[0]);
  const otherId = positionals[1] === undefined ? undefined : jobIdArgument(positionals[1], 'other_job_id');
  await withDatabase(async (db) => {
    const job = await completedJob(db.repository, jobId);
    const since = otherId ? await completedJob(db.repository, otherId) : await defaultSinceJob(db.repository, job);
    if (since.status !== 'COMPLETED') throw new Error(`job ${since.job_id} is ${since.status}: only COMPLETED jobs can be compared`);
    const changes = await readJobChanges(db.repository, job, since);
    console.log(values.json ? JSON.stringify(changes, null, 2) : formatChanges(changes));
  });
}
