/**
 * Polis's opinion groups on Delphi's topics: each comment's votes split by the voter's group, and per
 * topic how each group voted, Polis's group-informed consensus, and how far the groups' agree rates
 * lie apart. The formula is polismath's `group-aware-consensus` (math/src/polismath/math/
 * conversation.clj): for every group g, P_g = (A_g + 1) / (S_g + 2), A = agree votes, S = all votes
 * the group's members cast on the comment (agree, disagree and pass); the consensus is the product of
 * P_g over all groups, so a group that has not voted on the comment counts 1/2.
 */
import type { CommentVotes } from './features';
import { round6 } from './rounding';

/** A comment's votes per opinion group: group id (a string, as DynamoDB map keys are) → tally. */
export type GroupTallies = Record<string, CommentVotes>;

/** One vote: participant, comment, and +1 agree / −1 disagree / 0 pass. */
export type Ballot = readonly [participant: number, comment: number, vote: number];

/**
 * Each voted comment's tally per group, from one (latest) vote per participant and comment and the
 * participants' groups. Every comment of `voted` gets an entry for every group, zero where the group
 * did not vote, as polismath counts one; votes of participants in no group are left out, as there.
 */
export function tallyByGroup(ballots: Iterable<Ballot>, groups: ReadonlyMap<number, number>, voted: Iterable<number>): Map<number, GroupTallies> {
  const groupIds = [...new Set(groups.values())].sort((a, b) => a - b);
  const tallies = new Map<number, GroupTallies>();
  for (const comment of voted) {
    tallies.set(comment, Object.fromEntries(groupIds.map((group) => [String(group), { agree: 0, disagree: 0, pass: 0 }])));
  }
  for (const [participant, comment, vote] of ballots) {
    const group = groups.get(participant);
    const tally = group === undefined ? undefined : tallies.get(comment)?.[String(group)];
    if (!tally) continue;
    if (vote === 1) tally.agree++;
    else if (vote === -1) tally.disagree++;
    else tally.pass++;
  }
  return tallies;
}

/** Polis's smoothed chance that a member of the group agrees: (agree + 1) / (all votes + 2). */
export function agreeProbability(tally: CommentVotes): number {
  return (tally.agree + 1) / (tally.agree + tally.disagree + tally.pass + 2);
}

/** Polis's group-informed consensus of one comment: the product over its groups of agreeProbability. */
export function groupInformedConsensus(tallies: GroupTallies): number {
  let product = 1;
  for (const tally of Object.values(tallies)) product *= agreeProbability(tally);
  return product;
}

export interface GroupVoteFeatures {
  group_id: number;
  agree: number;
  disagree: number;
  pass: number;
  total_votes: number;
  /** Of the group's votes on the topic's comments (agree + disagree + pass); 0 when it cast none. */
  agree_rate: number;
  disagree_rate: number;
  pass_rate: number;
}

export interface TopicGroupFeatures {
  /** Every group, ascending id. */
  groups: GroupVoteFeatures[];
  /** The mean of groupInformedConsensus over the topic's comments that have votes. */
  consensus: number;
  /** Index (into the input array) of the topic's comment with the highest consensus; the lowest index on ties. */
  consensus_index: number;
  consensus_max: number;
  /**
   * How far apart the groups stand on the topic: the highest minus the lowest agree_rate among the
   * groups that voted on it (0 with fewer than two such groups).
   */
  agree_spread: number;
}

/** A topic's group features as ComputeFeatures stores them: the most consensual comment by id, and the topic's division rank in its layer. */
export type TopicGroupVotes = Omit<TopicGroupFeatures, 'consensus_index'> & {
  consensus_comment_id: number;
  /** 1 = the topic of its layer whose groups' agree rates lie furthest apart (agree_spread). */
  division_rank: number;
};

/** A topic's group features from its members' group tallies; undefined when none of them has any. */
export function topicGroupFeatures(groupVotes: ReadonlyArray<GroupTallies | undefined>, indices: readonly number[]): TopicGroupFeatures | undefined {
  const totals = new Map<number, CommentVotes>();
  let consensusSum = 0;
  let voted = 0;
  let best = { index: -1, value: -Infinity };
  for (const i of indices) {
    const tallies = groupVotes[i];
    if (!tallies || Object.keys(tallies).length === 0) continue;
    for (const [group, tally] of Object.entries(tallies)) {
      const total = totals.get(Number(group)) ?? { agree: 0, disagree: 0, pass: 0 };
      total.agree += tally.agree;
      total.disagree += tally.disagree;
      total.pass += tally.pass;
      totals.set(Number(group), total);
    }
    const consensus = groupInformedConsensus(tallies);
    consensusSum += consensus;
    voted++;
    if (consensus > best.value) best = { index: i, value: consensus };
  }
  if (voted === 0) return undefined;
  const groups = [...totals]
    .sort((a, b) => a[0] - b[0])
    .map(([group_id, { agree, disagree, pass }]): GroupVoteFeatures => {
      const total = agree + disagree + pass;
      const rate = (count: number) => (total > 0 ? round6(count / total) : 0);
      return { group_id, agree, disagree, pass, total_votes: total, agree_rate: rate(agree), disagree_rate: rate(disagree), pass_rate: rate(pass) };
    });
  const rates = groups.filter((group) => group.total_votes > 0).map((group) => group.agree_rate);
  return {
    groups,
    consensus: round6(consensusSum / voted),
    consensus_index: best.index,
    consensus_max: round6(best.value),
    agree_spread: rates.length >= 2 ? round6(Math.max(...rates) - Math.min(...rates)) : 0,
  };
}

/** 1 for the largest spread, 2 for the next, …; equal spreads keep their input order. */
export function divisionRanks(spreads: readonly number[]): number[] {
  const order = spreads.map((spread, index) => ({ spread, index })).sort((a, b) => b.spread - a.spread || a.index - b.index);
  const ranks = new Array<number>(spreads.length);
  order.forEach(({ index }, rank) => {
    ranks[index] = rank + 1;
  });
  return ranks;
}
