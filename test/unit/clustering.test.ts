import { describe, expect, it } from 'vitest';
import { clusterLayers, type ClusteringResult } from '../../shared/algorithms/clustering';
import { connectedWard } from '../../shared/algorithms/ward';
import { flattenNeighbors, fuzzySimplicialSet } from '../../shared/algorithms/fuzzySimplicialSet';
import { nearestNeighbors } from '../../shared/algorithms/neighbors';
import { spectralEmbedding } from '../../shared/algorithms/spectral';
import { adjustedRandIndex, purity } from '../../shared/algorithms/evaluation';
import { gaussian, seededRandom } from '../../shared/algorithms/random';
import { BIODIVERSITY, conversationVectors, gaussianBlobs } from './support/conversationVectors';

const clusterCount = (labels: number[]) => new Set(labels.filter((l) => l >= 0)).size;

/** Every fine cluster inside exactly one coarse cluster; noise in a coarse layer is noise in finer ones. */
function expectNested(result: ClusteringResult): void {
  const { layers } = result;
  for (let fine = 0; fine < layers.length; fine++) {
    for (let coarse = fine + 1; coarse < layers.length; coarse++) {
      const parentOf = new Map<number, number>();
      layers[fine].forEach((label, i) => {
        const parent = layers[coarse][i];
        if (parent === -1) expect(label).toBe(-1);
        if (label === -1) return;
        expect(parent).not.toBe(-1);
        if (!parentOf.has(label)) parentOf.set(label, parent);
        expect(parent).toBe(parentOf.get(label));
      });
    }
  }
}

function expectWellFormed(result: ClusteringResult, n: number): void {
  expect(result.confidence).toHaveLength(result.layers.length);
  result.layers.forEach((labels, layer) => {
    expect(labels).toHaveLength(n);
    // Ids are 0..k−1, numbered by decreasing size.
    const sizes = new Map<number, number>();
    for (const l of labels) if (l >= 0) sizes.set(l, (sizes.get(l) ?? 0) + 1);
    const ids = [...sizes.keys()].sort((a, b) => a - b);
    expect(ids).toEqual(ids.map((_, i) => i));
    for (let id = 1; id < ids.length; id++) expect(sizes.get(id)).toBeLessThanOrEqual(sizes.get(id - 1) as number);
    result.confidence[layer].forEach((c, i) => {
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(1);
      if (labels[i] === -1) expect(c).toBe(0);
    });
  });
  // Coarser layers have fewer clusters.
  for (let layer = 1; layer < result.layers.length; layer++) {
    expect(clusterCount(result.layers[layer])).toBeLessThan(clusterCount(result.layers[layer - 1]));
  }
}

/** 3 groups × 3 touching subgroups × 40 points in 50-D. */
function nestedBlobs(seed: number) {
  const random = seededRandom(seed);
  const vectors: Float32Array[] = [];
  const group: number[] = [];
  for (let a = 0; a < 3; a++) {
    const centre = Array.from({ length: 50 }, () => gaussian(random) * 8);
    for (let b = 0; b < 3; b++) {
      const sub = centre.map((x) => x + gaussian(random) * 2.5);
      for (let i = 0; i < 40; i++) {
        vectors.push(Float32Array.from(sub, (x) => x + gaussian(random) * 4));
        group.push(a);
      }
    }
  }
  return { vectors, group };
}


describe('building blocks', () => {
  it('merges the closest clusters first with Ward, weighting by size, along the neighbour graph', () => {
    const points = [[0], [1], [10], [12]];
    const chain = [[1], [0, 2], [1, 3], [2]];
    const tree = connectedWard(points, chain);
    expect(Array.from(tree.a)).toEqual([0, 2, 4]);
    expect(Array.from(tree.b)).toEqual([1, 3, 5]);
    expect(tree.cost[0]).toBeCloseTo(0.5, 12);
    expect(tree.cost[2]).toBeCloseTo(((2 * 2) / 4) * 10.5 ** 2, 12);
  });

  it('merges only neighbours while it can, then joins the parts the graph leaves apart', () => {
    // 0 and 2 are closest, but not neighbours: 0–1 and 2–3 merge first, then the two parts.
    const points = [[0], [-3], [0.5], [4]];
    const tree = connectedWard(points, [[1], [0], [3], [2]]);
    expect(Array.from(tree.a)).toEqual([0, 2, 4]);
    expect(Array.from(tree.b)).toEqual([1, 3, 5]);
  });

  it('embeds a graph of two loosely joined cliques so that the cliques separate', () => {
    const vectors = gaussianBlobs({ blobs: 2, size: 20, dim: 30, separation: 3, seed: 5 });
    const knn = nearestNeighbors(vectors.vectors, 9);
    const space = spectralEmbedding(fuzzySimplicialSet(flattenNeighbors(knn, 40, 9), 10), 3);
    expect(space).toHaveLength(40);
    for (const row of space) expect(Math.hypot(...row)).toBeCloseTo(1, 9);
    // Every point's nearest other point in the embedding is in its own clique.
    space.forEach((row, i) => {
      let nearest = -1;
      let best = Infinity;
      space.forEach((other, j) => {
        const d = j === i ? Infinity : Math.hypot(...row.map((x, c) => x - other[c]));
        if (d < best) [best, nearest] = [d, j];
      });
      expect(vectors.labels[nearest]).toBe(vectors.labels[i]);
    });
  });
});

describe('clusterLayers', () => {
  const blobs = gaussianBlobs({ blobs: 6, size: 25, dim: 50, separation: 1, seed: 1 });
  const blobResult = clusterLayers({ vectors: blobs.vectors });

  it('recovers six well-separated blobs in the finest layer', () => {
    expect(clusterCount(blobResult.layers[0])).toBe(6);
    expect(adjustedRandIndex(blobResult.layers[0], blobs.labels)).toBeGreaterThanOrEqual(0.9);
    expect(blobResult.layers.map(clusterCount)).toEqual([6, 3]); // round(150 / 50) = 3
    expectNested(blobResult);
    expectWellFormed(blobResult, 150);
  });

  it('is a function of the vectors alone', () => {
    expect(clusterLayers({ vectors: blobs.vectors.map((v) => Float32Array.from(v)) })).toEqual(blobResult);
  });

  it('finds subgroups in the finest layer and the groups in the coarsest', () => {
    const { vectors, group } = nestedBlobs(1);

    const result = clusterLayers({ vectors });

    const finest = result.layers[0];
    const coarsest = result.layers[result.layers.length - 1];
    expect(result.layers.length).toBeGreaterThanOrEqual(2);
    expect(clusterCount(finest)).toBeGreaterThanOrEqual(6);
    expect(clusterCount(coarsest)).toBe(3); // round(360 / 120)
    // No fine cluster mixes groups, and the coarsest layer is the groups.
    expect(purity(finest, group)).toBe(1);
    expect(adjustedRandIndex(coarsest, group)).toBeGreaterThanOrEqual(0.9);
    expectNested(result);
    expectWellFormed(result, vectors.length);
  });

  describe('continuity with an earlier job', () => {
    const vectors = conversationVectors(BIODIVERSITY);
    const plain = clusterLayers({ vectors });
    // The "earlier job": the same conversation when it had its first 110 comments.
    const earlier = clusterLayers({ vectors: vectors.slice(0, 110) });
    const continuity = earlier.layers.map((labels) => vectors.map((_, i) => (i < 110 ? labels[i] : -1)));
    const shared = (labels: number[]) => labels.slice(0, 110);

    it('changes nothing when the earlier layers are the ones the rule gives, or share no comment', () => {
      expect(clusterLayers({ vectors }, { continuity: plain.layers }).layers).toEqual(plain.layers);
      expect(clusterLayers({ vectors }, { continuity: plain.layers.map((labels) => labels.map(() => -1)) }).layers).toEqual(plain.layers);
    });

    it('cuts the finest layer where it agrees at least as well with the earlier one, within a quarter of the rule\'s count', () => {
      const followed = clusterLayers({ vectors }, { continuity });
      const target = Math.round(vectors.length / 25);
      expect(clusterCount(followed.layers[0])).toBeGreaterThanOrEqual(Math.floor(target * 0.75));
      expect(clusterCount(followed.layers[0])).toBeLessThanOrEqual(Math.ceil(target * 1.25));
      expect(adjustedRandIndex(shared(followed.layers[0]), earlier.layers[0])).toBeGreaterThanOrEqual(adjustedRandIndex(shared(plain.layers[0]), earlier.layers[0]));
      expectNested(followed);
      expect(followed.parameters.continuity_layers).toBe(earlier.layers.length);
    });

    it('rejects earlier layers of another length', () => {
      expect(() => clusterLayers({ vectors }, { continuity: [[0, 1, 2]] })).toThrow(/one label per comment/);
    });
  });

  it('attaches comments too few to make a cluster of their own to the nearest cluster, and flags them', () => {
    // Prepare: three groups of 30 and a stray group of 6, below the minimum size of 10, far enough
    // apart that the diffusion does not fold the stray group into a neighbouring one.
    const { vectors, labels } = gaussianBlobs({ blobs: 4, size: [30, 30, 30, 6], dim: 20, separation: 6, seed: 3 });

    const result = clusterLayers({ vectors }, { minClusterSize: 10 });

    expect(result.outliers).toEqual(labels.map((label) => label === 3));
    expect(result.parameters.outliers_attached).toBe(6);
    const sizes = new Map<number, number>();
    for (const label of result.layers[0]) sizes.set(label, (sizes.get(label) ?? 0) + 1);
    expect(Math.min(...sizes.values())).toBeGreaterThanOrEqual(10);
    expectNested(result);
    expectWellFormed(result, vectors.length);
  });

  describe('on a real conversation (biodiversity, 154 comments)', () => {
    const vectors = conversationVectors(BIODIVERSITY);
    const result = clusterLayers({ vectors });

    it('gives nested layers at the intended scale, every comment in a cluster', () => {
      // round(154 / 50) = 3 in the coarse layer; the finest aims at 154 / 25 ≈ 6.
      expect(result.layers.map(clusterCount)).toEqual([6, 3]);
      for (const labels of result.layers) expect(labels.every((label) => label >= 0)).toBe(true);
      expectNested(result);
      expectWellFormed(result, vectors.length);
    });

    it('gives the same layers whatever the order of the comments', () => {
      const order = vectors.map((_, i) => i).sort((a, b) => ((a * 7919) % 154) - ((b * 7919) % 154));
      const shuffled = clusterLayers({ vectors: order.map((i) => vectors[i]) });
      shuffled.layers.forEach((labels, layer) => {
        const back = new Array<number>(labels.length);
        order.forEach((original, position) => (back[original] = labels[position]));
        expect(adjustedRandIndex(back, result.layers[layer])).toBe(1);
      });
    });

    it('keeps every finest cluster at least min_cluster_size and records its parameters', () => {
      const sizes = new Map<number, number>();
      for (const l of result.layers[0]) sizes.set(l, (sizes.get(l) ?? 0) + 1);
      expect(Math.min(...sizes.values())).toBeGreaterThanOrEqual(5);
      expect(result.parameters).toMatchObject({ clustering_space: 'spectral-10d-diffusion-t8', min_cluster_size: 5, n_neighbors: 15, knn: 'exact' });
      expect(result.adjustments).toEqual([]);
    });
  });

  it('gives a small conversation a handful of topics where n / 25 would give two', () => {
    const small = gaussianBlobs({ blobs: 5, size: 10, dim: 50, separation: 1, seed: 3 });
    const result = clusterLayers({ vectors: small.vectors });
    expect(result.layers).toHaveLength(1);
    expect(clusterCount(result.layers[0])).toBe(5);
    expect(adjustedRandIndex(result.layers[0], small.labels)).toBeGreaterThanOrEqual(0.9);
    expect(result.parameters.finest_target_clusters).toBe(5);
    // Only where every topic can have twice the minimum size: 30 comments, minimum 5 → 3 topics.
    const fewer = clusterLayers({ vectors: small.vectors.slice(0, 30) });
    expect(fewer.parameters.finest_target_clusters).toBe(3);
  });

  it('respects maxLayers', () => {
    const result = clusterLayers({ vectors: blobs.vectors }, { maxLayers: 1 });
    expect(result.layers).toEqual([blobResult.layers[0]]);
    expect(result.parameters.max_layers).toBe(1);
  });

  it('gives one layer with one cluster for tiny conversations, and says why', () => {
    const empty = clusterLayers({ vectors: [] });
    expect(empty.layers).toEqual([[]]);
    expect(empty.adjustments).toEqual([]);

    const one = clusterLayers({ vectors: [Float32Array.of(1, 0)] });
    expect(one.layers).toEqual([[0]]);
    expect(one.confidence).toEqual([[1]]);
    expect(one.adjustments).toEqual([
      'min_cluster_size clamped from 5 to 2 because the conversation has 1 comment',
      'one layer with a single cluster: 1 comment cannot form two clusters of at least 2',
    ]);

    const three = gaussianBlobs({ blobs: 3, size: 1, dim: 4, seed: 2 }).vectors;
    const threeResult = clusterLayers({ vectors: three });
    expect(threeResult.layers).toEqual([[0, 0, 0]]);
    expect(threeResult.parameters.min_cluster_size).toBe(3);

    const eight = gaussianBlobs({ blobs: 2, size: 4, dim: 4, seed: 2 }).vectors;
    const eightResult = clusterLayers({ vectors: eight });
    expect(eightResult.layers).toEqual([new Array(8).fill(0)]);
    expect(eightResult.adjustments).toEqual(['one layer with a single cluster: 8 comments cannot form two clusters of at least 5']);
  });

  it('puts identical comments in a single cluster', () => {
    const same = Array.from({ length: 30 }, () => Float32Array.of(0.3, 0.4, 0.5));

    const result = clusterLayers({ vectors: same });

    expect(result.layers).toEqual([new Array(30).fill(0)]);
    expect(result.confidence).toEqual([new Array(30).fill(1)]);
    expect(result.adjustments).toEqual(['one layer with a single cluster: all 30 comments have the same embedding']);
  });

  it('rejects bad options', () => {
    const { vectors } = gaussianBlobs({ blobs: 2, size: 10, dim: 3, seed: 1 });
    expect(() => clusterLayers({ vectors }, { minClusterSize: 1 })).toThrow(RangeError);
    expect(() => clusterLayers({ vectors }, { maxLayers: 0 })).toThrow(RangeError);
  });
});
