#!/usr/bin/env node
// The worker process: compiled from dist/ after `npm run build`, else the TypeScript sources through tsx (see
// entry.js). Same as `npm start` (compiled) or `npm run worker` (sources).
require('./entry').load('worker/main');
