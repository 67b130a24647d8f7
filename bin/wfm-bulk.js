#!/usr/bin/env node
// Runs the TypeScript client directly (no build step) through tsx's CommonJS loader.
require('tsx/cjs/api').register();
require('../client/cli.ts')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
