/**
 * Reading and validating an input file (CSV, JSON array or NDJSON) before a job starts: every problem is
 * found and reported with file, line and field, and a file with any problem yields no rows at all.
 */
import { readFile, stat } from 'node:fs/promises';
import type { InputFormat } from '../../contracts/job';
import type { TenantSettings } from '../../contracts/tenants';
import { readCsv } from './csv';
import { DEFAULT_MAX_BYTES, decodeInput, sizeProblem } from './decode';
import { detectFormat } from './format';
import { InputError, IssueCollector } from './issues';
import { readJsonArray } from './json';
import { readNdjson } from './ndjson';
import type { InputText, ParsedInput, ParsedRow, ReadInputOptions, ReadResult } from './types';
import { validateRecords } from './validate';

export type { InputIssue } from './issues';
export { InputError, formatIssue, formatIssues } from './issues';
export type { ParsedInput, ParsedRow, ReadInputOptions } from './types';
export { DEFAULT_MAX_BYTES } from './decode';

const READERS: Record<InputFormat, (input: InputText, issues: IssueCollector) => ReadResult> = {
  csv: readCsv,
  json: readJsonArray,
  ndjson: readNdjson,
};

/** What the tenants file lets the input be checked against: which tenants exist, and each one's writer. */
export function tenantChecks(
  tenants: ReadonlyMap<string, TenantSettings>,
): Pick<ReadInputOptions, 'knownTenants' | 'writers'> {
  return {
    knownTenants: new Set(tenants.keys()),
    writers: new Map([...tenants].map(([id, settings]) => [id, settings.writer])),
  };
}

/**
 * Reads and validates an input file.
 * @throws InputError with every problem found (including a file that cannot be read)
 */
export async function readInputFile(filePath: string, opts: ReadInputOptions = {}): Promise<ParsedInput> {
  const fileProblem = (message: string) => new InputError([{ file: filePath, line: 0, message }]);
  let bytes: Buffer;
  try {
    const info = await stat(filePath);
    if (!info.isFile()) throw fileProblem('is not a file');
    // Checked before reading, so an enormous file is refused without loading it.
    const tooBig = sizeProblem(info.size, opts.maxBytes ?? DEFAULT_MAX_BYTES);
    if (tooBig !== undefined) throw fileProblem(tooBig);
    bytes = await readFile(filePath);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw fileProblem(`cannot read the file: ${describeFsError(error)}`);
  }
  return parseInput(bytes, filePath, opts);
}

/**
 * Parses and validates file contents; `file` names the file in issues and picks the format by extension.
 * @throws InputError with every problem found
 */
export function parseInput(bytes: Buffer, file: string, opts: ReadInputOptions = {}): ParsedInput {
  const issues = new IssueCollector(file);
  const parsed = parseText(bytes, file, opts, issues);
  if (!parsed || issues.count > 0) throw new InputError(issues.list());
  return { file, format: parsed.format, rows: parsed.rows, bytes };
}

function parseText(
  bytes: Buffer,
  file: string,
  opts: ReadInputOptions,
  issues: IssueCollector,
): { format: InputFormat; rows: ParsedRow[] } | undefined {
  const text = decodeInput(bytes, issues, opts.maxBytes);
  if (text === undefined) return undefined;
  if (!/\S/.test(text)) {
    issues.add(0, 'no assignments in file (it is empty)');
    return undefined;
  }
  const format = detectFormat(file, text, opts.format);
  const read = READERS[format]({ text, bytes }, issues);
  // After other problems, an empty result is their consequence, not news.
  if (read.records.length === 0 && issues.count === 0) issues.add(0, 'no assignments in file');
  const rows = validateRecords(read.records, issues, {
    knownTenants: opts.knownTenants,
    writers: opts.writers,
    missingFields: read.missingFields,
  });
  return { format, rows };
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
