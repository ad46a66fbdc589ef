// serverless v3 reads `${file(./x.cjs):key}` but not TypeScript: register tsx's loader and hand the
// schema module's CloudFormation resources to serverless.yml. shared/schema.ts stays the one source.
require('tsx/cjs');
const { cloudFormationTables } = require('./schema.ts');

module.exports.tables = async ({ resolveVariable }) => cloudFormationTables(await resolveVariable('self:custom.tableSuffix'));
