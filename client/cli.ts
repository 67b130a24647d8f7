/**
 * `wfm-bulk`: plan, start, watch and steer bulk jobs. Exit codes: 0 all applied (or done as asked), 1 some failed,
 * 2 bad input or usage (nothing started), 3 Temporal not reachable, 4 unexpected error, 5 (`status`) still
 * running, 130 watching stopped with Ctrl-C. `-o json` on every command: docs/reference/cli-json.md.
 */
import { Command, CommanderError } from 'commander';
import { addConnectionOptions } from './commands/connection';
import { addGcCommand } from './commands/gc';
import { addInspectCommands } from './commands/inspect';
import { addPlanCommand } from './commands/plan';
import { addReportCommands } from './commands/report';
import { addStartCommand } from './commands/start';
import { addSteerCommands } from './commands/steer';
import { addTenantsCommand } from './commands/tenants';
import { CodecError } from '../codec/codec-error';
import { packageVersion } from '../config/version';
import { CliError, EXIT } from './errors';

/** The end of `wfm-bulk --help`: output formats and exit codes (also in docs/reference/cli.md). */
export const HELP_FOOTER = `
Output: -o text (default) or -o json on every command: JSON Lines, one document a line (docs/reference/cli-json.md).
Exit codes: 0 ok (everything applied, or done as asked), 1 the job closed with failures (or failed, or was
cancelled; plan: some rows would not land), 2 bad input, configuration or usage (nothing started), 3 Temporal not
reachable, 4 unexpected error, 5 status: the job is still running, 130 watching stopped with Ctrl-C (the job goes on).`;

export function buildProgram(): Command {
  const program = new Command('wfm-bulk')
    .description(
      'Bulk WFM schedule assignments to many tenants, on Temporal.\n\n' +
        'Temporal connection: the options below, over TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, ' +
        'TEMPORAL_TLS_*, TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE, over the profile. ' +
        'Claim-check store shared with the workers: WFM_STORE_URL (s3://bucket/prefix) or WFM_STORE_DIR.',
    )
    .version(packageVersion(), '-v, --version', 'print the version of wfm-bulk')
    .showHelpAfterError('(wfm-bulk --help lists the commands; wfm-bulk <command> --help their options)')
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', HELP_FOOTER)
    .exitOverride();
  addConnectionOptions(program);
  addStartCommand(program);
  addPlanCommand(program);
  addInspectCommands(program);
  addSteerCommands(program);
  addReportCommands(program);
  addTenantsCommand(program);
  addGcCommand(program);
  for (const command of program.commands)
    command.exitOverride().showHelpAfterError(`(wfm-bulk ${command.name()} --help for its options)`);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with code 0; usage mistakes get 2.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      console.error(`wfm-bulk: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof CodecError) {
      // A payload or stored input this client cannot decrypt: a configuration matter, not a crash.
      console.error(`wfm-bulk: ${error.message}`);
      return EXIT.usage;
    }
    console.error(`wfm-bulk: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.unexpected;
  }
}

if (require.main === module) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
