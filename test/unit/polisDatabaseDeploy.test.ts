import { describe, expect, it } from 'vitest';
import { accessOf } from '../../shared/deploy/access';
import { roleStatements } from '../../shared/deploy/iam';
import { polisDatabaseOptions, polisDatabaseVpc } from '../../shared/deploy/polisDatabase';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:polis-reader-AbCdEf';

describe('the polisDatabase* params', () => {
  it('without them, no function gets a secret, a VPC or network interfaces', () => {
    const none = polisDatabaseOptions({ secretArn: '', subnetIds: '', securityGroupIds: '' });
    expect(polisDatabaseVpc(none)).toEqual({});
    expect(roleStatements('embed', accessOf('embed'), { polisDatabase: none })).toEqual(roleStatements('embed'));
  });

  it('grants GetSecretValue on exactly the secret to the functions that read sources, not to the others', () => {
    const options = polisDatabaseOptions({ secretArn: SECRET_ARN, subnetIds: 'subnet-0123456789abcdef0', securityGroupIds: 'sg-0123456789abcdef0' });
    const secret = (fn: string) => roleStatements(fn, accessOf(fn), { polisDatabase: options }).filter((statement) => statement.Sid === 'ReadPolisDatabaseSecret');
    expect(secret('embed')).toEqual([{ Sid: 'ReadPolisDatabaseSecret', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: SECRET_ARN }]);
    expect(secret('finishEmbedding')).toHaveLength(1);
    expect(secret('nameTopics')).toEqual([]);
    expect(secret('startJob')).toEqual([]);
    expect(polisDatabaseVpc(options)).toEqual({ subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] });
  });

  it.each([
    [{ secretArn: 'polis-reader' }, /polisDatabaseSecretArn "polis-reader" is not a Secrets Manager secret ARN/],
    [{ subnetIds: 'subnet-0123456789abcdef0' }, /polisDatabaseSubnetIds and polisDatabaseSecurityGroupIds go together/],
    [{ subnetIds: 'vpc-123', securityGroupIds: 'sg-0123456789abcdef0' }, /"vpc-123" is not a subnet id/],
    [{ subnetIds: 'subnet-0123456789abcdef0', securityGroupIds: 'default' }, /"default" is not a security group id/],
  ])('stops packaging on %j', (params, message) => {
    expect(() => polisDatabaseOptions(params)).toThrow(message);
  });
});
