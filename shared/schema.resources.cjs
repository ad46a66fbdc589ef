// serverless v3 reads `${file(./x.cjs):key}` but not TypeScript: register tsx's loader and hand the
// schema module's CloudFormation resources to serverless.yml. shared/schema.ts stays the one source.
require('tsx/cjs');
const { cloudFormationTables } = require('./schema.ts');

module.exports.tables = async ({ resolveVariable }) => {
  const protection = String(await resolveVariable('param:tableProtection'));
  if (protection !== 'true' && protection !== 'false') throw new Error(`param tableProtection must be true or false, got "${protection}"`);
  const kmsKeyArn = String(await resolveVariable('param:tableKmsKeyArn')).trim();
  return cloudFormationTables(await resolveVariable('self:custom.tableSuffix'), { protect: protection === 'true', kmsKeyArn: kmsKeyArn || undefined });
};
