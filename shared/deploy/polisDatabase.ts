/**
 * Reading a Polis PostgreSQL database from the deployed pipeline (docs/deploying.md "A Polis
 * database"). Three serverless params: polisDatabaseSecretArn (the Secrets Manager secret with the
 * credentials, shared/sources/postgresSecret.ts), polisDatabaseSubnetIds and
 * polisDatabaseSecurityGroupIds (comma-separated; the VPC the database is reachable from). Only the
 * functions that read the source (access.ts `readsPolisDatabase`) get the secret, the VPC and the
 * network-interface actions Lambda needs in a VPC; with the params empty, nothing changes.
 */
import type { Statement } from './iam';

export interface PolisDatabaseOptions {
  secretArn?: string;
  subnetIds: string[];
  securityGroupIds: string[];
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8,17}$/;

const list = (value: string | undefined) => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);

/** The params as given to serverless, checked: a malformed one stops `sls package` with what to fix. */
export function polisDatabaseOptions(params: { secretArn?: string; subnetIds?: string; securityGroupIds?: string }): PolisDatabaseOptions {
  const secretArn = params.secretArn?.trim() || undefined;
  if (secretArn && !SECRET_ARN.test(secretArn)) {
    throw new Error(`param polisDatabaseSecretArn "${secretArn}" is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>)`);
  }
  const subnetIds = list(params.subnetIds);
  const securityGroupIds = list(params.securityGroupIds);
  const badSubnet = subnetIds.find((id) => !SUBNET.test(id));
  if (badSubnet) throw new Error(`param polisDatabaseSubnetIds: "${badSubnet}" is not a subnet id (subnet-…)`);
  const badGroup = securityGroupIds.find((id) => !SECURITY_GROUP.test(id));
  if (badGroup) throw new Error(`param polisDatabaseSecurityGroupIds: "${badGroup}" is not a security group id (sg-…)`);
  if ((subnetIds.length === 0) !== (securityGroupIds.length === 0)) {
    throw new Error('params polisDatabaseSubnetIds and polisDatabaseSecurityGroupIds go together: give both (comma-separated) or neither');
  }
  return { secretArn, subnetIds, securityGroupIds };
}

/** The VPC of the functions that read the source: empty (no VPC) unless both lists are given. */
export function polisDatabaseVpc(options: PolisDatabaseOptions): { subnetIds: string[]; securityGroupIds: string[] } | Record<string, never> {
  return options.subnetIds.length ? { subnetIds: options.subnetIds, securityGroupIds: options.securityGroupIds } : {};
}

/** What a source-reading function's role gets: that one secret, and the network interfaces of a VPC function. */
export function polisDatabaseStatements(options: PolisDatabaseOptions): Statement[] {
  const statements: Statement[] = [];
  if (options.secretArn) {
    statements.push({ Sid: 'ReadPolisDatabaseSecret', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: options.secretArn });
  }
  if (options.subnetIds.length) {
    // What AWSLambdaVPCAccessExecutionRole grants; EC2 takes no resource-level limit on Describe.
    statements.push({
      Sid: 'LambdaVpcNetworkInterfaces',
      Effect: 'Allow',
      Action: ['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:UnassignPrivateIpAddresses'],
      Resource: '*',
    });
  }
  return statements;
}
