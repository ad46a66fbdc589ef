/** Lambda for EmbedBatch, inside the EmbedBatches Map of a large job: embeds one slice of the comments. */
import { stepHandler } from '../shared/handler';
import { embedBatchStep } from '../shared/steps/embed';

export const handler = stepHandler('EmbedBatch', embedBatchStep, { recordAs: (input) => `EmbedBatches#${input.batch?.index}` });
