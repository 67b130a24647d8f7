/** Builders shared by the input tests. */
import { expect } from 'vitest';
import type { InputIssue, ReadInputOptions } from '../../../client/input';
import { InputError, parseInput } from '../../../client/input';

export const CSV_HEADER = 'tenantId,scheduleId,id,userId,start,end,activityCodeId,managementUnitId,notes';

export const START = '2024-05-06T09:00:00+02:00';
export const END = '2024-05-06T17:00:00+02:00';

/** A valid input row; override any field. */
export function row(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { tenantId: 'acme', scheduleId: 's-1', id: 'a-1', userId: 'u-1', start: START, end: END, ...overrides };
}

/** A CSV data line for `CSV_HEADER` (values are written as given: quote them yourself). */
export function csvLine(overrides: Record<string, string> = {}): string {
  const values = row(overrides) as Record<string, string | undefined>;
  return CSV_HEADER.split(',')
    .map((field) => values[field] ?? '')
    .join(',');
}

/** The issues `parseInput` throws for `text`; fails the test when it does not throw an InputError. */
export function issuesOf(text: string | Buffer, file: string, opts?: ReadInputOptions): InputIssue[] {
  try {
    parseInput(typeof text === 'string' ? Buffer.from(text) : text, file, opts);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).issues;
  }
  expect.fail(`expected ${file} to be refused`);
}

/** The issues as `line field: message` strings, compact to compare in tests. */
export function brief(issues: readonly InputIssue[]): string[] {
  return issues.map((issue) => `${issue.line}${issue.field === undefined ? '' : ` ${issue.field}`}: ${issue.message}`);
}
