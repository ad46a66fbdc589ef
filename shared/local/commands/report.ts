/** delphi report <job_id> [--out file.html] — the job's interactive topic map as one HTML file. */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Repository } from '../../repository';
import { reportHtmlForJob } from '../../report';
import { DATA_DIR, displayPath, withDatabase } from '../openDatabase';
import { jobIdArgument, parseCommandArgs } from '../usage';

export const usage = `report <job_id> [--out file.html]
      write the job's interactive topic map as one self-contained HTML file (default .delphi/reports/<job_id>.html)`;

export function defaultReportPath(jobId: string): string {
  return path.join(DATA_DIR, 'reports', `${jobId}.html`);
}

/** Renders the job's report to `file` (default .delphi/reports/<job_id>.html) and returns the path. */
export async function writeJobReport(repository: Repository, jobId: string, file = defaultReportPath(jobId)): Promise<string> {
  const html = await reportHtmlForJob(repository, jobId);
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, html);
  return target;
}

/** How the CLI names a written report: a path relative to the working directory, and a file:// URL. */
export function describeReport(file: string): string {
  const shown = displayPath(file);
  const kilobytes = Math.round(statSync(file).size / 1024).toLocaleString('en');
  return `${shown} (${kilobytes} KB) — open ${pathToFileURL(file).href}`;
}

export async function command(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, { positionals: ['job_id'], required: 1, options: { out: { type: 'string' } } });
  const jobId = jobIdArgument(positionals[0]);
  await withDatabase(async (db) => {
    const file = await writeJobReport(db.repository, jobId, values.out);
    console.log(`Report: ${describeReport(file)}`);
  });
}
