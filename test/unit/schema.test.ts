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

  it('suffixes deployed names with the stage and adds TTL on expires_at', () => {
    expect(tableName('graph', 'prod')).toBe('Delphi_UMAPGraph_prod');
    expect(tableName('graph')).toBe('Delphi_UMAPGraph');
    const resources = cloudFormationTables('prod') as Record<string, { Properties: Record<string, unknown> }>;
    expect(Object.keys(resources)).toHaveLength(7);
    expect(resources.UMAPGraphTable.Properties.TableName).toBe('Delphi_UMAPGraph_prod');
    expect(resources.UMAPGraphTable.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expires_at', Enabled: true });
  });
});
