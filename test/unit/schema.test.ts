import { describe, expect, it } from 'vitest';
import { CONVERSATION_INDEX, TABLES, TABLE_IDS, cloudFormationTables, createTableInput, tableName } from '../../shared/schema';

describe('table schema', () => {
  it('declares the seven Delphi tables with their range keys', () => {
    expect(Object.fromEntries(TABLE_IDS.map((id) => [TABLES[id].baseName, TABLES[id].rangeKey.name]))).toEqual({
      Delphi_UMAPConversationConfig: 'conversation_id',
      Delphi_CommentEmbeddings: 'comment_id',
      Delphi_CommentHierarchicalClusterAssignments: 'comment_id',
      Delphi_CommentClustersStructureKeywords: 'cluster_key',
      Delphi_UMAPGraph: 'edge_id',
      Delphi_CommentClustersFeatures: 'cluster_key',
      Delphi_CommentClustersLLMTopicNames: 'topic_key',
    });
  });

  it('keys every table by job_id with a ConversationIdIndex on conversation_id', () => {
    for (const id of TABLE_IDS) {
      const input = createTableInput(id);
      expect(input.KeySchema?.[0]).toEqual({ AttributeName: 'job_id', KeyType: 'HASH' });
      expect(input.BillingMode).toBe('PAY_PER_REQUEST');
      const gsi = input.GlobalSecondaryIndexes?.[0];
      expect(gsi?.IndexName).toBe(CONVERSATION_INDEX);
      expect(gsi?.KeySchema?.[0]).toEqual({ AttributeName: 'conversation_id', KeyType: 'HASH' });
      const expectedRange = id === 'config' ? 'created_at' : TABLES[id].rangeKey.name;
      expect(gsi?.KeySchema?.[1]).toEqual({ AttributeName: expectedRange, KeyType: 'RANGE' });
      // every key attribute is defined once, and nothing else is
      const names = input.AttributeDefinitions?.map((a) => a.AttributeName) ?? [];
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('projects only keys for per-comment tables and everything for per-cluster tables', () => {
    expect(createTableInput('embeddings').GlobalSecondaryIndexes?.[0].Projection).toEqual({ ProjectionType: 'KEYS_ONLY' });
    expect(createTableInput('keywords').GlobalSecondaryIndexes?.[0].Projection).toEqual({ ProjectionType: 'ALL' });
  });

  it('suffixes deployed names with the stage and sets no TTL (nothing is written with an expiry)', () => {
    expect(tableName('graph', 'prod')).toBe('Delphi_UMAPGraph_prod');
    expect(tableName('graph')).toBe('Delphi_UMAPGraph');
    const resources = cloudFormationTables('prod') as Record<string, { Properties: Record<string, unknown> }>;
    expect(Object.keys(resources)).toHaveLength(7);
    expect(resources.UMAPGraphTable.Properties.TableName).toBe('Delphi_UMAPGraph_prod');
    expect(resources.UMAPGraphTable.Properties.TimeToLiveSpecification).toBeUndefined();
  });

  it('protects every table by default and relaxes all three protections together for a throwaway stage', () => {
    type Table = { DeletionPolicy: string; UpdateReplacePolicy: string; Properties: Record<string, any> };
    const kept = Object.values(cloudFormationTables('prod')) as Table[];
    const loose = Object.values(cloudFormationTables('pr-1', { protect: false })) as Table[];
    for (const table of kept) {
      expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(table.Properties).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true });
      expect(table.Properties.SSESpecification).toBeUndefined();
    }
    for (const table of loose) {
      expect(table).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      expect(table.Properties).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false }, DeletionProtectionEnabled: false });
    }
  });

  it('encrypts every table with a customer-managed key when one is given', () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    for (const table of Object.values(cloudFormationTables('prod', { protect: true, kmsKeyArn: key })) as Array<{ Properties: Record<string, unknown> }>) {
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: key });
    }
  });
});
