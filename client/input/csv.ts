/**
 * Reads CSV with a header row naming the row fields. csv-parse does the quoting (embedded commas, quotes,
 * newlines, CRLF); this file maps columns to fields and tracks the physical line each row starts on.
 */
import { CsvError, parse } from 'csv-parse/sync';
import type { InfoRecord } from 'csv-parse/sync';
import { MAX_LINE_BYTES, formatSize } from './decode';
import { REQUIRED_FIELDS, ROW_FIELDS } from './fields';
import type { IssueCollector } from './issues';
import type { RawRecord, ReadResult } from './types';
import { didYouMean, plural, quoteList } from './wording';

export function readCsv(text: string, issues: IssueCollector): ReadResult {
  const reader = new CsvRowReader(issues);
  try {
    parse(text, {
      // Cell counts are checked per row below, so that every bad row is reported, not only the first.
      relax_column_count: true,
      skip_empty_lines: true,
      // An unclosed quote would otherwise swallow the rest of the file into one value.
      max_record_size: MAX_LINE_BYTES,
      on_record: (cells: string[], context: InfoRecord) => {
        reader.accept(cells, context);
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
  /** Known columns, once the header is read; undefined before, or when the header is unusable. */
  private columns: Column[] | undefined;
  private headerCells = 0;
  private headerRead = false;
  // Where the previous record ended, to find where the next one starts (csv-parse reports where records end).
  private previousEndLine = 0;
  private previousEmptyLines = 0;

  constructor(private readonly issues: IssueCollector) {}

  accept(cells: string[], context: InfoRecord): void {
    const line = this.startLine(context.empty_lines);
    this.previousEndLine = context.lines;
    this.previousEmptyLines = context.empty_lines;
    if (this.issues.full) return;

    if (!this.headerRead) {
      this.headerRead = true;
      this.readHeader(cells);
    } else if (this.columns) {
      this.readRow(cells, line);
    }
  }

  /** csv-parse gave up (a syntax error it cannot recover from): report it where it happened and stop. */
  stopAt(error: CsvError): void {
    const startLine = this.startLine(Number(error.empty_lines) || 0);
    const errorLine = Number(error.lines) || startLine;
    const stopped = '; reading stopped here';
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return this.issues.add(startLine, `a quoted value starts in this row and is never closed${stopped}`);
      case 'CSV_MAX_RECORD_SIZE':
        return this.issues.add(
          startLine,
          `row is longer than ${formatSize(MAX_LINE_BYTES)} (an unclosed quote?)${stopped}`,
        );
      case 'CSV_INVALID_CLOSING_QUOTE':
      case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
        return this.issues.add(
          errorLine,
          `text after a closing quote; a quote inside a quoted value must be doubled ("")${stopped}`,
        );
      case 'INVALID_OPENING_QUOTE':
        return this.issues.add(
          errorLine,
          `quote inside an unquoted value; put the whole value in quotes and double the quotes inside it${stopped}`,
        );
      default:
        return this.issues.add(errorLine, `CSV: ${error.message}${stopped}`);
    }
  }

  result(): ReadResult {
    return { records: this.records, missingFields: this.missingFields };
  }

  private startLine(emptyLinesSoFar: number): number {
    return this.previousEndLine + 1 + (emptyLinesSoFar - this.previousEmptyLines);
  }

  private readHeader(cells: string[]): void {
    const names = cells.map((cell) => cell.trim());
    this.headerCells = names.length;
    const only = names.length === 1 ? names[0] : undefined;
    const separator = only === undefined ? undefined : /[;\t|]/.exec(only)?.[0];
    if (separator !== undefined) {
      const shown = separator === '\t' ? 'tabs' : `"${separator}"`;
      return this.issues.add(1, `columns must be separated by commas; this header seems to use ${shown}`);
    }
    if (!names.some((name) => ROW_FIELDS.includes(name))) {
      return this.issues.add(
        1,
        `first line must be a header row naming the columns (${ROW_FIELDS.join(', ')}); got ${quoteList(names, 3)}`,
      );
    }

    const columns: Column[] = [];
    const seen = new Map<string, number>();
    names.forEach((name, index) => {
      const previous = seen.get(name);
      if (name === '') this.issues.add(1, `column ${index + 1} has no name`);
      else if (previous !== undefined)
        this.issues.add(1, `column appears twice (columns ${previous + 1} and ${index + 1})`, name);
      else if (!ROW_FIELDS.includes(name)) this.issues.add(1, `unknown column${didYouMean(name, ROW_FIELDS)}`, name);
      else columns.push({ field: name, index });
      if (name !== '' && previous === undefined) seen.set(name, index);
    });
    for (const field of REQUIRED_FIELDS) {
      if (seen.has(field)) continue;
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
