#!/usr/bin/env node
// The client: compiled from dist/ after `npm run build`, else the TypeScript sources through tsx (see entry.js).
require('./entry')
  .load('client/cli')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
