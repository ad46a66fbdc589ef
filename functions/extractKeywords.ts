/** Lambda for the ExtractKeywords state. Input: the execution state (job_id, conversation_id, source, options). */
import { stepHandler } from '../shared/handler';
import { extractKeywordsStep } from '../shared/steps/extractKeywords';

export const handler = stepHandler('ExtractKeywords', extractKeywordsStep);
