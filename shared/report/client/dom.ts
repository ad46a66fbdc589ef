/// <reference lib="dom" />
/** Small DOM and number helpers of the report's browser script. */

export const numberFormat = new Intl.NumberFormat('en');
export const percent = (share: number) => `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0)}%`;

export function element<T extends HTMLElement>(tag: string, className?: string, text?: string): T {
  const node = document.createElement(tag) as T;
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`The report page has no #${id}`);
  return node as T;
}

/** A darker shade of a #rrggbb colour for label text: the lighter the colour, the more it is darkened. */
export function labelInk(hex: string): string {
  const value = parseInt(hex.slice(1), 16);
  const [r, g, b] = [16, 8, 0].map((shift) => (value >> shift) & 255);
  const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  const keep = 1 - (0.3 + 0.4 * luminance);
  return `rgb(${Math.round(r * keep)}, ${Math.round(g * keep)}, ${Math.round(b * keep)})`;
}
