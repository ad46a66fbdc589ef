/** Lambda for NameLayer, inside the NameLayers Map of a large job: names the clusters of one layer. */
import { stepHandler } from '../shared/handler';
import { nameLayerStep } from '../shared/steps/nameTopics';

export const handler = stepHandler('NameLayer', nameLayerStep, { recordAs: (input) => `NameLayers#${input.layer}` });
