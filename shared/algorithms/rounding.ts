/** Stored numbers are rounded to 6 decimals, so that a re-run writes exactly the same rows. */
export function round6(value: number): number {
  const rounded = Math.round(value * 1e6) / 1e6;
  // Never −0: it would store as a different number than 0.
  return rounded === 0 ? 0 : rounded;
}
