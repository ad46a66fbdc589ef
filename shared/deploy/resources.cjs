// serverless v3 reads `${file(./x.cjs):key}` but not TypeScript: register tsx's loader and hand the
// per-function IAM roles (generated from shared/deploy/access.ts) to serverless.yml.
require('tsx/cjs');
const { functionRoles } = require('./iam.ts');

module.exports.functionRoles = () => functionRoles();
// The project folder: `--stage local` resolves relative source folders against it (DELPHI_SOURCE_ROOT).
module.exports.serviceDir = () => require('node:path').resolve(__dirname, '../..');
