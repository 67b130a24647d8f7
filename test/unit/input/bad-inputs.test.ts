/**
 * The bad-input corpus: every file in test/fixtures/bad-inputs (and every generated one) must be refused
 * with the issue its manifest entry expects, and every file must have an entry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedBadInputs } from '../../fixtures/bad-inputs/generated';
import type { InputIssue } from '../../../client/input';
import { issuesOf } from './helpers';

const CORPUS = join(__dirname, '../../fixtures/bad-inputs');
const NOT_CASES = new Set(['expected.json', 'generated.ts']);

interface ExpectedIssue {
  line: number;
  field?: string;
  messageIncludes: string;
}

const manifest = JSON.parse(readFileSync(join(CORPUS, 'expected.json'), 'utf8')) as {
  knownTenants: string[];
  files: Record<string, ExpectedIssue[]>;
};
const knownTenants = new Set(manifest.knownTenants);
const committed = readdirSync(CORPUS).filter((name) => !NOT_CASES.has(name));
const cases = [...committed, ...Object.keys(generatedBadInputs)].sort();

function contentsOf(name: string): Buffer {
  const generate = generatedBadInputs[name];
  return generate ? generate() : readFileSync(join(CORPUS, name));
}

function matches(issue: InputIssue, expected: ExpectedIssue): boolean {
  return (
    issue.line === expected.line && issue.field === expected.field && issue.message.includes(expected.messageIncludes)
  );
}

describe('bad-input corpus', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it('has an expectation for every case and a case for every expectation', () => {
    expect(Object.keys(manifest.files).sort()).toEqual(cases);
  });

  it.each(cases)('%s is refused as expected', (name) => {
    const expected = manifest.files[name];
    expect(expected?.length, `no expectation for ${name}`).toBeGreaterThan(0);
    const issues = issuesOf(contentsOf(name), join(CORPUS, name), { knownTenants });

    expect(issues.every((issue) => issue.file === join(CORPUS, name))).toBe(true);
    const [first, ...others] = expected ?? [];
    expect(first && issues[0] && matches(issues[0], first), `first issue: ${JSON.stringify(issues[0])}`).toBe(true);
    for (const wanted of others) {
      expect(
        issues.some((issue) => matches(issue, wanted)),
        JSON.stringify(wanted),
      ).toBe(true);
    }
  });
});
