/** Lambda for FinishEmbedding, after the EmbedBatches Map: removes stale rows, records the model on the job. */
import { stepHandler } from '../shared/handler';
import { finishEmbeddingStep } from '../shared/steps/embed';

export const handler = stepHandler('FinishEmbedding', finishEmbeddingStep);
