import { describe, expect, it } from 'vitest';
import { layerGroupVotes } from '../../shared/steps/computeFeatures';

describe('layerGroupVotes (ComputeFeatures with opinion groups)', () => {
  it("gives each cluster its groups' votes, its most consensual comment by id and its division rank in the layer", () => {
    // Prepare: cluster 0 = comments 10, 11; cluster 1 = comment 12; comment 13 is noise.
    const comments = {
      ids: [10, 11, 12, 13],
      group_votes: [
        { 0: { agree: 2, disagree: 0, pass: 0 }, 1: { agree: 0, disagree: 2, pass: 0 } },
        { 0: { agree: 1, disagree: 0, pass: 0 }, 1: { agree: 1, disagree: 0, pass: 0 } },
        { 0: { agree: 1, disagree: 0, pass: 0 }, 1: { agree: 1, disagree: 0, pass: 0 } },
        undefined,
      ],
    };

    // Act
    const byCluster = layerGroupVotes(comments, [0, 0, 1, -1]);

    // Assess: cluster 0's groups agree 3/3 and 1/3; comment 10's consensus (3/4)(1/4), comment 11's (2/3)(2/3).
    expect([...byCluster.keys()]).toEqual([0, 1]);
    expect(byCluster.get(0)).toEqual({
      groups: [
        { group_id: 0, agree: 3, disagree: 0, pass: 0, total_votes: 3, agree_rate: 1, disagree_rate: 0, pass_rate: 0 },
        { group_id: 1, agree: 1, disagree: 2, pass: 0, total_votes: 3, agree_rate: 0.333333, disagree_rate: 0.666667, pass_rate: 0 },
      ],
      consensus: 0.315972,
      consensus_comment_id: 11,
      consensus_max: 0.444444,
      agree_spread: 0.666667,
      division_rank: 1,
    });
    expect(byCluster.get(1)).toMatchObject({ consensus: 0.444444, consensus_comment_id: 12, agree_spread: 0, division_rank: 2 });
  });

  it('leaves out clusters without group votes', () => {
    expect(layerGroupVotes({ ids: [1, 2], group_votes: [undefined, undefined] }, [0, 0]).size).toBe(0);
  });
});
