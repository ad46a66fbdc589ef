import { describe, expect, it } from 'vitest';
import { nearestNeighbors, nearestNeighbors2d } from '../../shared/algorithms/neighbors';
import { gaussian, seededRandom } from '../../shared/algorithms/random';

function randomVectors(n: number, dim: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => gaussian(random)));
}

/** Reference: every pair in float64, sorted by (distance, index). */
function bruteForce(n: number, k: number, distance: (a: number, b: number) => number) {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => j)
      .filter((j) => j !== i)
      .map((j) => ({ j, d: distance(i, j) }))
      .sort((a, b) => a.d - b.d || a.j - b.j)
      .slice(0, k),
  );
}

function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < a.length; d++) {
    dot += a[d] * b[d];
    na += a[d] * a[d];
    nb += b[d] * b[d];
  }
  return 1 - dot / Math.sqrt(na * nb);
}

describe('nearestNeighbors (cosine, exact)', () => {
  it('returns the same neighbours and distances as brute force on random data', () => {
    // 203 rows (not a multiple of the 64-row tile nor of the 2 × 4 kernel), 37 dimensions.
    const vectors = randomVectors(203, 37, 1);
    const k = 10;
    const expected = bruteForce(vectors.length, k, (a, b) => cosineDistance(vectors[a], vectors[b]));

    const { indices, distances } = nearestNeighbors(vectors, k);

    expect(indices).toHaveLength(203);
    for (let i = 0; i < vectors.length; i++) {
      expect(indices[i]).toHaveLength(k);
      for (let j = 0; j < k; j++) {
        expect(distances[i][j]).toBeCloseTo(expected[i][j].d, 6);
        // Indices must agree except between two candidates closer than float32 rounding.
        if (indices[i][j] !== expected[i][j].j) {
          const gap = Math.abs(cosineDistance(vectors[i], vectors[indices[i][j]]) - expected[i][j].d);
          expect(gap).toBeLessThan(1e-6);
        }
      }
    }
  });

  it('excludes the point itself, keeps rows sorted and breaks ties by index', () => {
    // Rows 0, 2 and 4 are identical (distance 0 to each other); row 1 is their negation.
    const a = Float32Array.of(1, 2, 3);
    const vectors = [a, Float32Array.of(-1, -2, -3), a, Float32Array.of(3, 2, 1), a];

    const { indices, distances } = nearestNeighbors(vectors, 3);

    expect(Array.from(indices[0])).toEqual([2, 4, 3]);
    expect(Array.from(indices[2])).toEqual([0, 4, 3]);
    expect(Array.from(indices[4])).toEqual([0, 2, 3]);
    expect(Array.from(distances[0].slice(0, 2))).toEqual([0, 0]);
    expect(distances[1][2]).toBeCloseTo(2, 6); // opposite direction: cosine distance 2
    for (let i = 0; i < vectors.length; i++) {
      expect(Array.from(indices[i])).not.toContain(i);
      for (let j = 1; j < distances[i].length; j++) expect(distances[i][j]).toBeGreaterThanOrEqual(distances[i][j - 1]);
    }
  });

  it('does not depend on the length of the vectors (cosine)', () => {
    const vectors = randomVectors(50, 8, 2);
    const scaled = vectors.map((v, i) => v.map((x) => x * (i + 1) * 3.5));

    expect(nearestNeighbors(scaled, 5).indices).toEqual(nearestNeighbors(vectors, 5).indices);
  });

  it('clamps k to n − 1 and handles tiny inputs', () => {
    expect(nearestNeighbors([], 5)).toEqual({ indices: [], distances: [] });
    const one = nearestNeighbors([Float32Array.of(1, 0)], 5);
    expect(one.indices.map((r) => r.length)).toEqual([0]);
    const three = nearestNeighbors([Float32Array.of(1, 0), Float32Array.of(0, 1), Float32Array.of(1, 1)], 5);
    expect(three.indices.map((r) => Array.from(r))).toEqual([[2, 1], [2, 0], [0, 1]]);
  });

  it('gives a zero vector distance 1 to everything', () => {
    const { distances } = nearestNeighbors([Float32Array.of(0, 0), Float32Array.of(1, 0), Float32Array.of(0, 1)], 2);
    expect(Array.from(distances[0])).toEqual([1, 1]);
  });

  it('is deterministic', () => {
    const vectors = randomVectors(300, 20, 3);
    expect(nearestNeighbors(vectors, 15)).toEqual(nearestNeighbors(vectors, 15));
  });
});

describe('nearestNeighbors2d (euclidean, k-d tree)', () => {
  it('matches brute force on random 2-D and 5-D points', () => {
    const random = seededRandom(5);
    for (const dim of [2, 5]) {
      const points = Array.from({ length: 500 }, () => Array.from({ length: dim }, () => gaussian(random) * 10));
      const expected = bruteForce(points.length, 7, (a, b) => Math.hypot(...points[a].map((x, d) => x - points[b][d])));

      const { indices, distances } = nearestNeighbors2d(points, 7);

      for (let i = 0; i < points.length; i++) {
        expect(Array.from(indices[i])).toEqual(expected[i].map((e) => e.j));
        expected[i].forEach((e, j) => expect(distances[i][j]).toBeCloseTo(e.d, 9));
      }
    }
  });

  it('breaks ties by index on a grid with many equal distances', () => {
    const points: number[][] = [];
    for (let x = 0; x < 12; x++) for (let y = 0; y < 12; y++) points.push([x, y]);
    points.push([5, 5], [5, 5]); // duplicates of point 65
    const squared = (a: number, b: number) => (points[a][0] - points[b][0]) ** 2 + (points[a][1] - points[b][1]) ** 2;
    const expected = bruteForce(points.length, 9, squared);

    const { indices, distances } = nearestNeighbors2d(points, 9);

    for (let i = 0; i < points.length; i++) {
      expect(Array.from(indices[i])).toEqual(expected[i].map((e) => e.j));
      expect(Array.from(distances[i])).toEqual(expected[i].map((e) => Math.sqrt(e.d)));
    }
    expect(Array.from(indices[65].slice(0, 2))).toEqual([144, 145]);
  });

  it('clamps k and handles all-identical points', () => {
    const same = Array.from({ length: 6 }, () => [1, 1]);
    const { indices, distances } = nearestNeighbors2d(same, 10);
    expect(indices.map((r) => r.length)).toEqual([5, 5, 5, 5, 5, 5]);
    expect(Array.from(indices[3])).toEqual([0, 1, 2, 4, 5]);
    expect(distances.every((r) => r.every((d) => d === 0))).toBe(true);
  });
});
