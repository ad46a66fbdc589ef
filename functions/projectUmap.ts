/** Lambda for the ProjectUmap state. Input: the execution state (job_id, conversation_id, source, options). */
import { stepHandler } from '../shared/handler';
import { projectUmapStep } from '../shared/steps/projectUmap';

export const handler = stepHandler('ProjectUmap', projectUmapStep);
