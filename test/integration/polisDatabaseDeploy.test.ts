/**
 * A deployment that reads a Polis database (docs/deploying.md "A Polis database"): packaged with the
 * polisDatabase* params, the functions that read sources — and only they — get the secret's ARN, a
 * grant on exactly that secret, the VPC and the network-interface actions a VPC Lambda needs.
 * (Packaged without the params, deploy.test.ts holds every role to access.ts as before.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FUNCTION_ACCESS, FUNCTION_NAMES } from '../../shared/deploy/access';
import { functionRole, roleId } from '../../shared/deploy/iam';
import { polisDatabaseOptions } from '../../shared/deploy/polisDatabase';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:polis-reader-AbCdEf';
const SUBNETS = 'subnet-0123456789abcdef0,subnet-0fedcba9876543210';
const GROUPS = 'sg-0123456789abcdef0';
const READERS = FUNCTION_NAMES.filter((fn) => (FUNCTION_ACCESS as Record<string, { readsPolisDatabase?: boolean }>)[fn].readsPolisDatabase);
const lambdaId = (fn: string) => `${fn.charAt(0).toUpperCase()}${fn.slice(1)}LambdaFunction`;

describe('sls package with a Polis database', () => {
  it('gives the source readers, and only them, the secret, the VPC and their grants', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'delphi-package-pg-'));
    const params = [`polisDatabaseSecretArn=${SECRET_ARN}`, `polisDatabaseSubnetIds=${SUBNETS}`, `polisDatabaseSecurityGroupIds=${GROUPS}`];
    await run(path.join(ROOT, 'node_modules/.bin/sls'), ['package', '--stage', 'test', '--package', out, ...params.map((param) => `--param=${param}`)], {
      cwd: ROOT,
      timeout: 300_000,
      env: { ...process.env, DELPHI_ESBUILD_WORK_FOLDER: '.esbuild/package-pg' },
    });
    const template = JSON.parse(readFileSync(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8'));

    expect(READERS.sort()).toEqual(['embed', 'embedBatch', 'finishEmbedding']);
    const polisDatabase = polisDatabaseOptions({ secretArn: SECRET_ARN, subnetIds: SUBNETS, securityGroupIds: GROUPS });
    for (const fn of FUNCTION_NAMES) {
      const reads = READERS.includes(fn);
      const lambda = template.Resources[lambdaId(fn)];
      const statements = template.Resources[roleId(fn)].Properties.Policies[0].PolicyDocument.Statement as Array<{ Sid: string; Action: string[]; Resource: unknown }>;
      expect(template.Resources[roleId(fn)], fn).toEqual(functionRole(fn, { polisDatabase }));
      const secretGrants = statements.filter((statement) => statement.Action.includes('secretsmanager:GetSecretValue') && statement.Resource === SECRET_ARN);
      expect(secretGrants.length, fn).toBe(reads ? 1 : 0);
      expect(statements.some((statement) => statement.Action.includes('ec2:CreateNetworkInterface')), fn).toBe(reads);
      if (!lambda) continue; // API functions are packaged under their own names
      expect(lambda.Properties.VpcConfig, fn).toEqual(reads ? { SubnetIds: SUBNETS.split(','), SecurityGroupIds: [GROUPS] } : undefined);
      expect(lambda.Properties.Environment.Variables.DELPHI_PG_SECRET_ARN, fn).toBe(reads ? SECRET_ARN : undefined);
    }
    // No password anywhere in the template: only where the secret is.
    expect(JSON.stringify(template)).not.toMatch(/PGPASSWORD/);
  }, 320_000);
});
