import { describe, expect, it } from 'vitest';
import { InputError, formatIssue, formatIssues } from '../../../client/input';
import { IssueCollector } from '../../../client/input/issues';

describe('issue formatting', () => {
  it('reads file:line: field: message, leaving out what is not there', () => {
    expect(formatIssue({ file: 'in.csv', line: 3, field: 'end', message: 'must be after start' })).toBe(
      'in.csv:3: end: must be after start',
    );
    expect(formatIssue({ file: 'in.csv', line: 3, message: 'has 2 cells' })).toBe('in.csv:3: has 2 cells');
    expect(formatIssue({ file: 'in.csv', line: 0, message: 'no assignments in file' })).toBe(
      'in.csv: no assignments in file',
    );
  });

  it('caps the listing and says how many more there are', () => {
    const issues = Array.from({ length: 53 }, (_, i) => ({ file: 'f', line: i + 1, message: 'bad' }));
    const lines = formatIssues(issues).split('\n');
    expect(lines).toHaveLength(51);
    expect(lines[49]).toBe('f:50: bad');
    expect(lines[50]).toBe('…and 3 more');
    expect(formatIssues(issues, Infinity).split('\n')).toHaveLength(53);
  });

  it('InputError keeps every issue while its message is capped', () => {
    const issues = Array.from({ length: 60 }, (_, i) => ({ file: 'f', line: i + 1, message: 'bad' }));
    const error = new InputError(issues);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InputError');
    expect(error.issues).toHaveLength(60);
    expect(error.message.split('\n')).toHaveLength(51);
    expect(error.message).toMatch(/^f:1: bad\n/);
  });
});

describe('IssueCollector', () => {
  it('lists issues by line, whole-file ones first, keeping the order within a line', () => {
    const issues = new IssueCollector('f');
    issues.add(5, 'b', 'x');
    issues.add(2, 'a');
    issues.add(5, 'c');
    issues.add(0, 'whole');
    expect(issues.list().map((issue) => `${issue.line}${issue.message}`)).toEqual(['0whole', '2a', '5b', '5c']);
  });

  it('stops at its limit and says so', () => {
    const issues = new IssueCollector('f', 3);
    for (let line = 1; line <= 5; line++) issues.add(line, 'bad');
    expect(issues.full).toBe(true);
    expect(issues.count).toBe(3);
    expect(issues.list().map((issue) => issue.message)).toEqual(['bad', 'bad', 'bad', '…stopped after 3 issues']);
  });
});
