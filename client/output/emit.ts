/**
 * The output convention of every command, in one place so a new command adopts it with two calls:
 * `addOutputOption(command)` for `-o, --output text|json`, then `emit(format, document, renderText)` with a
 * document of client/output/documents.ts. Text is for people and may change; JSON is the stable interface.
 * Errors always go to stderr as text, with the exit code saying what kind.
 */
import { Option, type Command } from 'commander';
import type { CliDocument } from './documents';

export const OUTPUT_FORMATS = ['text', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Adds `-o, --output <format>`; `json` also adds `--json`, kept as an alias for `-o json` where a release had it.
 * `jsonMeaning` says in the help what JSON this command prints.
 */
export function addOutputOption(command: Command, options: { jsonMeaning?: string; jsonAlias?: boolean } = {}) {
  const meaning = options.jsonMeaning ? ` (json: ${options.jsonMeaning})` : '';
  command.addOption(
    new Option('-o, --output <format>', `output format${meaning}; see docs/reference/cli-json.md`)
      .choices(OUTPUT_FORMATS)
      .default('text'),
  );
  if (options.jsonAlias) command.option('--json', 'same as -o json');
  return command;
}

/** The format asked for on `command`'s line. */
export function outputFormat(command: Command): OutputFormat {
  const { output, json } = command.opts<{ output?: OutputFormat; json?: boolean }>();
  return json ? 'json' : (output ?? 'text');
}

/** Writes `document` as one JSON line, or runs `renderText` for people. */
export function emit(format: OutputFormat, document: CliDocument, renderText: () => void): void {
  if (format === 'json') writeDocument(document);
  else renderText();
}

export function writeDocument(document: CliDocument, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`${JSON.stringify(document)}\n`);
}

/** A line for people that must not land in JSON output: stdout in text mode, stderr in JSON mode. */
export function note(format: OutputFormat, line: string): void {
  if (format === 'json') console.error(line);
  else console.log(line);
}
