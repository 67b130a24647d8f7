import type { InputRow } from '../../contracts/assignment';
import type { InputFormat } from '../../contracts/job';
import type { Writer } from '../../contracts/writers';

/** Options of `readInputFile` and `parseInput`. */
export interface ReadInputOptions {
  /** Overrides the format implied by the file name (and the guess from the content). */
  format?: InputFormat;
  /** Tenants of the tenants file; rows of any other tenant are refused. Not checked when absent. */
  knownTenants?: ReadonlySet<string>;
  /** Each tenant's writer, when the tenants file is known: rows are checked for what their writer needs. */
  writers?: ReadonlyMap<string, Writer>;
  /** Largest file accepted, in bytes; default 512 MiB. */
  maxBytes?: number;
}

/** One valid row and the line of the file it starts on (1-based). */
export interface ParsedRow {
  line: number;
  row: InputRow;
}

/** A whole input file, every row valid. */
export interface ParsedInput {
  file: string;
  format: InputFormat;
  rows: ParsedRow[];
  /** The exact file contents, to be stored as the job's input. */
  bytes: Buffer;
}

/** What a format reader reads: the decoded text, and the bytes it came from (a UTF-8 BOM is in those). */
export interface InputText {
  text: string;
  bytes: Buffer;
}

/** A row as a format reader found it, before validation. */
export interface RawRecord {
  line: number;
  value: unknown;
}

/** What a format reader hands to validation. */
export interface ReadResult {
  records: RawRecord[];
  /** Required fields already reported as a missing CSV column, so rows don't each report them again. */
  missingFields?: ReadonlySet<string>;
}
