/**
 * Topic lineage between two runs of one conversation: which topic of the current run continues which
 * topic of the previous one, judged only by their members (comment ids). Topics are matched one to
 * one (Hungarian method on the Jaccard overlap), then splits and merges are recognised among the
 * remaining overlaps. The rules and thresholds are explained in docs/lineage.md.
 */

/** comment id → cluster id in one layer (-1 = noise, in no topic). */
export type LayerAssignment = ReadonlyMap<number, number>;

export type LineageStatus = 'same' | 'grown' | 'shrunk' | 'split' | 'merged' | 'new';

export interface LineageThresholds {
  /** Least Jaccard overlap (over the comments both runs have) for a one-to-one match. */
  minMatchOverlap: number;
  /** `same` (and name reuse): this share of the previous topic is in the topic, and of the topic came from it. */
  sameShare: number;
  /** A part of a split (or a source of a merge) holds at least this share of the larger side's shared comments… */
  partShare: number;
  /** …and is at least this share of the other side's, so that a few strays are no split. */
  minPieceShare: number;
}

export const LINEAGE_THRESHOLDS: Readonly<LineageThresholds> = {
  minMatchOverlap: 0.25,
  sameShare: 0.9,
  partShare: 0.5,
  minPieceShare: 0.15,
};

export interface PreviousLink {
  /** Cluster id in the previous run's layer. */
  cluster_id: number;
  /** Comments the two topics have in common. */
  shared: number;
  /** Jaccard overlap over the comments both runs have. */
  overlap: number;
}

export interface TopicLineage {
  cluster_id: number;
  size: number;
  status: LineageStatus;
  /** The previous topic this one continues (one-to-one), whose identity it carries; absent when none. */
  matched?: number;
  /** Every previous topic it comes from (the match, the topic it split from, the topics merged into it), most shared first. */
  previous: PreviousLink[];
  /** Jaccard overlap with the matched topic (0 when unmatched). */
  overlap: number;
  /** Share of the matched previous topic's comments found in this topic. */
  kept: number;
  /** Share of this topic's comments that were in the matched previous topic. */
  inherited: number;
  /** Members absent from the previous run. */
  new_comments: number;
}

export interface GoneTopic {
  cluster_id: number;
  size: number;
  /** Current topics holding most of its comments (any share), most shared first. */
  went_to: Array<{ cluster_id: number; shared: number }>;
}

export interface LayerLineage {
  topics: TopicLineage[];
  /** Previous topics that nothing continues: neither matched nor split or merged into a current topic. */
  gone: GoneTopic[];
}

function membersOf(assignment: LayerAssignment): Map<number, number[]> {
  const members = new Map<number, number[]>();
  for (const [comment, cluster] of assignment) {
    if (cluster < 0) continue;
    let list = members.get(cluster);
    if (!list) members.set(cluster, (list = []));
    list.push(comment);
  }
  return new Map([...members].sort((a, b) => a[0] - b[0]));
}

/**
 * Maximum-weight assignment of rows to columns (Hungarian method with potentials, O(n³)) on a
 * rectangular matrix of weights ≥ 0; returns for each row its column or -1.
 */
export function maximumAssignment(weights: number[][]): number[] {
  const rows = weights.length;
  const cols = rows === 0 ? 0 : weights[0].length;
  if (rows === 0 || cols === 0) return new Array(rows).fill(-1);
  const n = Math.max(rows, cols);
  const cost = (i: number, j: number) => (i < rows && j < cols ? -weights[i][j] : 0);
  // 1-based arrays as in the classical formulation; p[j] = row assigned to column j.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1);
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const current = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (current < minv[j]) {
          minv[j] = current;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const assignment = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= n; j++) {
    const i = p[j] - 1;
    if (i >= 0 && i < rows && j - 1 < cols) assignment[i] = j - 1;
  }
  return assignment;
}

const byShared = <T extends { shared: number; cluster_id: number }>(a: T, b: T) => b.shared - a.shared || a.cluster_id - b.cluster_id;

/** Lineage of one layer: each current topic's status and sources, and the previous topics gone. */
export function matchLayer(previous: LayerAssignment, current: LayerAssignment, thresholds: LineageThresholds = LINEAGE_THRESHOLDS): LayerLineage {
  const before = membersOf(previous);
  const after = membersOf(current);
  const previousIds = [...before.keys()];
  const currentIds = [...after.keys()];
  // Comments in both runs (noise included): overlaps are measured on them, so growth by new comments alone does not dilute a match.
  const inBoth = (comment: number) => previous.has(comment) && current.has(comment);
  const commonSize = (members: number[]) => members.reduce((count, comment) => count + (inBoth(comment) ? 1 : 0), 0);
  const previousCommon = previousIds.map((id) => commonSize(before.get(id)!));
  const currentCommon = currentIds.map((id) => commonSize(after.get(id)!));
  const previousIndex = new Map(previousIds.map((id, index) => [id, index]));

  // shared[c][p]: comments of current topic c that were in previous topic p.
  const shared = currentIds.map(() => new Array<number>(previousIds.length).fill(0));
  currentIds.forEach((id, c) => {
    for (const comment of after.get(id)!) {
      const before = previous.get(comment);
      if (before === undefined || before < 0) continue;
      shared[c][previousIndex.get(before)!]++;
    }
  });
  const overlap = (c: number, p: number) => {
    const union = currentCommon[c] + previousCommon[p] - shared[c][p];
    return union === 0 ? 0 : shared[c][p] / union;
  };
  const overlaps = currentIds.map((_, c) => previousIds.map((_, p) => overlap(c, p)));
  const assignment = maximumAssignment(overlaps).map((p, c) => (p >= 0 && overlaps[c][p] >= thresholds.minMatchOverlap ? p : -1));

  // A split part is mostly made of one previous topic; a merge source mostly went into one current topic.
  const isPart = (c: number, p: number) =>
    shared[c][p] > 0 && shared[c][p] >= thresholds.partShare * currentCommon[c] && shared[c][p] >= thresholds.minPieceShare * previousCommon[p];
  const isSource = (c: number, p: number) =>
    shared[c][p] > 0 && shared[c][p] >= thresholds.partShare * previousCommon[p] && shared[c][p] >= thresholds.minPieceShare * currentCommon[c];
  const partsOf = previousIds.map((_, p) => currentIds.map((_, c) => c).filter((c) => isPart(c, p)));
  const link = (c: number, p: number): PreviousLink => ({ cluster_id: previousIds[p], shared: shared[c][p], overlap: overlaps[c][p] });

  const continued = new Set<number>();
  const topics: TopicLineage[] = currentIds.map((id, c) => {
    const members = after.get(id)!;
    const size = members.length;
    const new_comments = size - members.filter((comment) => previous.has(comment)).length;
    const sources = previousIds.map((_, p) => p).filter((p) => isSource(c, p));
    const splitFrom = previousIds.map((_, p) => p).filter((p) => partsOf[p].length >= 2 && partsOf[p].includes(c));
    const m = assignment[c];
    const matchedSize = m >= 0 ? before.get(previousIds[m])!.length : 0;
    const kept = m >= 0 ? shared[c][m] / matchedSize : 0;
    const inherited = m >= 0 && size > 0 ? shared[c][m] / size : 0;
    let status: LineageStatus;
    let links: number[];
    if (sources.length >= 2) {
      status = 'merged';
      links = sources;
    } else if (splitFrom.length > 0) {
      status = 'split';
      links = splitFrom;
    } else if (m >= 0) {
      status = kept >= thresholds.sameShare && inherited >= thresholds.sameShare ? 'same' : size >= matchedSize ? 'grown' : 'shrunk';
      links = [m];
    } else {
      status = 'new';
      links = [];
    }
    if (m >= 0 && !links.includes(m)) links = [m, ...links];
    for (const p of links) continued.add(p);
    return {
      cluster_id: id,
      size,
      status,
      ...(m >= 0 ? { matched: previousIds[m] } : {}),
      previous: links.map((p) => link(c, p)).sort(byShared),
      overlap: m >= 0 ? overlaps[c][m] : 0,
      kept,
      inherited,
      new_comments,
    };
  });

  const gone: GoneTopic[] = previousIds.flatMap((id, p) => {
    if (continued.has(p)) return [];
    const went_to = currentIds
      .map((cluster_id, c) => ({ cluster_id, shared: shared[c][p] }))
      .filter((entry) => entry.shared > 0)
      .sort(byShared);
    return [{ cluster_id: id, size: before.get(id)!.length, went_to }];
  });
  return { topics, gone };
}

/**
 * Layer L of the current run is matched against layer L of the previous one (layers are nested
 * finest first in both); a layer the previous run did not have is all new.
 */
export function matchLayers(previous: LayerAssignment[], current: LayerAssignment[], thresholds: LineageThresholds = LINEAGE_THRESHOLDS): LayerLineage[] {
  return current.map((layer, index) => matchLayer(previous[index] ?? new Map(), layer, thresholds));
}

/**
 * Stable ids: a topic matched one to one carries the previous topic's uid; any other gets a new one
 * from `newUid`. A previous uid is carried by at most one topic, because the match is one to one.
 */
export function carryUids(lineage: LayerLineage, previousUids: ReadonlyMap<number, string>, newUid: (clusterId: number) => string): Map<number, string> {
  const uids = new Map<number, string>();
  for (const topic of lineage.topics) {
    const carried = topic.matched === undefined ? undefined : previousUids.get(topic.matched);
    uids.set(topic.cluster_id, carried ?? newUid(topic.cluster_id));
  }
  return uids;
}

export interface CommentChanges {
  /** In the current run only. */
  added: number[];
  /** In both, with another text. */
  changed: number[];
  /** In the previous run only. */
  removed: number[];
}

/** Which comments were added, edited or removed between two runs (comment id → text). */
export function commentChanges(previous: ReadonlyMap<number, string>, current: ReadonlyMap<number, string>): CommentChanges {
  const added: number[] = [];
  const changed: number[] = [];
  const removed: number[] = [];
  for (const [id, text] of current) {
    const before = previous.get(id);
    if (before === undefined) added.push(id);
    else if (before !== text) changed.push(id);
  }
  for (const id of previous.keys()) if (!current.has(id)) removed.push(id);
  const ascending = (a: number, b: number) => a - b;
  return { added: added.sort(ascending), changed: changed.sort(ascending), removed: removed.sort(ascending) };
}
