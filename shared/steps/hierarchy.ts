/** Parent (coarser layer) and children (finer layer) of each cluster, from the nested labels. */
import { clusterKey, membersByCluster } from './jobData';

export interface ClusterNode {
  layer: number;
  cluster: number;
  members: number[];
  parent?: string;
  children: string[];
  /** The child with exactly the same members, if there is one (the cluster did not split). */
  sameMembersAs?: string;
}

export function clusterHierarchy(layers: number[][]): ClusterNode[] {
  const nodes: ClusterNode[] = [];
  const sizes = layers.map((labels) => {
    const counts = new Map<number, number>();
    for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
    return counts;
  });
  layers.forEach((labels, layer) => {
    for (const [cluster, members] of membersByCluster(labels)) {
      const node: ClusterNode = { layer, cluster, members, children: [] };
      const coarser = layers[layer + 1];
      if (coarser) {
        const parent = majority(members.map((i) => coarser[i]));
        if (parent !== undefined && parent >= 0) node.parent = clusterKey(layer + 1, parent);
      }
      const finer = layers[layer - 1];
      if (finer) {
        const children = new Set(members.map((i) => finer[i]).filter((label) => label >= 0));
        node.children = [...children].sort((a, b) => a - b).map((child) => clusterKey(layer - 1, child));
        if (children.size === 1) {
          const [child] = children;
          if (sizes[layer - 1].get(child) === members.length && members.every((i) => finer[i] === child)) {
            node.sameMembersAs = clusterKey(layer - 1, child);
          }
        }
      }
      nodes.push(node);
    }
  });
  return nodes;
}

function majority(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: number | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== undefined && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}
