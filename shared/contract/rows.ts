/**
 * What a row of each Delphi table holds, declared once next to the schema (shared/schema.ts): the
 * steps write these types, the repository (shared/repository.ts) returns them, and no reader casts a
 * stored field anywhere else. `decodeRow` checks a row read back against the field table below, so a
 * row of the wrong shape fails with a named error at the read instead of as NaN three steps later.
 *
 * A row may carry attributes not listed here (written by a newer or older version); they pass
 * through untouched. A new attribute is added to the interface and to its FIELDS entry together (the
 * `satisfies` clauses make tsc refuse one without the other).
 */
import type { ClusterVoteFeatures, CommentVotes } from '../algorithms/features';
import type { GroupTallies, TopicGroupVotes } from '../algorithms/groups';
import type { LineageStatus } from '../algorithms/lineage';
import type { LabelPhrase } from '../algorithms/phrases';
import { DelphiError } from '../errors';
import type { TABLES, TableId } from '../schema';
import { decodeVector } from '../vectors';
import { JOB_FIELDS, type JobRecord } from './job';

/** The attributes every row carries: its partition key and the GSI's hash key. */
export type RowBase = {
  job_id: string;
  conversation_id: string;
};

export type Point = { x: number; y: number };

/** How a topic relates to the topics of the earlier job it was compared with (docs/lineage.md). */
export type TopicLineage = {
  status: LineageStatus;
  /** The earlier job; null when the conversation had none. */
  compared_to: string | null;
  /** cluster_key of the earlier topic whose uid this one carries (the one-to-one match). */
  matched?: string;
  /** Every earlier topic it comes from, most shared comments first. */
  previous: Array<{ cluster_key: string; topic_uid: string; shared: number; overlap: number }>;
  overlap: number;
  kept: number;
  inherited: number;
  new_comments: number;
};

/**
 * Topic lineage (docs/lineage.md, shared/steps/lineage.ts): a cluster's stable `topic_uid` across
 * jobs of a conversation, and how it relates to the previous job's topics. Rows from before lineage
 * have neither.
 */
export type TopicLineageFields = {
  topic_uid?: string;
  lineage?: TopicLineage;
};

/** Delphi_CommentEmbeddings: one row per comment the job kept. */
export type EmbeddingRow = RowBase & {
  comment_id: number;
  comment_text: string;
  /** Little-endian float32 bytes (shared/vectors.ts); `embeddingVector` decodes them. */
  embedding: Uint8Array;
  dimensions: number;
  model: string;
  provider: string;
  author_id?: number;
  moderated?: number;
  created?: number;
  votes?: CommentVotes;
  /** The votes per Polis opinion group (group id → tally); only when the source has groups. */
  group_votes?: GroupTallies;
  /** The comment's language (ISO 639-1) as Embed detected it among the conversation's (rows written before languages have none). */
  language?: string;
};

/** The per-layer attributes of an assignment row: `layer0_cluster_id` (finest) … `layer<n-1>_cluster_id`. */
export type LayerClusterKey = `layer${number}_cluster_id`;

/** Delphi_CommentHierarchicalClusterAssignments: a comment's cluster in every layer. */
export type AssignmentRow = RowBase & {
  comment_id: number;
  layer_count: number;
  is_outlier: boolean;
  /** UMAP-space distance to the cluster centre per layer, keyed `layer<n>`. */
  distance_to_centroid: Record<string, number>;
  cluster_confidence: Record<string, number>;
  [layer: LayerClusterKey]: number;
  /** The topic_uid of the comment's cluster per layer (lineage); absent on rows from before lineage. */
  [layer: `layer${number}_topic_uid`]: string;
};

/** Delphi_CommentClustersStructureKeywords: one row per cluster of every layer. */
export type KeywordRow = RowBase & TopicLineageFields & {
  /** `layer<layer>_<cluster>` (clusterKey). */
  cluster_key: string;
  layer_id: number;
  cluster_id: number;
  size: number;
  keywords: string[];
  keyword_scores: number[];
  /** Absent on rows written before label phrases existed. */
  label_phrases?: LabelPhrase[];
  centroid_coordinates: Point;
  sample_comments: string[];
  sample_comment_ids: number[];
  parent_cluster?: string;
  child_clusters: string[];
  /** The child cluster with exactly the same members (the cluster did not split). */
  same_members_child?: string;
};

/** Delphi_UMAPGraph: one node row per comment (`a_a`) and one row per kNN edge (`a_b`, a < b). */
export type GraphRow = RowBase & {
  edge_id: string;
  source_id: number;
  target_id: number;
  is_node: boolean;
  /** Node rows only. */
  position?: Point;
  /** Edge rows only. */
  is_nearest_neighbor?: boolean;
  weight?: number;
  distance?: number;
};

/** Delphi_CommentClustersFeatures: one row per cluster of every layer. */
export type FeatureRow = RowBase & Pick<TopicLineageFields, 'topic_uid'> & {
  cluster_key: string;
  layer_id: number;
  cluster_id: number;
  size: number;
  share: number;
  centroid: Point;
  spread: number;
  density: number;
  top_words: string[];
  top_tfidf_scores: number[];
  votes?: ClusterVoteFeatures;
  /** How Polis's opinion groups voted on the topic (shared/steps/computeFeatures.ts); only when the source has groups. */
  group_votes?: TopicGroupVotes;
  /** The representative comments (nearest the embedding centroid) and their ids. */
  sample_comments: string[];
  sample_comment_ids: number[];
};

/** Delphi_CommentClustersLLMTopicNames: one name per cluster of every layer. */
export type TopicNameRow = RowBase & TopicLineageFields & {
  /** `<job_id>#<layer>#<cluster>`. */
  topic_key: string;
  cluster_key: string;
  layer_id: number;
  cluster_id: number;
  topic_name: string;
  provider: string;
  model_name: string;
  created_at?: string;
  /** Set when the name was kept from an earlier job's topic (provider `reused`). */
  reused_from?: { job_id: string; cluster_key: string; topic_key: string; provider: string };
};

export interface TableRows {
  config: JobRecord;
  embeddings: EmbeddingRow;
  assignments: AssignmentRow;
  keywords: KeywordRow;
  graph: GraphRow;
  features: FeatureRow;
  topicNames: TopicNameRow;
}

/** The row type of a table. */
export type RowOf<T extends TableId> = TableRows[T];
export type RangeKeyOf<T extends TableId> = (typeof TABLES)[T]['rangeKey']['name'] & keyof RowOf<T>;
/** A row's primary key: job_id and the table's range key. */
export type KeyOf<T extends TableId> = Pick<RowOf<T>, 'job_id' | RangeKeyOf<T>>;
/** Tables whose ConversationIdIndex projects only keys (schema.ts gsiProjection KEYS_ONLY). */
export type KeysOnlyIndexTable = 'embeddings' | 'assignments' | 'graph';
/** What a ConversationIdIndex query returns: whole rows, or the keys and conversation_id. */
export type IndexedRowOf<T extends TableId> = T extends KeysOnlyIndexTable ? KeyOf<T> & Pick<RowBase, 'conversation_id'> : RowOf<T>;

// ---- decoding ----------------------------------------------------------------------------------

/** How a stored attribute is checked when read back; `?` marks one a row may lack. */
export type FieldKind = 'string' | 'number' | 'boolean' | 'bytes' | 'object' | 'strings' | 'numbers' | 'array';
export type FieldSpec = FieldKind | `${FieldKind}?`;
type Fields<Row> = {
  readonly [K in keyof Row as string extends K ? never : K extends LayerClusterKey | `layer${number}_topic_uid` ? never : K]-?: FieldSpec;
};

const BASE = { job_id: 'string', conversation_id: 'string' } as const;
const LINEAGE = { topic_uid: 'string?', lineage: 'object?' } as const;

export const ROW_FIELDS = {
  config: JOB_FIELDS,
  embeddings: {
    ...BASE, comment_id: 'number', comment_text: 'string', embedding: 'bytes', dimensions: 'number', model: 'string', provider: 'string',
    author_id: 'number?', moderated: 'number?', created: 'number?', votes: 'object?', group_votes: 'object?', language: 'string?',
  } satisfies Fields<EmbeddingRow>,
  assignments: {
    ...BASE, comment_id: 'number', layer_count: 'number', is_outlier: 'boolean', distance_to_centroid: 'object', cluster_confidence: 'object',
  } satisfies Fields<AssignmentRow>,
  keywords: {
    ...BASE, cluster_key: 'string', layer_id: 'number', cluster_id: 'number', size: 'number', keywords: 'strings', keyword_scores: 'numbers',
    label_phrases: 'array?', centroid_coordinates: 'object', sample_comments: 'strings', sample_comment_ids: 'numbers',
    parent_cluster: 'string?', child_clusters: 'strings', same_members_child: 'string?', ...LINEAGE,
  } satisfies Fields<KeywordRow>,
  graph: {
    ...BASE, edge_id: 'string', source_id: 'number', target_id: 'number', is_node: 'boolean', position: 'object?',
    is_nearest_neighbor: 'boolean?', weight: 'number?', distance: 'number?',
  } satisfies Fields<GraphRow>,
  features: {
    ...BASE, cluster_key: 'string', layer_id: 'number', cluster_id: 'number', size: 'number', share: 'number', centroid: 'object',
    spread: 'number', density: 'number', top_words: 'strings', top_tfidf_scores: 'numbers', votes: 'object?', group_votes: 'object?',
    sample_comments: 'strings', sample_comment_ids: 'numbers', topic_uid: 'string?',
  } satisfies Fields<FeatureRow>,
  topicNames: {
    ...BASE, topic_key: 'string', cluster_key: 'string', layer_id: 'number', cluster_id: 'number', topic_name: 'string', provider: 'string',
    model_name: 'string', created_at: 'string?', reused_from: 'object?', ...LINEAGE,
  } satisfies Fields<TopicNameRow>,
} as const satisfies Record<TableId, Record<string, FieldSpec>>;

/** A stored row that does not have the shape its table's contract says: written by something else, or corrupted. */
export class StoredRowError extends DelphiError {
  constructor(message: string) {
    super(message);
    this.name = 'StoredRowError';
  }
}

const isKind: Record<FieldKind, (value: unknown) => boolean> = {
  string: (value) => typeof value === 'string',
  number: (value) => typeof value === 'number',
  boolean: (value) => typeof value === 'boolean',
  bytes: (value) => value instanceof Uint8Array,
  object: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  array: Array.isArray,
  strings: (value) => Array.isArray(value) && value.every((item) => typeof item === 'string'),
  numbers: (value) => Array.isArray(value) && value.every((item) => typeof item === 'number'),
};

/**
 * A row read from `table`, checked against its contract. `projected` names the attributes a query
 * asked for: only those must be present. Returns the same object, typed.
 */
export function decodeRow<T extends TableId>(table: T, item: Record<string, unknown>, projected?: readonly string[]): RowOf<T> {
  const fields = ROW_FIELDS[table] as Record<string, FieldSpec>;
  const wanted = projected ?? Object.keys(fields);
  for (const name of wanted) {
    const spec = fields[name];
    if (spec === undefined) continue;
    const value = item[name];
    const optional = spec.endsWith('?');
    if (value === undefined) {
      if (optional) continue;
      throw new StoredRowError(`${table} row ${describeKey(item)} has no ${name}`);
    }
    const kind = (optional ? spec.slice(0, -1) : spec) as FieldKind;
    if (!isKind[kind](value)) throw new StoredRowError(`${table} row ${describeKey(item)}: ${name} is not ${kind}`);
  }
  if (table === 'assignments' && (!projected || projected.includes('layer_count'))) {
    const count = item.layer_count as number;
    for (let layer = 0; layer < count; layer++) {
      if (typeof item[layerClusterKey(layer)] !== 'number') {
        throw new StoredRowError(`assignments row ${describeKey(item)} has no number ${layerClusterKey(layer)} (layer_count ${count})`);
      }
    }
  }
  return item as unknown as RowOf<T>;
}

function describeKey(item: Record<string, unknown>): string {
  const range = ['comment_id', 'cluster_key', 'edge_id', 'topic_key'].find((name) => item[name] !== undefined);
  return `${String(item.job_id)}${range ? `/${String(item[range])}` : ''}`;
}

// ---- table-specific encode/decode --------------------------------------------------------------

export function layerClusterKey(layer: number): LayerClusterKey {
  return `layer${layer}_cluster_id`;
}

/** An assignment row from a comment's cluster id in each layer (finest first). */
export function encodeAssignment(
  fields: Omit<AssignmentRow, 'layer_count' | LayerClusterKey>,
  clusterIds: readonly number[],
): AssignmentRow {
  const row: AssignmentRow = { ...fields, layer_count: clusterIds.length };
  clusterIds.forEach((cluster, layer) => {
    row[layerClusterKey(layer)] = cluster;
  });
  return row;
}

/** A comment's cluster id in each layer, finest first. */
export function assignmentClusterIds(row: AssignmentRow): number[] {
  return Array.from({ length: row.layer_count }, (_, layer) => row[layerClusterKey(layer)]);
}

export function embeddingVector(row: Pick<EmbeddingRow, 'embedding'>): Float32Array {
  return decodeVector(row.embedding);
}
