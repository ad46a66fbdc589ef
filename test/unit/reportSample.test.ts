/** The report's sampled point layer: the same share of every finest topic, deterministic, none dropped below one. */
import { describe, expect, it } from 'vitest';
import { REPORT_MAX_POINTS, samplePoints } from '../../shared/report/sample';

const points = (sizes: number[]) =>
  sizes.flatMap((size, cluster) => Array.from({ length: size }, (_, i) => ({ id: cluster * 100_000 + i, labels: [cluster === sizes.length - 1 ? -1 : cluster, 0] })));

describe('samplePoints', () => {
  it('keeps every point up to the cap', () => {
    const all = points([10, 20, 5]);
    expect(samplePoints(all, 35)).toBe(all);
  });

  it('past the cap: about `max` points, each topic (and the noise) at its share, at least one each, in the original order', () => {
    const all = points([60_000, 30_000, 9_000, 3, 1_000]);
    const shown = samplePoints(all, 10_000);
    expect(shown.length).toBeGreaterThanOrEqual(9_999);
    expect(shown.length).toBeLessThanOrEqual(10_005);
    const count = (label: number) => shown.filter((p) => p.labels[0] === label).length;
    expect(count(0)).toBe(Math.round(60_000 * (10_000 / all.length)));
    expect(count(1)).toBe(Math.round(30_000 * (10_000 / all.length)));
    expect(count(3)).toBe(1);
    expect(count(-1)).toBe(Math.round(1_000 * (10_000 / all.length)));
    const order = shown.map((p) => all.indexOf(p));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('is the same sample on every call and spreads over the ids (not the first ones)', () => {
    const all = points([50_000, 50_000]);
    const a = samplePoints(all, 1_000);
    expect(samplePoints([...all], 1_000).map((p) => p.id)).toEqual(a.map((p) => p.id));
    const firstCluster = a.filter((p) => p.labels[0] === 0).map((p) => p.id);
    expect(Math.max(...firstCluster)).toBeGreaterThan(40_000);
    expect(Math.min(...firstCluster)).toBeLessThan(10_000);
  });

  it('caps the map at 20,000 points by default', () => {
    expect(REPORT_MAX_POINTS).toBe(20_000);
    expect(samplePoints(points([30_000])).length).toBe(20_000);
  });
});
