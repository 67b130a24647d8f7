/** A partial run's start-up rows replace their own rows of latest.json and leave every other row alone. */
import { describe, expect, it } from 'vitest';
import { mergeRows } from '../../../tools/bench/merge-latest';
import { blankMeasurement, toResultRow } from '../../../tools/bench/results';

const row = (scenario: string, system: Parameters<typeof blankMeasurement>[1], makespanMs: number) =>
  toResultRow({ ...blankMeasurement(scenario, system, 0), makespanMs });

describe('merging start-up rows into latest.json', () => {
  it('replaces rows of the same scenario and system in place and appends new ones', () => {
    const existing = [row('a', 'wfm-bulk', 1), row('startup', 'worker compiled (node)', 900), row('b', 'forum', 2)];
    const fresh = [row('startup', 'worker compiled (node)', 800), row('startup', 'worker sources (tsx)', 2500)];
    expect(mergeRows(existing, fresh)).toEqual([
      row('a', 'wfm-bulk', 1),
      row('startup', 'worker compiled (node)', 800),
      row('b', 'forum', 2),
      row('startup', 'worker sources (tsx)', 2500),
    ]);
  });
});
