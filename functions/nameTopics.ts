/** Lambda for the NameTopics state. Input: the execution state (job_id, conversation_id, source, options). */
import { stepHandler } from '../shared/handler';
import { nameTopicsStep } from '../shared/steps/nameTopics';

export const handler = stepHandler('NameTopics', nameTopicsStep);
