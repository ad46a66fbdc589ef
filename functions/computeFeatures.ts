/** Lambda for the ComputeFeatures state. Input: the execution state (job_id, conversation_id, source, options). */
import { stepHandler } from '../shared/handler';
import { computeFeaturesStep } from '../shared/steps/computeFeatures';

export const handler = stepHandler('ComputeFeatures', computeFeaturesStep);
