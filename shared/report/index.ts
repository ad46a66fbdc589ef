/**
 * The report of a job: an interactive topic map as one self-contained HTML page. `delphi report`,
 * `delphi run` and the API's `GET /jobs/{job_id}/report` all make it with reportHtmlForJob.
 */
import type { Repository } from '../repository';
import { loadReportData } from './data';
import { renderReport } from './render';

export { loadReportData, readQuality } from './data';
export type { LayerQuality, ReportComment, ReportData, ReportJob, ReportLayer, ReportTopic } from './data';
export { embedJson, escapeHtml, renderReport } from './render';

/**
 * The report page of a job. Throws JobNotFoundError for an unknown job_id; a job that is not
 * COMPLETED gets a page that says so (status and error) instead of a map.
 */
export async function reportHtmlForJob(repository: Repository, jobId: string): Promise<string> {
  return renderReport(await loadReportData(repository, jobId));
}
