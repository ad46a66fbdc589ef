import { describe, expect, it } from 'vitest';
import { npmiCoherence, silhouette } from '../../shared/algorithms/evaluation';
import { layerNpmiCoherence, layerSilhouettes } from '../../shared/algorithms/layerQuality';
import { BIODIVERSITY, gaussianBlobs, loadComments } from './support/conversationVectors';

describe('layerSilhouettes', () => {
  // 5 blobs of 40; fine layer = the blobs, coarse = blobs {0,1}, {2,3}, {4}; 12 shared noise points.
  const { vectors, labels } = gaussianBlobs({ blobs: 5, size: 40, dim: 12, separation: 2, seed: 4 });
  const noise = (i: number) => i % 17 === 0;
  const fine = labels.map((l, i) => (noise(i) ? -1 : l));
  const coarse = labels.map((l, i) => (noise(i) ? -1 : Math.floor(l / 2)));
  const single = labels.map((_, i) => (noise(i) ? -1 : 0));

  it('equals the cosine silhouette of each layer', () => {
    const expected = [fine, coarse, single].map((layer) => silhouette(vectors, layer, { metric: 'cosine' }));

    const actual = layerSilhouettes(vectors, [fine, coarse, single]);

    actual.forEach((value, l) => expect(value).toBeCloseTo(expected[l], 12));
    expect(actual[0]).toBeGreaterThan(actual[1]);
    expect(actual[2]).toBe(0); // one cluster: no silhouette
  });

  it('samples like silhouette does, and falls back to it for a layer with other noise', () => {
    const otherNoise = labels.map((l, i) => (i % 5 === 0 ? -1 : l));

    const actual = layerSilhouettes(vectors, [fine, otherNoise], { maxSamples: 50 });

    expect(actual[0]).toBeCloseTo(silhouette(vectors, fine, { metric: 'cosine', maxSamples: 50 }), 12);
    expect(actual[1]).toBe(silhouette(vectors, otherNoise, { metric: 'cosine', maxSamples: 50 }));
    expect(layerSilhouettes(vectors, [])).toEqual([]);
  });
});

describe('layerNpmiCoherence', () => {
  it('equals npmiCoherence of each layer on a real conversation', () => {
    const texts = loadComments(BIODIVERSITY);
    const layers = [
      [['species', 'habitat', 'protect'], ['land', 'farmers', 'farming', 'water'], ['Plastic!', 'the']],
      [['species', 'land', 'never-seen-word', 'biodiversity loss']],
      [],
    ];

    const actual = layerNpmiCoherence(layers, texts);

    actual.forEach((value, l) => expect(value).toBeCloseTo(npmiCoherence(layers[l], texts), 12));
    expect(actual[2]).toBe(0);
  });
});
