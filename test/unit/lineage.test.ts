import { describe, expect, it } from 'vitest';
import { carryUids, commentChanges, matchLayer, matchLayers, maximumAssignment, type LayerAssignment } from '../../shared/algorithms/lineage';

/** An assignment from cluster id → member comment ids; `noise` are comments in the run but in no topic. */
function layer(clusters: Record<number, number[]>, noise: number[] = []): LayerAssignment {
  const map = new Map<number, number>();
  for (const [cluster, members] of Object.entries(clusters)) for (const comment of members) map.set(comment, Number(cluster));
  for (const comment of noise) map.set(comment, -1);
  return map;
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('maximumAssignment', () => {
  it('finds the best total where the greedy choice of the largest weight does not', () => {
    // Greedy takes 0.9 then 0.1 (1.0); the optimum pairs the two 0.8s (1.6).
    expect(maximumAssignment([[0.9, 0.8], [0.8, 0.1]])).toEqual([1, 0]);
  });

  it('leaves rows unassigned when there are more rows than columns, and handles empty input', () => {
    expect(maximumAssignment([[0.1], [0.7], [0.3]])).toEqual([-1, 0, -1]);
    expect(maximumAssignment([[0.2, 0.5, 0.9]])).toEqual([2]);
    expect(maximumAssignment([])).toEqual([]);
    expect(maximumAssignment([[], []])).toEqual([-1, -1]);
  });
});

describe('matchLayer', () => {
  it('calls every topic of a run compared with itself `same`, even with its clusters renumbered', () => {
    const previous = layer({ 0: range(1, 10), 1: range(11, 16), 2: range(17, 30) }, [31, 32]);
    const current = layer({ 5: range(1, 10), 3: range(11, 16), 4: range(17, 30) }, [31, 32]);

    const result = matchLayer(previous, current);

    expect(result.gone).toEqual([]);
    expect(result.topics.map((t) => [t.cluster_id, t.status, t.matched, t.overlap])).toEqual([
      [3, 'same', 1, 1],
      [4, 'same', 2, 1],
      [5, 'same', 0, 1],
    ]);
  });

  it('calls a topic that kept its comments and gained new ones `grown`, measuring overlap on the comments both runs have', () => {
    // Topic 0 keeps all 10 comments and gets 4 new ones (101–104): kept 10/10, inherited 10/14.
    const previous = layer({ 0: range(1, 10), 1: range(11, 20) });
    const current = layer({ 0: [...range(1, 10), 101, 102, 103, 104], 1: range(11, 20) });

    const [grown, same] = matchLayer(previous, current).topics;

    expect(grown).toMatchObject({ status: 'grown', matched: 0, size: 14, overlap: 1, kept: 1, new_comments: 4 });
    expect(grown.inherited).toBeCloseTo(10 / 14, 12);
    expect(same).toMatchObject({ status: 'same', matched: 1, new_comments: 0 });
  });

  it('calls a topic that lost comments to noise `shrunk`, and one that changed by one comment in twenty `same`', () => {
    const previous = layer({ 0: range(1, 10), 1: range(11, 30) });
    // Topic 0 loses 8–10 to noise (kept 7/10); topic 1 swaps comment 30 for new comment 200 (19/20 both ways).
    const current = layer({ 0: range(1, 7), 1: [...range(11, 29), 200] }, [8, 9, 10, 30]);

    const [shrunk, same] = matchLayer(previous, current).topics;

    expect(shrunk).toMatchObject({ status: 'shrunk', matched: 0, kept: 0.7, inherited: 1, overlap: 0.7 });
    expect(same).toMatchObject({ status: 'same', matched: 1, kept: 0.95, inherited: 0.95 });
  });

  it('recognises a split: both parts link to the topic, the larger part carries its identity', () => {
    // 20 comments split 12 / 8: overlaps 12/20 and 8/20.
    const previous = layer({ 0: range(1, 20) });
    const current = layer({ 0: range(1, 12), 1: range(13, 20) });

    const result = matchLayer(previous, current);

    expect(result.topics).toMatchObject([
      { cluster_id: 0, status: 'split', matched: 0, previous: [{ cluster_id: 0, shared: 12, overlap: 0.6 }] },
      { cluster_id: 1, status: 'split', previous: [{ cluster_id: 0, shared: 8, overlap: 0.4 }] },
    ]);
    expect(result.topics[1].matched).toBeUndefined();
    expect(result.gone).toEqual([]);
  });

  it('recognises a merge: the topic links to both sources, neither of which is gone', () => {
    const previous = layer({ 0: range(1, 12), 1: range(13, 20), 2: range(21, 30) });
    const current = layer({ 7: range(1, 20), 8: range(21, 30) });

    const result = matchLayer(previous, current);

    expect(result.topics[0]).toMatchObject({
      cluster_id: 7,
      status: 'merged',
      matched: 0,
      previous: [
        { cluster_id: 0, shared: 12, overlap: 0.6 },
        { cluster_id: 1, shared: 8, overlap: 0.4 },
      ],
    });
    expect(result.topics[1]).toMatchObject({ cluster_id: 8, status: 'same', matched: 2 });
    expect(result.gone).toEqual([]);
  });

  it('does not call a few strays a split', () => {
    // 2 of 20 comments (10 %, below the 15 % piece share) move into another topic.
    const previous = layer({ 0: range(1, 20), 1: range(21, 40) });
    const current = layer({ 0: range(1, 18), 1: [19, 20, ...range(21, 40)] });

    const statuses = matchLayer(previous, current).topics.map((t) => t.status);

    expect(statuses).toEqual(['same', 'same']);
  });

  it('calls a topic of new comments `new` and a topic whose comments were removed gone', () => {
    const previous = layer({ 0: range(1, 10), 1: range(11, 20) });
    const current = layer({ 0: range(101, 110), 1: range(11, 20) });

    const result = matchLayer(previous, current);

    expect(result.topics[0]).toMatchObject({ cluster_id: 0, status: 'new', previous: [], overlap: 0, new_comments: 10 });
    expect(result.topics[0].matched).toBeUndefined();
    expect(result.gone).toEqual([{ cluster_id: 0, size: 10, went_to: [] }]);
  });

  it('matches no topic below the least overlap, and says where a gone topic went', () => {
    // Topic 0's 12 comments scatter over two large topics: overlap at most 4/24 < 0.25.
    const previous = layer({ 0: range(1, 12), 1: range(13, 32), 2: range(33, 52) });
    const current = layer({ 0: [...range(1, 4), ...range(13, 32)], 1: [...range(5, 8), ...range(33, 52)] }, range(9, 12));

    const result = matchLayer(previous, current);

    expect(result.topics.map((t) => [t.status, t.matched])).toEqual([
      ['grown', 1],
      ['grown', 2],
    ]);
    expect(result.gone).toEqual([{ cluster_id: 0, size: 12, went_to: [{ cluster_id: 0, shared: 4 }, { cluster_id: 1, shared: 4 }] }]);
  });
});

describe('matchLayers and carryUids', () => {
  it('matches layer by layer; a layer the previous run lacked is all new', () => {
    const fine = layer({ 0: range(1, 5), 1: range(6, 10) });
    const coarse = layer({ 0: range(1, 10) });

    const result = matchLayers([fine], [fine, coarse]);

    expect(result.map((l) => l.topics.map((t) => t.status))).toEqual([['same', 'same'], ['new']]);
  });

  it('carries the uid of the matched topic and gives every other topic a new one', () => {
    const previous = layer({ 0: range(1, 20), 1: range(21, 30) });
    const current = layer({ 0: range(1, 12), 1: range(13, 20), 2: range(21, 30) });
    const lineage = matchLayer(previous, current);

    const uids = carryUids(lineage, new Map([[0, 'uid-a'], [1, 'uid-b']]), (cluster) => `new-${cluster}`);

    expect([...uids]).toEqual([[0, 'uid-a'], [1, 'new-1'], [2, 'uid-b']]);
  });
});

describe('commentChanges', () => {
  it('lists the added, edited and removed comment ids in ascending order', () => {
    const previous = new Map([[1, 'a'], [2, 'b'], [3, 'c']]);
    const current = new Map([[4, 'd'], [3, 'c!'], [1, 'a'], [0, 'z']]);

    expect(commentChanges(previous, current)).toEqual({ added: [0, 4], changed: [3], removed: [2] });
  });
});
