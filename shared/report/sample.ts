/**
 * The map's points for a huge conversation: a page with 200,000 comments (text, position, labels) is
 * tens of megabytes and draws slowly, so past a cap the report shows a sample — the same share of
 * every finest topic (at least one point each, noise as a group of its own), chosen by a hash of the
 * comment id so the same job always gives the same map. Sizes, shares and counts come from the rows and
 * stay those of all comments.
 */
export const REPORT_MAX_POINTS = 20_000;

/** A well-mixed 32-bit hash of an id (the murmur3 finaliser): the sample's order, without a clock or a seed. */
function mix(id: number): number {
  let h = (id ^ (id / 2 ** 32)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** At most about `max` of `points` (plus one per group at worst), in their original order. */
export function samplePoints<T extends { id: number; labels: number[] }>(points: T[], max = REPORT_MAX_POINTS): T[] {
  if (points.length <= max) return points;
  const ratio = max / points.length;
  const groups = new Map<number, T[]>();
  for (const point of points) {
    const group = point.labels[0] ?? -1;
    const members = groups.get(group);
    if (members) members.push(point);
    else groups.set(group, [point]);
  }
  const kept = new Set<T>();
  for (const members of groups.values()) {
    const quota = Math.max(1, Math.round(members.length * ratio));
    members
      .map((point) => [mix(point.id), point] as const)
      .sort((a, b) => a[0] - b[0] || a[1].id - b[1].id)
      .slice(0, quota)
      .forEach(([, point]) => kept.add(point));
  }
  return points.filter((point) => kept.has(point));
}
