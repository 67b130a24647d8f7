/** Reads a JSON file: one top-level array of row objects. */
import type { IssueCollector } from './issues';
import { LineIndex, scanJson } from './json-scan';
import type { InputText, ReadResult } from './types';
import { describeKind, quote } from './wording';

/** Each element of the array is a row, numbered by the line its value starts on. */
export function readJsonArray({ text }: InputText, issues: IssueCollector): ReadResult {
  const lines = new LineIndex(text);
  const scan = scanJson(text, 1);
  if (scan.error) {
    const { line, column } = lines.position(scan.error.offset);
    issues.add(line, `invalid JSON at column ${column}: ${scan.error.message}${ndjsonHint(text, line)}`);
    return { records: [] };
  }

  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) {
    const { line } = lines.position(text.search(/\S/));
    issues.add(line, `expected a JSON array of assignments, got ${describeKind(value)}${wrappedArrayHint(value)}`);
    return { records: [] };
  }

  const records = value.map((element: unknown, index) => {
    const scanned = scan.records[index];
    const line = scanned ? lines.position(scanned.offset).line : 0;
    for (const key of scanned?.duplicateKeys ?? []) issues.add(line, 'key appears twice in the object', key);
    return { line, value: element };
  });
  return { records };
}

/** Several objects one after the other is NDJSON saved under a .json name. */
function ndjsonHint(text: string, line: number): string {
  return line > 1 && text.trimStart().startsWith('{')
    ? ' (one object per line is NDJSON: name the file .ndjson or .jsonl)'
    : '';
}

/** `{ "assignments": [...] }`: point at the array the user meant. */
function wrappedArrayHint(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const arrays = Object.entries(value).filter(([, member]) => Array.isArray(member));
  const only = arrays.length === 1 ? arrays[0] : undefined;
  return only ? ` (put the array under ${quote(only[0])} at the top level of the file)` : '';
}
