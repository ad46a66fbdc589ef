/** Lambda for the Embed state. Input: the execution state (job_id, conversation_id, source, options). */
import { stepHandler } from '../shared/handler';
import { embedStep } from '../shared/steps/embed';

export const handler = stepHandler('Embed', embedStep);
