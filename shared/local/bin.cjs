#!/usr/bin/env node
// `delphi` command: runs the TypeScript CLI through tsx's loader.
require('tsx/cjs');
require('./cli.ts')
  .main()
  .catch((error) => {
    console.error(`delphi: ${error.message}`);
    process.exitCode = 1;
  });
