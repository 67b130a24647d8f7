/** Reads NDJSON (JSON Lines): one row object per non-blank line. */
import type { IssueCollector } from './issues';
import { scanJson } from './json-scan';
import type { InputText, RawRecord, ReadResult } from './types';
import { describeKind } from './wording';

const ARRAY_HINT = ' (a JSON array? name the file .json)';

/** Each non-blank line is a row; a bad line is reported and the next one read. */
export function readNdjson({ text }: InputText, issues: IssueCollector): ReadResult {
  const records: RawRecord[] = [];
  let firstContentLine = true;
  let line = 0;
  for (let start = 0; start <= text.length && !issues.full;) {
    line++;
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const content = text.slice(start, end);
    start = end + 1;
    if (!/\S/.test(content)) continue;

    const scan = scanJson(content, 0);
    const startsArray = firstContentLine && content.trimStart().startsWith('[');
    firstContentLine = false;
    if (scan.error && startsArray) {
      // A pretty-printed JSON array: every line of it would be "invalid JSON", so say it once.
      issues.add(line, 'expected one JSON object per line, but the file starts a JSON array: name it .json');
      break;
    }
    if (scan.error) {
      issues.add(line, `invalid JSON at column ${scan.error.offset + 1}: ${scan.error.message}`);
      continue;
    }
    const value: unknown = JSON.parse(content);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.add(line, `expected a JSON object, got ${describeKind(value)}${startsArray ? ARRAY_HINT : ''}`);
      continue;
    }
    for (const key of scan.records[0]?.duplicateKeys ?? []) issues.add(line, 'key appears twice in the object', key);
    records.push({ line, value });
  }
  return { records };
}
