/** Lambda for the Cluster state. Input: the execution state (job_id, conversation_id, source, options). */
import { stepHandler } from '../shared/handler';
import { clusterStep } from '../shared/steps/cluster';

export const handler = stepHandler('Cluster', clusterStep);
