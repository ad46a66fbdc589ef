/**
 * Which AWS resources each Lambda touches, declared once. shared/deploy/iam.ts turns it into one IAM
 * role per function (serverless.yml: `role: <Function>Role`); test/integration/access.test.ts checks it
 * against the calls each function is observed to make, and test/integration/deploy.test.ts checks the
 * packaged template against it. A function gets nothing that is not listed here.
 */
import type { PipelineFunction } from '../contract/pipeline';
import type { TableId } from '../schema';

export type DynamoDbAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'Query' | 'BatchWriteItem';
export type PipelineAction = 'StartExecution' | 'DescribeExecution';

export interface FunctionAccess {
  /** DynamoDB actions on each table (the table itself, not its index). */
  tables?: Partial<Record<TableId, readonly DynamoDbAction[]>>;
  /** Tables whose ConversationIdIndex the function queries (dynamodb:Query on the index). */
  conversationIndex?: readonly TableId[];
  /** states:StartExecution on the pipeline state machine, states:DescribeExecution on its executions. */
  pipeline?: readonly PipelineAction[];
  /** s3:GetObject on the uploads bucket, where the Polis exports are. */
  readsUploads?: boolean;
  /**
   * The embedding and topic-name providers' AWS calls (README "Providers"): bedrock:InvokeModel on
   * foundation models and the account's inference profiles, and the API keys kept under `delphi/` in
   * SSM Parameter Store (ssm:GetParameter) or Secrets Manager (secretsmanager:GetSecretValue).
   */
  providers?: boolean;
  /** Reads postgres:// sources: the Polis database secret and VPC, when deployed with them (./polisDatabase.ts). */
  readsPolisDatabase?: boolean;
}

/** Every pipeline step records itself on the job record (shared/handler.ts). */
const STEP_RECORD = { config: ['UpdateItem'] } as const;
/** What ExtractKeywords and ComputeFeatures read: comments, positions, cluster labels. */
const EARLIER_ROWS = { embeddings: ['Query'], graph: ['Query'], assignments: ['Query'] } as const;
/** A step replaces its job's rows: writes (and deletes) in batches, after querying the keys it had. */
const REPLACE = ['BatchWriteItem', 'Query'] as const;
/** What readJobTopics reads. */
const TOPIC_ROWS = { config: ['Query'], keywords: ['Query'], topicNames: ['Query'], features: ['Query'] } as const;
/** What comparing two jobs reads (steps/lineage.ts compareJobs): their assignments and comment texts. */
const LINEAGE_ROWS = { embeddings: ['Query'], assignments: ['Query'] } as const;
const COUNTED = { embeddings: ['Query'], graph: ['Query'], assignments: ['Query'], keywords: ['Query'], features: ['Query'], topicNames: ['Query'] } as const;

export const FUNCTION_ACCESS = {
  // The Tasks of the state machine (shared/local/runner.ts TASK_HANDLERS), in pipeline order.
  markRunning: { tables: { config: ['Query', 'PutItem'] } },
  // Embed also reads the previous COMPLETED job's vectors, to reuse them (steps/embed.ts earlierEmbeddings).
  embed: {
    tables: { config: ['Query', 'UpdateItem'], embeddings: REPLACE },
    conversationIndex: ['config'],
    readsUploads: true,
    readsPolisDatabase: true,
    providers: true,
  },
  // A large job's Embed fans out: each EmbedBatch only adds rows; FinishEmbedding deletes stale ones.
  embedBatch: { tables: { ...STEP_RECORD, embeddings: ['BatchWriteItem'] }, readsUploads: true, readsPolisDatabase: true, providers: true },
  finishEmbedding: { tables: { ...STEP_RECORD, embeddings: REPLACE }, readsUploads: true, readsPolisDatabase: true },
  projectUmap: { tables: { ...STEP_RECORD, embeddings: ['Query'], graph: REPLACE } },
  // Cluster also matches the topics with the earlier job's (steps/lineage.ts): its assignments, topic uids and names.
  cluster: {
    tables: { config: ['Query', 'UpdateItem'], embeddings: ['Query'], graph: ['Query'], assignments: REPLACE, keywords: ['Query'], topicNames: ['Query'] },
    conversationIndex: ['config'],
  },
  // Both copy the topic uids Cluster recorded on the job.
  extractKeywords: { tables: { config: ['Query', 'UpdateItem'], ...EARLIER_ROWS, keywords: REPLACE } },
  computeFeatures: { tables: { config: ['Query', 'UpdateItem'], ...EARLIER_ROWS, features: REPLACE } },
  nameTopics: { tables: { ...STEP_RECORD, keywords: ['Query'], topicNames: REPLACE }, providers: true },
  nameLayer: { tables: { ...STEP_RECORD, keywords: ['Query'], topicNames: REPLACE }, providers: true },
  markCompleted: { tables: { ...COUNTED, config: ['Query', 'UpdateItem'] } },
  markFailed: { tables: { config: ['Query', 'UpdateItem'] } },
  // The HTTP API (shared/api/routes.ts).
  startJob: { pipeline: ['StartExecution', 'DescribeExecution'], readsUploads: true },
  getJob: { tables: { ...COUNTED, config: ['Query'] }, pipeline: ['DescribeExecution'] },
  getJobTopics: { tables: TOPIC_ROWS },
  getJobChanges: { tables: { config: ['Query'], ...LINEAGE_ROWS, keywords: ['Query'], topicNames: ['Query'] }, conversationIndex: ['config'] },
  listConversationJobs: { conversationIndex: ['config'] },
  getConversationTopics: { tables: TOPIC_ROWS, conversationIndex: ['config'] },
} satisfies Record<string, FunctionAccess>;

export type FunctionName = keyof typeof FUNCTION_ACCESS;
/** The pipeline's functions (shared/contract/pipeline.ts): tsc refuses a descriptor entry without its access here. */
export const PIPELINE_FUNCTION_ACCESS: Readonly<Record<PipelineFunction, FunctionAccess>> = FUNCTION_ACCESS;
export const FUNCTION_NAMES = Object.keys(FUNCTION_ACCESS) as FunctionName[];

export function accessOf(fn: string): FunctionAccess {
  const access = (FUNCTION_ACCESS as Record<string, FunctionAccess>)[fn];
  if (!access) throw new Error(`No access declared for function ${fn} in shared/deploy/access.ts`);
  return access;
}
