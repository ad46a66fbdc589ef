/**
 * Seeded pseudo-random numbers (mulberry32). Algorithms take one of these as a parameter so that a
 * job re-run with the same seed produces exactly the same rows.
 */
export type Random = () => number;

/** The seed every seeded algorithm and a job's `seed` option default to. */
export const DEFAULT_SEED = 42;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviate (Box–Muller) from a seeded uniform source. */
export function gaussian(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
