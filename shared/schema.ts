/**
 * The seven Delphi tables, declared once. This module feeds the CloudFormation resources in
 * serverless.yml (through shared/schema.resources.cjs) and the local table creation (shared/local/dynaliteServer.ts).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export type KeyType = 'S' | 'N' | 'B';

export interface TableSchema {
  /** Logical name used in code and in CloudFormation resource ids. */
  readonly id: TableId;
  /** Base name; deployed tables get a stage suffix (see tableName). */
  readonly baseName: string;
  readonly rangeKey: { readonly name: string; readonly type: KeyType };
  /** Range key of the ConversationIdIndex GSI. */
  readonly gsiRangeKey: { readonly name: string; readonly type: KeyType };
  /** Per-comment tables project only keys to the GSI: every base write is copied to each GSI. */
  readonly gsiProjection: 'ALL' | 'KEYS_ONLY';
}

export type TableId =
  | 'config'
  | 'embeddings'
  | 'assignments'
  | 'keywords'
  | 'graph'
  | 'features'
  | 'topicNames';

export const CONVERSATION_INDEX = 'ConversationIdIndex';

/** Literal (`as const`) so that shared/contract/rows.ts can name each table's range key as a type. */
export const TABLES = {
  config: {
    id: 'config',
    baseName: 'Delphi_UMAPConversationConfig',
    rangeKey: { name: 'conversation_id', type: 'S' },
    // A GSI cannot use conversation_id as both hash and range: order a conversation's jobs by time.
    gsiRangeKey: { name: 'created_at', type: 'S' },
    gsiProjection: 'ALL',
  },
  embeddings: {
    id: 'embeddings',
    baseName: 'Delphi_CommentEmbeddings',
    rangeKey: { name: 'comment_id', type: 'N' },
    gsiRangeKey: { name: 'comment_id', type: 'N' },
    gsiProjection: 'KEYS_ONLY',
  },
  assignments: {
    id: 'assignments',
    baseName: 'Delphi_CommentHierarchicalClusterAssignments',
    rangeKey: { name: 'comment_id', type: 'N' },
    gsiRangeKey: { name: 'comment_id', type: 'N' },
    gsiProjection: 'KEYS_ONLY',
  },
  keywords: {
    id: 'keywords',
    baseName: 'Delphi_CommentClustersStructureKeywords',
    rangeKey: { name: 'cluster_key', type: 'S' },
    gsiRangeKey: { name: 'cluster_key', type: 'S' },
    gsiProjection: 'ALL',
  },
  graph: {
    id: 'graph',
    baseName: 'Delphi_UMAPGraph',
    rangeKey: { name: 'edge_id', type: 'S' },
    gsiRangeKey: { name: 'edge_id', type: 'S' },
    gsiProjection: 'KEYS_ONLY',
  },
  features: {
    id: 'features',
    baseName: 'Delphi_CommentClustersFeatures',
    rangeKey: { name: 'cluster_key', type: 'S' },
    gsiRangeKey: { name: 'cluster_key', type: 'S' },
    gsiProjection: 'ALL',
  },
  topicNames: {
    id: 'topicNames',
    baseName: 'Delphi_CommentClustersLLMTopicNames',
    rangeKey: { name: 'topic_key', type: 'S' },
    gsiRangeKey: { name: 'topic_key', type: 'S' },
    gsiProjection: 'ALL',
  },
} as const satisfies Readonly<Record<TableId, TableSchema>>;

export const TABLE_IDS = Object.keys(TABLES) as TableId[];

/** Physical table name: the base name, plus `_<suffix>` when a stage suffix is configured. */
export function tableName(id: TableId, suffix = ''): string {
  return suffix ? `${TABLES[id].baseName}_${suffix}` : TABLES[id].baseName;
}

/** CreateTable input for one table: the same shape CloudFormation's AWS::DynamoDB::Table takes. */
export function createTableInput(id: TableId, suffix = ''): CreateTableCommandInput {
  const table = TABLES[id];
  const attributes = new Map<string, KeyType>([
    ['job_id', 'S'],
    [table.rangeKey.name, table.rangeKey.type],
    ['conversation_id', 'S'],
    [table.gsiRangeKey.name, table.gsiRangeKey.type],
  ]);
  return {
    TableName: tableName(id, suffix),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: 'job_id', KeyType: 'HASH' },
      { AttributeName: table.rangeKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: CONVERSATION_INDEX,
        KeySchema: [
          { AttributeName: 'conversation_id', KeyType: 'HASH' },
          { AttributeName: table.gsiRangeKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: table.gsiProjection },
      },
    ],
  };
}

/** Logical id of a table's CloudFormation resource, e.g. `CommentEmbeddingsTable`. */
export function resourceId(id: TableId): string {
  return `${TABLES[id].baseName.replace(/^Delphi_/, '')}Table`;
}

export interface TableProtection {
  /**
   * Point-in-time recovery, deletion protection and DeletionPolicy/UpdateReplacePolicy Retain: a
   * `sls remove`, a replacement or a slip keeps every result. Off only for throwaway stages.
   */
  protect: boolean;
  /** A customer-managed KMS key (ARN) to encrypt the tables with; none = the AWS-owned key. */
  kmsKeyArn?: string;
}

/**
 * CloudFormation resources for all seven tables. `suffix` is a CloudFormation value (for example
 * `${sls:stage}` resolved by serverless), so deployed names are stage-aware. No TTL: nothing is
 * written with an expiry, results are kept until deleted (docs/deploying.md "Keeping results").
 */
export function cloudFormationTables(suffix: string, { protect, kmsKeyArn }: TableProtection = { protect: true }): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  const policy = protect ? 'Retain' : 'Delete';
  for (const id of TABLE_IDS) {
    const input = createTableInput(id, suffix);
    resources[resourceId(id)] = {
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: policy,
      UpdateReplacePolicy: policy,
      Properties: {
        ...input,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: protect },
        DeletionProtectionEnabled: protect,
        ...(kmsKeyArn ? { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: kmsKeyArn } } : {}),
      },
    };
  }
  return resources;
}

