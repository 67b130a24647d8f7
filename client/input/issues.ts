/**
 * Problems found in an input file, and the error that carries all of them to the user at once.
 */

/** One problem in an input file. `line` is 1-based; 0 means the file as a whole. */
export interface InputIssue {
  file: string;
  line: number;
  /** The row field (or CSV column) concerned, when there is one. */
  field?: string;
  message: string;
}

/** Lines of `InputError.message` before the rest is summarised; `issues` always keeps them all. */
export const MESSAGE_ISSUE_LINES = 50;

/** Issues collected per file before giving up, so a garbage file cannot exhaust memory. */
export const MAX_ISSUES = 1000;

/** One issue as `file:line: field: message`; the line is left out for issues about the whole file. */
export function formatIssue(issue: InputIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}` : issue.file;
  return issue.field === undefined ? `${where}: ${issue.message}` : `${where}: ${issue.field}: ${issue.message}`;
}

/** One issue per line, at most `maxLines` of them followed by "…and N more". */
export function formatIssues(issues: readonly InputIssue[], maxLines = MESSAGE_ISSUE_LINES): string {
  const shown = issues.slice(0, maxLines).map(formatIssue);
  if (issues.length > maxLines) shown.push(`…and ${issues.length - maxLines} more`);
  return shown.join('\n');
}

/** Thrown when an input file has problems: every problem found, never a partial result. */
export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(readonly issues: InputIssue[]) {
    super(formatIssues(issues));
  }
}

/**
 * Gathers the issues of one file. Stops accepting more at `limit`, adding a note that it stopped, so readers
 * can check `full` and end early instead of walking the rest of a broken file.
 */
export class IssueCollector {
  private readonly collected: InputIssue[] = [];

  constructor(
    readonly file: string,
    private readonly limit = MAX_ISSUES,
  ) {}

  add(line: number, message: string, field?: string): void {
    if (this.full) return;
    this.collected.push(
      field === undefined ? { file: this.file, line, message } : { file: this.file, line, field, message },
    );
  }

  get full(): boolean {
    return this.collected.length >= this.limit;
  }

  get count(): number {
    return this.collected.length;
  }

  /** Issues in file order (whole-file issues first), plus the note when collection stopped early. */
  list(): InputIssue[] {
    // Array.prototype.sort is stable, so issues of one line keep the order they were found in.
    const sorted = [...this.collected].sort((a, b) => a.line - b.line);
    // Readers stop at the limit, so whether more would have come is unknown: say where it stopped.
    if (this.full) sorted.push({ file: this.file, line: 0, message: `…stopped after ${this.limit} issues` });
    return sorted;
  }
}
