/** The summary `delphi run` and `delphi show` print: job, rows per table, layers, top topics. */
import type { Repository } from '../repository';
import { readJobTopics } from '../results';
import { formatEvaluation } from './evaluation';
import { groupLetter } from '../algorithms/groupNames';
import { UsageError } from './usage';

const TOPICS_SHOWN = 8;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function printSummary(repository: Repository, jobId: string, layer?: number): Promise<void> {
  const { job, layers } = await readJobTopics(repository, jobId);
  if (layer !== undefined && !layers.some((l) => l.layer_id === layer)) {
    const ids = layers.map((l) => l.layer_id);
    throw new UsageError(
      ids.length === 0
        ? `job ${jobId} has no topics (status ${job.status}), so no layer ${layer}`
        : `job ${jobId} has no layer ${layer} (its layers: ${ids.length > 1 ? `${Math.min(...ids)}–${Math.max(...ids)}` : ids[0]})`,
    );
  }
  console.log('');
  console.log(`job_id           ${job.job_id}`);
  console.log(`conversation_id  ${job.conversation_id}${job.metadata?.title ? ` — ${job.metadata.title}` : ''}`);
  const error = job.error;
  const step = job.status === 'RUNNING' ? job.current_step : error?.step;
  const why = job.status === 'FAILED' && error ? ` (${error.type ? `${error.type}: ` : ''}${error.cause})` : '';
  console.log(`status           ${job.status}${step ? ` ${job.status === 'RUNNING' ? 'in' : 'in step'} ${step}` : ''}${why}`);
  const shares = job.language_shares;
  const languages = shares ? `  languages ${Object.entries(shares).map(([code, share]) => `${code} ${Math.round(share * 100)}%`).join(', ')}` : '';
  console.log(`comments         ${job.num_comments ?? '?'}  embedding ${job.embedding_model ?? '?'}${languages}`);
  const reuse = job.embedding_reuse;
  if (reuse?.from_job && reuse.reused > 0) console.log(`reused vectors   ${reuse.reused} of unchanged comments from job ${reuse.from_job}; ${reuse.encoded} encoded`);
  console.log(`votes            ${job.has_votes ? 'yes' : 'none'}  ${job.opinion_groups ? `${plural(job.opinion_groups, 'opinion group')}` : 'no opinion groups'}`);
  console.log('rows per table');
  const counts = job.counts ?? (await repository.countJobRows(jobId));
  for (const [table, count] of Object.entries(counts)) console.log(`  ${table.padEnd(46)} ${count}`);
  const layerInfo = job.cluster_layers ?? [];
  if (layerInfo.length > 0) console.log(`clusters per layer  ${layerInfo.map((l) => `L${l.layer_id}: ${l.num_clusters}`).join('  ')}  (noise ${layerInfo.map((l) => `${Math.round(l.noise_share * 100)}%`).join(' / ')})`);
  const lineage = job.lineage;
  if (lineage?.compared_to) {
    const kept = lineage.layers.map((l) => `L${l.layer_id}: ${l.uids_kept}/${l.topics}`).join('  ');
    const comments = lineage.comments ? `; comments ${lineage.comments.new} new, ${lineage.comments.changed} changed, ${lineage.comments.gone} gone` : '';
    console.log(`since ${lineage.compared_to}  topics that kept their uid ${kept}${comments}  (delphi diff ${job.job_id})`);
  }
  if (job.evaluation) {
    console.log('quality');
    console.log(formatEvaluation(job.evaluation).replace(/^/gm, '  '));
  }
  for (const warning of job.warnings ?? []) console.log(`warning: ${warning}`);
  for (const note of job.adjustments ?? []) console.log(`adjusted: ${note}`);

  const shown = layer === undefined ? [layers[layers.length - 1], layers[0]].filter(Boolean) : layers.filter((l) => l.layer_id === layer);
  for (const { layer_id, topics } of shown.filter((l, i, all) => all.indexOf(l) === i)) {
    console.log('');
    console.log(`Topics of layer ${layer_id} (${plural(topics.length, 'cluster')}; ${layer_id === 0 ? 'finest' : 'coarser'}), largest first:`);
    const listed = layer === undefined ? TOPICS_SHOWN : topics.length;
    for (const topic of topics.slice(0, listed)) {
      console.log(`  ${String(topic.size).padStart(4)}  ${topic.topic_name ?? '(unnamed)'}`);
      console.log(`        ${topic.keywords.slice(0, 6).join(', ')}`);
      const groups = topic.features?.group_votes;
      if (groups) {
        const rates = groups.groups.map((group) => `${groupLetter(group.group_id)} ${Math.round(group.agree_rate * 100)}%`).join(' · ');
        console.log(`        groups agree ${rates}; group-informed consensus ${groups.consensus.toFixed(2)}, dividing rank ${groups.division_rank}`);
      }
    }
    if (topics.length > listed) {
      console.log(`  … ${topics.length - listed} more: delphi show ${job.job_id} --layer ${layer_id} lists all ${topics.length}`);
    }
  }
}
