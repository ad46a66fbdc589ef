/**
 * One IAM role per Lambda, generated from shared/deploy/access.ts: each function may write its own
 * logs and touch only the tables, actions, state machine and buckets declared for it. serverless.yml
 * merges these roles into its resources (through shared/deploy/resources.cjs) and points each function
 * at its role; there is no shared Lambda role.
 */
import type { Environment } from '../config';
import { allowedModels } from '../providers/policy';
import { CONVERSATION_INDEX, resourceId, type TableId } from '../schema';
import { accessOf, FUNCTION_NAMES, type FunctionAccess } from './access';
import { polisDatabaseStatements, type PolisDatabaseOptions } from './polisDatabase';

/** Logical ids of the resources the roles point at (declared in serverless.yml). */
export const STATE_MACHINE_ID = 'DelphiPipeline';
export const UPLOADS_BUCKET_ID = 'UploadsBucket';

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
/** `markRunning` → `MarkRunningRole`. */
export const roleId = (fn: string) => `${pascal(fn)}Role`;
/** The log group serverless creates for a function: `markRunning` → `MarkRunningLogGroup`. */
export const logGroupId = (fn: string) => `${pascal(fn)}LogGroup`;

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

/** What the deployment decides beyond access.ts, read at package time (serverless params and environment). */
export interface RoleOptions {
  /** The tables' customer-managed KMS key, when there is one (param tableKmsKeyArn). */
  tableKmsKeyArn?: string;
  /**
   * Where the allowed models are configured (shared/providers/policy.ts allowedModels). Unset: this
   * process's environment, parsed by shared/config.ts — at package time the deployer's shell, which is
   * also what serverless.yml hands the functions (${env:…}), so the grants and the functions agree.
   */
  env?: Environment;
  /** The Polis database's secret and VPC (params polisDatabase*), for the functions that read sources. */
  polisDatabase?: PolisDatabaseOptions;
}

const arn = (template: string) => ({ 'Fn::Sub': template });

/** Cross-region inference profiles are the model id behind a geography prefix (`eu.anthropic.claude-…`). */
const INFERENCE_PROFILE = /^(us|eu|apac|us-gov|jp|au|ca|global)\.(.+)$/;

/**
 * The Bedrock resources the providers may invoke: exactly the models a caller may choose (built-in
 * defaults, DELPHI_EMBEDDING_MODEL / DELPHI_NAMER_MODEL, DELPHI_ALLOWED_*_MODELS), so a model left off
 * the allow-list cannot be called even by an execution started outside the API. Ids without a
 * `provider.` prefix (OpenAI-compatible model names) are not Bedrock models.
 */
export function bedrockModelResources(env?: Environment): unknown[] {
  const { embedding, naming } = allowedModels(env);
  const ids = [...new Set([...embedding, ...naming])].filter((id) => /^[a-z0-9-]+\.[A-Za-z0-9.:_-]+$/.test(id)).sort();
  return ids.flatMap((id) => {
    const profile = INFERENCE_PROFILE.exec(id);
    if (!profile) return [arn(`arn:\${AWS::Partition}:bedrock:*::foundation-model/${id}`)];
    return [
      arn(`arn:\${AWS::Partition}:bedrock:*:\${AWS::AccountId}:inference-profile/${id}`),
      arn(`arn:\${AWS::Partition}:bedrock:*::foundation-model/${profile[2]}`),
    ];
  });
}

export function roleStatements(fn: string, access: FunctionAccess = accessOf(fn), options: RoleOptions = {}): Statement[] {
  const statements: Statement[] = [
    { Sid: 'OwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId(fn), 'Arn'] } },
  ];
  for (const [table, actions] of Object.entries(access.tables ?? {}) as Array<[TableId, readonly string[]]>) {
    statements.push({
      Sid: resourceId(table),
      Effect: 'Allow',
      Action: [...actions].sort().map((action) => `dynamodb:${action}`),
      Resource: { 'Fn::GetAtt': [resourceId(table), 'Arn'] },
    });
  }
  if (options.tableKmsKeyArn && (Object.keys(access.tables ?? {}).length > 0 || (access.conversationIndex ?? []).length > 0)) {
    statements.push({
      Sid: 'TableKey',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Resource: options.tableKmsKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': arn('dynamodb.${AWS::Region}.amazonaws.com') } },
    });
  }
  for (const table of access.conversationIndex ?? []) {
    statements.push({
      Sid: `${resourceId(table)}ConversationIndex`,
      Effect: 'Allow',
      Action: ['dynamodb:Query'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [resourceId(table), 'Arn'] }, `/index/${CONVERSATION_INDEX}`]] },
    });
  }
  if (access.pipeline?.includes('StartExecution')) {
    statements.push({ Sid: 'StartPipeline', Effect: 'Allow', Action: ['states:StartExecution'], Resource: { Ref: STATE_MACHINE_ID } });
  }
  if (access.pipeline?.includes('DescribeExecution')) {
    statements.push({
      Sid: 'DescribePipelineExecutions',
      Effect: 'Allow',
      Action: ['states:DescribeExecution'],
      Resource: arn(`arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:\${${STATE_MACHINE_ID}.Name}:*`),
    });
  }
  if (access.readsPolisDatabase && options.polisDatabase) statements.push(...polisDatabaseStatements(options.polisDatabase));
  if (access.readsUploads) {
    statements.push({ Sid: 'ReadUploads', Effect: 'Allow', Action: ['s3:GetObject'], Resource: arn(`\${${UPLOADS_BUCKET_ID}.Arn}/*`) });
  }
  if (access.providers) {
    statements.push(
      {
        Sid: 'InvokeBedrockModels',
        Effect: 'Allow',
        Action: ['bedrock:InvokeModel'],
        Resource: bedrockModelResources(options.env),
      },
      {
        Sid: 'ReadProviderKeyParameters',
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        Resource: arn('arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/delphi/*'),
      },
      {
        Sid: 'ReadProviderKeySecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: arn('arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:delphi/*'),
      },
    );
  }
  return statements;
}

export function functionRole(fn: string, options: RoleOptions = {}): Record<string, unknown> {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
      },
      Policies: [{ PolicyName: `delphi-${fn}`, PolicyDocument: { Version: '2012-10-17', Statement: roleStatements(fn, accessOf(fn), options) } }],
    },
  };
}

/** CloudFormation resources: one role per declared function. */
export function functionRoles(options: RoleOptions = {}): Record<string, unknown> {
  return Object.fromEntries(FUNCTION_NAMES.map((fn) => [roleId(fn), functionRole(fn, options)]));
}
