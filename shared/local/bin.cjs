#!/usr/bin/env node
// `delphi` command: registers tsx's loaders — ESM as well as CommonJS, because the CLI loads its
// commands with import() — then runs the TypeScript CLI.
import('tsx')
  .then(() => {
    const cli = require('./cli.ts');
    return cli.main().catch(cli.reportError);
  })
  .catch((error) => {
    console.error(`delphi: ${error.message}`);
    process.exitCode = 1;
  });
