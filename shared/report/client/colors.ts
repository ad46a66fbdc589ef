/** Colours of the topics of one layer: distinct for the largest, and never the same for near neighbours. */

/** Tableau 10 without its grey (noise is grey), then the lighter Tableau 20 companions. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#a0cbe8',
  '#ffbe7d',
  '#8cd17d',
  '#d4a6c8',
  '#86bcb6',
  '#f1ce63',
  '#d37295',
  '#499894',
  '#b6992d',
] as const;

export const NOISE_COLOR = '#b8bcc2';

export interface ColorRequest {
  key: string;
  size: number;
  centroid: { x: number; y: number };
}

/**
 * One colour per topic. Largest topics first; while the palette lasts each topic gets a new colour,
 * afterwards the colour whose nearest topic already using it is farthest away (so that two clusters
 * sharing a colour are not neighbours on the map).
 */
export function assignColors(topics: ColorRequest[], palette: readonly string[] = PALETTE): Map<string, string> {
  const ordered = [...topics].sort((a, b) => b.size - a.size || a.key.localeCompare(b.key));
  const users = palette.map(() => [] as ColorRequest[]);
  const colors = new Map<string, string>();
  for (const topic of ordered) {
    let best = 0;
    let bestDistance = -1;
    palette.forEach((_, index) => {
      const nearest = users[index].reduce(
        (min, other) => Math.min(min, Math.hypot(other.centroid.x - topic.centroid.x, other.centroid.y - topic.centroid.y)),
        Number.POSITIVE_INFINITY,
      );
      if (nearest > bestDistance) {
        best = index;
        bestDistance = nearest;
      }
    });
    users[best].push(topic);
    colors.set(topic.key, palette[best]);
  }
  return colors;
}
