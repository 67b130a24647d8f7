/**
 * Turns zod's issues for one row into messages a person fixing a spreadsheet understands.
 */
import type { z } from 'zod';
import { ROW_FIELDS } from './fields';
import { describeKind, didYouMean, quote } from './wording';

const DATE_TIME_EXAMPLE = '2024-05-06T09:00:00+02:00';

export interface FieldProblem {
  field?: string;
  message: string;
}

/**
 * @param input the row as read, to quote bad values and tell a missing field from a wrong one
 * @param skipFields fields already reported for the whole file (a missing CSV column)
 */
export function describeZodIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  skipFields: ReadonlySet<string> = new Set(),
): FieldProblem[] {
  // When start or end is itself wrong, "end must be after start" says nothing more.
  const datesWrong = issues.some(
    (issue) => issue.code !== 'custom' && ['start', 'end'].includes(String(issue.path[0])),
  );
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({
          field: fieldName([...issue.path, key]),
          message: `unknown field${didYouMean(key, ROW_FIELDS)}`,
        });
      }
      continue;
    }
    const field = fieldName(issue.path);
    if (field !== undefined && skipFields.has(field)) continue;
    if (issue.code === 'custom' && field === 'end' && datesWrong) continue;
    const message = wordIssue(issue, input);
    problems.push(field === undefined ? { message } : { field, message });
  }
  return problems;
}

function wordIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const value = valueAt(input, issue.path);
  if (issue.path.length === 0 && issue.code === 'invalid_type') {
    return `expected an assignment object, got ${describeKind(input)}`;
  }
  if (issue.code === 'invalid_type') {
    // Worded here rather than taken from zod: a schema's custom message (the date-time one) replaces zod's.
    return value === undefined ? 'is required' : `expected ${issue.expected}, received ${typeName(value)}`;
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'invalid_format' && typeof value === 'string') {
    const example = issue.format === 'datetime' ? ` such as ${DATE_TIME_EXAMPLE}` : '';
    return `${message}${example}, got ${quote(value)}`;
  }
  if (issue.code === 'custom' && issue.path[0] === 'end') {
    // The span checks: both values are valid date-times here (see datesWrong), so safe to show as they are.
    return `${message} (start ${shown(input, 'start')}, end ${shown(input, 'end')})`;
  }
  return message;
}

function fieldName(path: readonly PropertyKey[]): string | undefined {
  return path.length === 0 ? undefined : path.map(String).join('.');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function shown(input: unknown, field: string): string {
  const value = valueAt(input, [field]);
  return typeof value === 'string' ? value : String(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
