/** GET /jobs/{job_id}/changes[?since=<job_id>]: a COMPLETED job's topic changes since an earlier job (shared/changes.ts). */
import { defaultSinceJob, readJobChanges, type JobChanges } from '../changes';
import { NoEarlierJobError } from '../errors';
import { assertJobId } from '../jobId';
import type { JobRecord } from '../contract/job';
import type { Repository } from '../repository';
import { HttpError, badRequest, type ApiEvent } from './http';
import { jobPath } from './views';

/** ?since=<job_id>, when given. */
export function parseSince(event: Pick<ApiEvent, 'queryStringParameters'>): string | undefined {
  const raw = event.queryStringParameters?.since;
  if (raw === undefined || raw === null || raw === '') return undefined;
  try {
    return assertJobId(raw);
  } catch (error) {
    throw badRequest('since', (error as Error).message.replace(/^job_id/, 'since'));
  }
}

function requireCompleted(job: JobRecord, field: string): JobRecord {
  if (job.status !== 'COMPLETED') {
    throw new HttpError(409, 'JobNotCompleted', `Job ${job.job_id} is ${job.status}: changes are served between COMPLETED jobs.`, field, {
      status: job.status,
    });
  }
  return job;
}

export async function jobChanges(repository: Repository, jobId: string, sinceId?: string): Promise<JobChanges> {
  const job = await repository.getJob(jobId);
  if (!job) throw new HttpError(404, 'JobNotFound', `No job with job_id "${jobId}" exists.`, 'job_id');
  requireCompleted(job, 'job_id');
  let since: JobRecord;
  if (sinceId) {
    const found = await repository.getJob(sinceId);
    if (!found) throw new HttpError(404, 'JobNotFound', `No job with job_id "${sinceId}" exists.`, 'since');
    if (found.conversation_id !== job.conversation_id) {
      throw badRequest('since', `Job ${sinceId} belongs to conversation ${found.conversation_id}, not ${job.conversation_id}: only jobs of one conversation can be compared.`);
    }
    since = requireCompleted(found, 'since');
  } else {
    try {
      since = requireCompleted(await defaultSinceJob(repository, job), 'since');
    } catch (error) {
      if (error instanceof NoEarlierJobError) throw new HttpError(404, 'NoEarlierJob', `${error.message}; name one with ?since=<job_id>.`, 'since');
      throw error;
    }
  }
  return readJobChanges(repository, job, since);
}

export function changesView(changes: JobChanges, base: string) {
  return {
    ...changes,
    status_url: `${base}${jobPath(changes.job.job_id)}`,
    since_url: `${base}${jobPath(changes.since.job_id)}`,
  };
}
