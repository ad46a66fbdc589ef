// serverless v3 reads `${file(./x.cjs):key}` but not TypeScript: register tsx's loader and hand the
// per-function IAM roles (generated from shared/deploy/access.ts) to serverless.yml.
require('tsx/cjs');
const { functionRoles } = require('./iam.ts');
const { alarmResources } = require('./alarms.ts');
const { polisDatabaseOptions, polisDatabaseVpc } = require('./polisDatabase.ts');

const polisDatabase = async (resolveVariable) =>
  polisDatabaseOptions({
    secretArn: String(await resolveVariable('param:polisDatabaseSecretArn')),
    subnetIds: String(await resolveVariable('param:polisDatabaseSubnetIds')),
    securityGroupIds: String(await resolveVariable('param:polisDatabaseSecurityGroupIds')),
  });
// The Bedrock models the roles may invoke come from the deployer's environment, parsed by shared/config.ts (iam.ts).
module.exports.functionRoles = async ({ resolveVariable }) =>
  functionRoles({
    tableKmsKeyArn: String(await resolveVariable('param:tableKmsKeyArn')).trim() || undefined,
    polisDatabase: await polisDatabase(resolveVariable),
  });
// The VPC of the functions that read postgres:// sources; {} (none) unless the params give one.
module.exports.polisDatabaseVpc = async ({ resolveVariable }) => polisDatabaseVpc(await polisDatabase(resolveVariable));
// Errors and throttles of every function, 5xx of the API (shared/deploy/alarms.ts); serverless names the REST API <stage>-<service>.
module.exports.alarms = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  return alarmResources(`${stage}-${await resolveVariable('self:service')}`, stage);
};
// The project folder: `--stage local` resolves relative source folders against it (DELPHI_SOURCE_ROOT).
module.exports.serviceDir = () => require('node:path').resolve(__dirname, '../..');
