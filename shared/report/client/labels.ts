/**
 * Topic labels on the map: wrapped to at most two lines and placed at their cluster's centroid, or
 * nudged next to it, so that no two labels overlap. Pure: the browser measures the text, this decides.
 */

export interface LabelRequest {
  key: string;
  /** Anchor (the centroid) in screen pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedLabel extends LabelRequest {
  /** Centre of the placed box. */
  cx: number;
  cy: number;
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Splits a name into at most `maxLines` lines of about `maxChars` characters, at spaces. */
export function wrapLabel(name: string, maxChars = 22, maxLines = 2): string[] {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  for (const word of words) {
    const last = lines[lines.length - 1];
    if (last !== undefined && (last + ' ' + word).length <= maxChars) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]}…`;
  return kept;
}

export function boxOf(label: { cx: number; cy: number; width: number; height: number }, padding = 0): Box {
  return {
    left: label.cx - label.width / 2 - padding,
    top: label.cy - label.height / 2 - padding,
    right: label.cx + label.width / 2 + padding,
    bottom: label.cy + label.height / 2 + padding,
  };
}

export function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/**
 * Places labels in the order given (most important first): each takes the first candidate position —
 * on its anchor, then just above, below, beside it, then a little farther — that stays inside the
 * `width` × `height` area, keeps touching its anchor's neighbourhood and overlaps no label placed
 * before it. A label with no free position is left out (zooming in makes room); its topic is still
 * listed in the panel.
 */
export function placeLabels(requests: LabelRequest[], width: number, height: number, gap = 4): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  const boxes: Box[] = [];
  for (const request of requests) {
    if (request.width > width || request.height > height) continue;
    // A label farther than this from its centroid would seem to name other points.
    const reachX = request.width / 2 + 12;
    const reachY = request.height * 1.7;
    for (const [dx, dy] of candidateOffsets(request.width, request.height)) {
      const cx = clamp(request.x + dx, request.width / 2 + gap, width - request.width / 2 - gap);
      const cy = clamp(request.y + dy, request.height / 2 + gap, height - request.height / 2 - gap);
      if (Math.abs(cx - request.x) > reachX || Math.abs(cy - request.y) > reachY) continue;
      const box = boxOf({ cx, cy, width: request.width, height: request.height }, gap / 2);
      if (boxes.some((other) => overlaps(box, other))) continue;
      placed.push({ ...request, cx, cy });
      boxes.push(box);
      break;
    }
  }
  return placed;
}

function candidateOffsets(width: number, height: number): Array<[number, number]> {
  const up = height * 0.8;
  const side = width / 2;
  return [
    [0, 0],
    [0, -up],
    [0, up],
    [side, 0],
    [-side, 0],
    [side, -up],
    [-side, -up],
    [side, up],
    [-side, up],
    [0, -2 * up],
    [0, 2 * up],
  ];
}

const clamp = (value: number, low: number, high: number) => (low > high ? (low + high) / 2 : Math.min(high, Math.max(low, value)));
