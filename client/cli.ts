/**
 * `wfm-bulk`: start, watch and steer bulk jobs. Exit codes: 0 all applied (or done as asked), 1 some failed,
 * 2 bad input or usage (nothing started), 3 Temporal not reachable, 4 unexpected error.
 */
import { Command, CommanderError } from 'commander';
import { addInspectCommands } from './commands/inspect';
import { addReportCommands } from './commands/report';
import { addStartCommand } from './commands/start';
import { addSteerCommands } from './commands/steer';
import { CodecError } from '../codec/codec-error';
import { CliError, EXIT } from './errors';

export function buildProgram(): Command {
  const program = new Command('wfm-bulk')
    .description(
      'Bulk WFM schedule assignments to many tenants, on Temporal.\n' +
        'Temporal connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE.\n' +
        'Claim-check store shared with the worker: WFM_STORE_DIR.',
    )
    .option(
      '--profile <name>',
      'Temporal connection profile from temporal.toml (default: $TEMPORAL_PROFILE or "default")',
    )
    .showHelpAfterError('(wfm-bulk --help lists the commands; wfm-bulk <command> --help their options)')
    .exitOverride();
  addStartCommand(program);
  addInspectCommands(program);
  addSteerCommands(program);
  addReportCommands(program);
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
