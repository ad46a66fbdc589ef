import { describe, expect, it } from 'vitest';
import { flattenNeighbors, fuzzySimplicialSet, smoothKnnDistances } from '../../shared/algorithms/fuzzySimplicialSet';

/**
 * Reference from umap-learn 0.5.3 (`fuzzy_simplicial_set` with precomputed euclidean kNN,
 * n_neighbors 4 counting the point itself) on 9 points in 3-D, the last two identical.
 */
const REFERENCE = {
  indices: [[4, 2, 6], [2, 5, 3], [3, 5, 6], [2, 1, 6], [7, 8, 0], [6, 2, 1], [5, 2, 0], [8, 4, 2], [7, 4, 2]],
  distances: [
    [1.564323816, 2.157795171, 2.158159864], [1.840549103, 1.901596435, 2.129310921],
    [1.220756323, 1.538314662, 1.631190363], [1.220756323, 2.129310921, 2.541446439],
    [1.125483896, 1.125483896, 1.564323816], [1.537278765, 1.538314662, 1.901596435],
    [1.537278765, 1.631190363, 2.158159864], [0.0, 1.125483896, 2.135148473], [0.0, 1.125483896, 2.135148473],
  ],
  sigmas: [0.8564606, 0.2097931, 0.5221558, 1.5888367, 0.03125, 0.0829926, 0.3980408, 0.0625, 0.0625],
  rhos: [1.5643238, 1.8405491, 1.2207563, 1.2207563, 1.1254839, 1.5372788, 1.5372788, 1.1254839, 1.1254839],
  // [row, column, weight] of the symmetric graph, rows then columns ascending.
  entries: [
    [0, 2, 0.5001062], [0, 4, 1.0], [0, 6, 0.6050001], [1, 2, 1.0], [1, 3, 0.6744472], [1, 5, 0.7506561],
    [2, 0, 0.5001062], [2, 1, 1.0], [2, 3, 1.0], [2, 5, 0.9943478], [2, 6, 0.8855945], [2, 7, 1e-7],
    [2, 8, 1e-7], [3, 1, 0.6744472], [3, 2, 1.0], [3, 6, 0.4355129], [4, 0, 1.0], [4, 7, 1.0], [4, 8, 1.0],
    [5, 1, 0.7506561], [5, 2, 0.9943478], [5, 6, 1.0], [6, 0, 0.6050001], [6, 2, 0.8855945], [6, 3, 0.4355129],
    [6, 5, 1.0], [7, 2, 1e-7], [7, 4, 1.0], [7, 8, 1.0], [8, 2, 1e-7], [8, 4, 1.0], [8, 7, 1.0],
  ],
};

const knn = () => flattenNeighbors(REFERENCE, 9, 3);

describe('smoothKnnDistances', () => {
  it('finds the same σ and ρ as umap-learn', () => {
    const { sigmas, rhos } = smoothKnnDistances(knn(), 4);

    REFERENCE.sigmas.forEach((sigma, i) => expect(sigmas[i]).toBeCloseTo(sigma, 5));
    REFERENCE.rhos.forEach((rho, i) => expect(rhos[i]).toBeCloseTo(rho, 6));
  });

  it('makes every row’s memberships sum to log2(k)', () => {
    const graph = knn();
    const { sigmas, rhos } = smoothKnnDistances(graph, 4);

    for (let i = 0; i < 9; i++) {
      let sum = 0;
      for (let j = 0; j < 3; j++) sum += Math.exp(-Math.max(0, graph.distances[i * 3 + j] - rhos[i]) / sigmas[i]);
      // Rows whose neighbours are all at ρ cannot reach the target: σ stops at its floor.
      if (sigmas[i] > 0.04) expect(sum).toBeCloseTo(Math.log2(4), 4);
    }
  });
});

describe('fuzzySimplicialSet', () => {
  it('gives the same symmetric graph as umap-learn', () => {
    const graph = fuzzySimplicialSet(knn(), 4);

    const entries: Array<[number, number, number]> = [];
    for (let i = 0; i < graph.n; i++) {
      for (let p = graph.rowStart[i]; p < graph.rowStart[i + 1]; p++) entries.push([i, graph.columns[p], graph.weights[p]]);
    }
    expect(entries.map(([i, j]) => [i, j])).toEqual(REFERENCE.entries.map(([i, j]) => [i, j]));
    entries.forEach(([, , w], e) => expect(w).toBeCloseTo(REFERENCE.entries[e][2], 5));
  });

  it('is symmetric, with weights in (0, 1]', () => {
    const graph = fuzzySimplicialSet(knn(), 4);

    const weight = (i: number, j: number) => {
      for (let p = graph.rowStart[i]; p < graph.rowStart[i + 1]; p++) if (graph.columns[p] === j) return graph.weights[p];
      return 0;
    };
    for (let i = 0; i < graph.n; i++) {
      for (let p = graph.rowStart[i]; p < graph.rowStart[i + 1]; p++) {
        expect(graph.weights[p]).toBeGreaterThan(0);
        expect(graph.weights[p]).toBeLessThanOrEqual(1);
        expect(weight(graph.columns[p], i)).toBe(graph.weights[p]);
      }
    }
  });

  it('rejects a kNN with too few columns or rows', () => {
    expect(() => flattenNeighbors(REFERENCE, 9, 4)).toThrow(/needs 4/);
    expect(() => flattenNeighbors(REFERENCE, 10, 3)).toThrow(/expected 10/);
  });
});
