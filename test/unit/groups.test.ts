import { describe, expect, it } from 'vitest';
import {
  agreeProbability,
  divisionRanks,
  groupInformedConsensus,
  tallyByGroup,
  topicGroupFeatures,
  type Ballot,
} from '../../shared/algorithms/groups';

// Participants 1 and 2 are in group 0, participant 3 in group 1, participant 4 in no group.
const groups = new Map([[1, 0], [2, 0], [3, 1]]);
const ballots: Ballot[] = [
  [1, 10, 1],
  [2, 10, -1],
  [3, 10, 1],
  [4, 10, 1],
  [1, 11, 0],
];

describe('tallyByGroup', () => {
  it("splits each comment's votes by the voter's group, every group present, ungrouped voters left out", () => {
    const tallies = tallyByGroup(ballots, groups, [10, 11, 12]);

    expect(Object.fromEntries(tallies)).toEqual({
      10: { 0: { agree: 1, disagree: 1, pass: 0 }, 1: { agree: 1, disagree: 0, pass: 0 } },
      11: { 0: { agree: 0, disagree: 0, pass: 1 }, 1: { agree: 0, disagree: 0, pass: 0 } },
      12: { 0: { agree: 0, disagree: 0, pass: 0 }, 1: { agree: 0, disagree: 0, pass: 0 } },
    });
  });

  it('ignores votes on comments outside the voted set', () => {
    expect([...tallyByGroup(ballots, groups, [11]).keys()]).toEqual([11]);
  });
});

describe("Polis's group-informed consensus", () => {
  it('smooths each group with one agree in two imaginary votes: (A + 1) / (S + 2), passes seen', () => {
    expect(agreeProbability({ agree: 0, disagree: 0, pass: 0 })).toBe(0.5);
    expect(agreeProbability({ agree: 3, disagree: 0, pass: 1 })).toBeCloseTo(4 / 6, 12);
    expect(agreeProbability({ agree: 0, disagree: 4, pass: 0 })).toBeCloseTo(1 / 6, 12);
  });

  it('multiplies the groups’ probabilities, a silent group counting 1/2', () => {
    expect(groupInformedConsensus({ 0: { agree: 1, disagree: 1, pass: 0 }, 1: { agree: 1, disagree: 0, pass: 0 } })).toBeCloseTo((2 / 4) * (2 / 3), 12);
    expect(groupInformedConsensus({ 0: { agree: 9, disagree: 0, pass: 0 }, 1: { agree: 0, disagree: 0, pass: 0 } })).toBeCloseTo((10 / 11) * 0.5, 12);
  });
});

describe('topicGroupFeatures', () => {
  const tallies = tallyByGroup(ballots, groups, [10, 11]);
  const perComment = [tallies.get(10), tallies.get(11), undefined];

  it("pools each group's votes over the topic, averages the comments' consensus and spreads the agree rates", () => {
    const features = topicGroupFeatures(perComment, [0, 1, 2])!;

    expect(features.groups).toEqual([
      { group_id: 0, agree: 1, disagree: 1, pass: 1, total_votes: 3, agree_rate: 0.333333, disagree_rate: 0.333333, pass_rate: 0.333333 },
      { group_id: 1, agree: 1, disagree: 0, pass: 0, total_votes: 1, agree_rate: 1, disagree_rate: 0, pass_rate: 0 },
    ]);
    // Comment 10: (2/4)(2/3) = 1/3; comment 11: (1/3)(1/2) = 1/6; the comment without votes does not count.
    expect(features.consensus).toBe(0.25);
    expect(features.consensus_index).toBe(0);
    expect(features.consensus_max).toBe(0.333333);
    expect(features.agree_spread).toBe(0.666667);
  });

  it('has no spread when only one group voted, and no features without group votes', () => {
    const oneGroup = topicGroupFeatures([{ 0: { agree: 2, disagree: 0, pass: 0 }, 1: { agree: 0, disagree: 0, pass: 0 } }], [0])!;
    expect(oneGroup.agree_spread).toBe(0);
    expect(oneGroup.groups[1]).toMatchObject({ total_votes: 0, agree_rate: 0 });
    expect(topicGroupFeatures(perComment, [2])).toBeUndefined();
  });
});

describe('divisionRanks', () => {
  it('ranks the widest spread first, ties in input order', () => {
    expect(divisionRanks([0.1, 0.5, 0.1, 0.9])).toEqual([3, 2, 4, 1]);
    expect(divisionRanks([])).toEqual([]);
  });
});
