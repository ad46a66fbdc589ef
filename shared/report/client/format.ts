/** Wording shared by the page's server-rendered header and its browser script. */

/** Layer index (0 finest) → the name the page gives it: Fine, Layer 1, …, Coarse. */
export function layerName(index: number, count: number): string {
  if (count === 1) return 'Single';
  if (index === 0) return 'Fine';
  if (index === count - 1) return 'Coarse';
  return `Layer ${index}`;
}

/** The panel's heading for a layer: "Coarse layer · 6 topics", "Layer 2 · 15 topics". */
export function layerHeading(index: number, count: number, topics: number): string {
  const name = layerName(index, count);
  return `${name.startsWith('Layer') ? name : `${name} layer`} · ${topics} topic${topics === 1 ? '' : 's'}`;
}
