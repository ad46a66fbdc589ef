import { DEFAULTS, parseEnvironment } from '../../shared/config';
import { describe, expect, it } from 'vitest';
import { bedrockModelResources, roleStatements } from '../../shared/deploy/iam';

const subs = (resources: unknown[]) => resources.map((resource) => (resource as { 'Fn::Sub': string })['Fn::Sub']);

describe('the Bedrock grant', () => {
  it('names exactly the allowed Bedrock models: built-in, configured and listed; a cross-region profile with its model', () => {
    const env = {
      DELPHI_NAMER_MODEL: 'eu.anthropic.claude-3-5-sonnet-20240620-v1:0',
      DELPHI_ALLOWED_EMBEDDING_MODELS: 'cohere.embed-multilingual-v3,all-minilm',
      DELPHI_ALLOWED_NAMER_MODELS: 'llama3.1:8b',
    };
    expect(subs(bedrockModelResources(parseEnvironment(env)))).toEqual([
      'arn:${AWS::Partition}:bedrock:*::foundation-model/amazon.titan-embed-text-v2:0',
      'arn:${AWS::Partition}:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
      'arn:${AWS::Partition}:bedrock:*::foundation-model/cohere.embed-multilingual-v3',
      'arn:${AWS::Partition}:bedrock:*:${AWS::AccountId}:inference-profile/eu.anthropic.claude-3-5-sonnet-20240620-v1:0',
      'arn:${AWS::Partition}:bedrock:*::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0',
      // An OpenAI-compatible model name with a dot is granted as a Bedrock id that does not exist: harmless.
      'arn:${AWS::Partition}:bedrock:*::foundation-model/llama3.1:8b',
    ]);
  });

  it('is what the provider functions get, and nothing wider', () => {
    const statement = roleStatements('nameTopics', undefined, { env: DEFAULTS }).find((st) => st.Sid === 'InvokeBedrockModels')!;
    expect(subs(statement.Resource as unknown[])).toEqual([
      'arn:${AWS::Partition}:bedrock:*::foundation-model/amazon.titan-embed-text-v2:0',
      'arn:${AWS::Partition}:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
    ]);
  });
});

describe('a customer-managed table key', () => {
  const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  it('is granted, through DynamoDB only, to every function that touches a table, and to no other', () => {
    const grant = (fn: string) => roleStatements(fn, undefined, { tableKmsKeyArn: key, env: DEFAULTS }).find((st) => st.Sid === 'TableKey');
    for (const fn of ['markRunning', 'embed', 'getJobTopics', 'listConversationJobs']) {
      expect(grant(fn), fn).toEqual({
        Sid: 'TableKey',
        Effect: 'Allow',
        Action: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        Resource: key,
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'dynamodb.${AWS::Region}.amazonaws.com' } } },
      });
    }
    expect(grant('startJob')).toBeUndefined();
    expect(roleStatements('embed', undefined, { env: DEFAULTS }).some((st) => st.Sid === 'TableKey')).toBe(false);
  });
});
