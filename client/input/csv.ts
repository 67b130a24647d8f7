/**
 * Reads CSV with a header row naming the row fields. csv-parse does the quoting (embedded commas, quotes,
 * newlines, CRLF); this file maps columns to fields and tracks the physical line each row starts on.
 */
import { CsvError, parse } from 'csv-parse/sync';
import type { InfoRecord } from 'csv-parse/sync';
import { MAX_LINE_BYTES } from './decode';
import { REQUIRED_FIELDS, ROW_FIELDS } from './fields';
import type { IssueCollector } from './issues';
import type { InputText, RawRecord, ReadResult } from './types';
import { didYouMean, plural, quoteList } from './wording';

/** The header names the columns; every other record is a row, numbered by the line it starts on. */
export function readCsv({ bytes }: InputText, issues: IssueCollector): ReadResult {
  const reader = new CsvRowReader(bytes, issues);
  try {
    // The bytes, not the decoded text: csv-parse reports where each record ends as a byte offset.
    parse(bytes, {
      bom: true,
      // Cell counts are checked per row below, so that every bad row is reported, not only the first.
      relax_column_count: true,
      skip_empty_lines: true,
      // An unclosed quote would otherwise swallow the rest of the file into one value.
      max_record_size: MAX_LINE_BYTES,
      on_record: (cells: string[], context: InfoRecord) => {
        reader.accept(cells, context.bytes);
        return null; // rows are kept by the reader; csv-parse need not build its own array
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    reader.stopAt(error);
  }
  return reader.result();
}

interface Column {
  field: string;
  index: number;
}

class CsvRowReader {
  private readonly records: RawRecord[] = [];
  private readonly missingFields = new Set<string>();
  private readonly lines: LineCounter;
  /** Known columns, once the header is read; undefined before, or when the header is unusable. */
  private columns: Column[] | undefined;
  private headerCells = 0;
  private headerRead = false;
  /** Byte offset where the previous record ended: the next one starts after it, past any blank lines. */
  private previousEnd = 0;

  constructor(
    bytes: Buffer,
    private readonly issues: IssueCollector,
  ) {
    this.lines = new LineCounter(bytes);
  }

  accept(cells: string[], endOffset: number): void {
    const line = this.lines.recordStartLine(this.previousEnd);
    this.previousEnd = endOffset;
    if (this.issues.full) return;

    if (!this.headerRead) {
      this.headerRead = true;
      this.readHeader(cells);
    } else if (this.columns) {
      this.readRow(cells, line);
    }
  }

  /**
   * csv-parse gave up (a syntax error it cannot recover from): report it on the line the record starts on
   * (csv-parse's own line count drifts after quoted CRLFs) and stop.
   */
  stopAt(error: CsvError): void {
    const line = this.lines.recordStartLine(this.previousEnd);
    this.issues.add(line, `${describeCsvError(error)}; reading stopped here`);
  }

  result(): ReadResult {
    return { records: this.records, missingFields: this.missingFields };
  }

  private readHeader(cells: string[]): void {
    const names = cells.map((cell) => cell.trim());
    this.headerCells = names.length;
    const unusable = unusableHeader(names);
    if (unusable !== undefined) return this.issues.add(1, unusable);

    const columns: Column[] = [];
    const firstIndex = new Map<string, number>();
    names.forEach((name, index) => {
      const problem = columnProblem(name, index, firstIndex.get(name));
      if (problem !== undefined) this.issues.add(1, problem, name === '' ? undefined : name);
      else columns.push({ field: name, index });
      if (name !== '' && !firstIndex.has(name)) firstIndex.set(name, index);
    });
    for (const field of REQUIRED_FIELDS) {
      if (firstIndex.has(field)) continue;
      this.issues.add(1, 'missing required column', field);
      this.missingFields.add(field);
    }
    this.columns = columns;
  }

  private readRow(cells: string[], line: number): void {
    // Spreadsheets export rows of empty cells below the data: they hold no assignment, so skip them.
    if (cells.every((cell) => cell.trim() === '')) return;
    if (cells.length !== this.headerCells) {
      const hint = cells.length > this.headerCells ? ' (a value containing a comma must be in double quotes)' : '';
      return this.issues.add(line, `has ${plural(cells.length, 'cell')}, the header has ${this.headerCells}${hint}`);
    }
    const value: Record<string, string> = {};
    for (const { field, index } of this.columns ?? []) {
      const cell = cells[index] ?? '';
      // An empty optional cell means "not given"; an empty required one stays, so the schema names it.
      if (cell.trim() === '' && !REQUIRED_FIELDS.has(field)) continue;
      value[field] = cell;
    }
    this.records.push({ line, value });
  }
}

/** Why the header cannot be used at all (so no column can be trusted), if so. */
function unusableHeader(names: readonly string[]): string | undefined {
  const separator = names.length === 1 ? /[;\t|]/.exec(names[0] ?? '')?.[0] : undefined;
  if (separator !== undefined) {
    const shown = separator === '\t' ? 'tabs' : `"${separator}"`;
    return `columns must be separated by commas; this header seems to use ${shown}`;
  }
  if (!names.some((name) => ROW_FIELDS.includes(name))) {
    return `first line must be a header row naming the columns (${ROW_FIELDS.join(', ')}); got ${quoteList(names, 3)}`;
  }
  return undefined;
}

/** What is wrong with one column name, if anything. */
function columnProblem(name: string, index: number, firstIndex: number | undefined): string | undefined {
  if (name === '') return `column ${index + 1} has no name`;
  if (firstIndex !== undefined) return `column appears twice (columns ${firstIndex + 1} and ${index + 1})`;
  if (!ROW_FIELDS.includes(name)) return `unknown column${didYouMean(name, ROW_FIELDS)}`;
  return undefined;
}

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted value starts in this row and is never closed';
    case 'CSV_MAX_RECORD_SIZE':
      return 'row is longer than 1 MiB (an unclosed quote?)';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'text after a closing quote; a quote inside a quoted value must be doubled ("")';
    case 'INVALID_OPENING_QUOTE':
      return 'quote inside an unquoted value; put the whole value in quotes and double the quotes inside it';
    default:
      return `CSV: ${error.message}`;
  }
}

const LF = 0x0a;
const CR = 0x0d;

/** Line numbers of byte offsets that only grow, as records come in file order: linear over the whole file. */
class LineCounter {
  private offset = 0;
  private line = 1;

  constructor(private readonly bytes: Buffer) {}

  /** Line of the first byte at or after `from` that is not a line end: where a record after blank lines starts. */
  recordStartLine(from: number): number {
    let start = from;
    while (this.bytes[start] === LF || this.bytes[start] === CR) start++;
    return this.lineAt(start);
  }

  private lineAt(offset: number): number {
    for (let at = this.bytes.indexOf(LF, this.offset); at >= 0 && at < offset; at = this.bytes.indexOf(LF, at + 1)) {
      this.line++;
    }
    this.offset = offset;
    return this.line;
  }
}
