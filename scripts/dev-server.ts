/**
 * `npm run dev-server`: a Temporal dev server on localhost:7233 with the Web UI on localhost:8233, persisting to
 * `.data/temporal.db`; the Web UI decodes payloads through the codec server at `WFM_CODEC_ENDPOINT` when that is set.
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../tools/paths';
import { startDevServer } from '../tools/temporal/dev-server';

const dbFile = path.join(PROJECT_ROOT, '.data', 'temporal.db');
const uiCodecEndpoint = process.env.WFM_CODEC_ENDPOINT || undefined;
startDevServer({ port: 7233, uiPort: 8233, dbFile, ...(uiCodecEndpoint && { uiCodecEndpoint }) })
  .then((server) => {
    console.log(`Temporal dev server on ${server.address}, Web UI on ${server.uiUrl}, data in ${dbFile}`);
    if (uiCodecEndpoint) console.log(`The Web UI decodes payloads through the codec server at ${uiCodecEndpoint}.`);
    console.log('Ctrl-C stops it; workflows are kept for the next start.');
    const stop = () => void server.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
