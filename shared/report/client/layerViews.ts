/// <reference lib="dom" />
/** Each layer of the report as the map and the panel use it: its topics, their members and colours. */
import type { ReportData, ReportTopic } from '../data';
import { assignColors } from './colors';

export interface LayerView {
  topics: ReportTopic[];
  byClusterId: Map<number, ReportTopic>;
  members: Map<string, number[]>;
  noise: number[];
  colors: Map<string, string>;
}

export function buildLayerViews(data: ReportData): LayerView[] {
  const { comments } = data;
  return data.layers.map((layer, layerIndex) => {
    const members = new Map<string, number[]>(layer.topics.map((topic) => [topic.key, []]));
    const byClusterId = new Map(layer.topics.map((topic) => [topic.cluster_id, topic]));
    const noise: number[] = [];
    comments.forEach((comment, i) => {
      const topic = byClusterId.get(comment.labels[layerIndex]);
      if (topic) members.get(topic.key)!.push(i);
      else noise.push(i);
    });
    return { topics: layer.topics, byClusterId, members, noise, colors: assignColors(layer.topics) };
  });
}

/** The coarsest layer that still splits the conversation into several topics. */
export function defaultLayer(views: LayerView[]): number {
  let index = views.length - 1;
  while (index > 0 && views[index].topics.length < 2) index--;
  return index;
}
