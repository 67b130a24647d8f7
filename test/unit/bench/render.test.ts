import { describe, expect, it } from 'vitest';
import { performanceDoc, type RunInfo } from '../../../tools/bench/render/performance-doc';
import { replaceBetweenMarkers } from '../../../tools/bench/render/readme';
import { axisMax, renderChart } from '../../../tools/bench/render/svg';
import { costTable, failureNotes, resultsTable, tenantTimesTable } from '../../../tools/bench/render/tables';
import { tenantTimes, toResultRow, type Measurement } from '../../../tools/bench/results';
import { scenarios } from '../../../tools/bench/scenarios';
import { checkTargets } from '../../../tools/bench/targets';

function row(overrides: Partial<Measurement>): Measurement {
  return {
    scenario: 'a',
    system: 'wfm-bulk',
    makespanMs: 60_000,
    idealMs: 56_250,
    ratio: 1.067,
    requests: 5_020,
    share429: 0.004,
    violations: 0,
    lost: 0,
    peakConcurrency: 5,
    activitiesPerSec: 83.3,
    peakRssMb: 180,
    putSpanMs: 59_000,
    ...overrides,
  };
}

const run: RunInfo = {
  date: '2026-01-02T03:04:05Z',
  command: 'npm run bench',
  durationMs: 600_000,
  machine: { cores: 2, cpuModel: 'cpu', memoryGb: 24, node: 'v20.20.2', os: 'Linux' },
};

describe('bench rendering', () => {
  it('writes exactly the result keys to latest.json', () => {
    expect(Object.keys(toResultRow(row({})))).toEqual([
      'scenario',
      'system',
      'makespanMs',
      'idealMs',
      'ratio',
      'requests',
      'share429',
      'violations',
      'lost',
      'peakConcurrency',
      'activitiesPerSec',
      'peakRssMb',
    ]);
  });

  it('renders a table row per measurement with readable figures', () => {
    const table = resultsTable(
      [row({}), row({ system: 'forum', ratio: null, activitiesPerSec: null })],
      scenarios(false),
    );
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe(
      '| (a) user report | wfm-bulk | 60.0 | 56.3 | 1.07× | 5,020 | 0.4 % | 0 | 0 | 5 | 83.3 | 180 | 59.0 |',
    );
    expect(lines[3]).toContain('| forum | 60.0 | 56.3 | – |');
  });

  it('shows a timed-out run as a lower bound, with its failure noted', () => {
    const timedOut = row({
      scenario: 'c',
      makespanMs: null,
      ratio: null,
      lost: null,
      idealMs: 20_000,
      timedOutAfterMs: 50_000,
      error: 'timed out after 50 s, 40000 of 50000 assignments applied',
    });
    const [line] = resultsTable([timedOut], scenarios(false)).split('\n').slice(2);
    expect(line).toContain('| (c) 100 tenants | wfm-bulk | > 50.0 | 20.0 | > 2.50× |');
    expect(failureNotes([timedOut])).toBe('- (c) wfm-bulk: timed out after 50 s, 40000 of 50000 assignments applied');
    const lost = checkTargets([timedOut]).find((check) => check.target === 'lost assignments 0');
    expect(lost).toEqual({ target: 'lost assignments 0', figure: 'timed out after 50 s (c)', verdict: 'missed' });
  });

  it('checks the targets on the worst figure', () => {
    const checks = checkTargets([
      row({}),
      row({ scenario: 'c', ratio: 1.3, peakRssMb: 560, makespanMs: 26_000 }),
      row({ scenario: 'c', system: 'temporal-ceiling', ratio: null, peakRssMb: 500, makespanMs: 24_000 }),
      row({ scenario: 'e', ratio: null, activitiesPerSec: 280 }),
      row({ scenario: 'e', system: 'temporal-ceiling', ratio: null, activitiesPerSec: 400 }),
      row({ system: 'forum', lost: 900 }),
    ]);
    const verdicts = Object.fromEntries(checks.map((c) => [c.target, `${c.verdict}: ${c.figure}`]));
    expect(verdicts).toMatchObject({
      'makespan ≤ 1.15 × ideal, limits learned from 429s alone': 'missed: worst 1.30× (c)',
      'makespan ≤ 1.05 × ideal, limit configured': 'not measured: –',
      'lost assignments 0': 'met: worst 0 (a)',
      '≥ 300 PUT activities/s in (e)': 'missed: 280/s',
      "makespan in (c) ≥ 0.8 × temporal-ceiling's": 'met: 0.92 (c) (26.0 s against 24.0 s)',
      "PUT activities/s in (e) ≥ 0.8 × temporal-ceiling's": 'missed: 0.70 (e) (280/s of 400/s)',
      "worker peak RSS in (c) ≤ 1.25 × temporal-ceiling's": 'met: 1.12 (c) (560 MB against 500 MB)',
    });
  });

  it("shows each write's cost for the product and the ceiling, not for baselines that ask nothing of Temporal", () => {
    const cost = (requests: number) => ({
      cpuMs: 10,
      requests,
      persistence: 16,
      byOperation: {},
      persistenceByOperation: {},
    });
    const table = costTable(
      [
        row({
          scenario: 'c',
          serverPerWrite: { ...cost(5.3), byOperation: { RecordActivityTaskHeartbeat: 1.05 } },
          workerCpuMsPerWrite: 11.2,
        }),
        row({ scenario: 'c', system: 'temporal-ceiling', serverPerWrite: cost(4) }),
        row({ scenario: 'c', system: 'forum', serverPerWrite: cost(0) }),
        row({ scenario: 'a', serverPerWrite: cost(5) }),
      ],
      scenarios(false),
    ).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toBe('| (c) 100 tenants | wfm-bulk | 10.00 | 11.20 | 5.30 | 1.05 | 0.00 | 16.00 |');
    expect(table[3]).toContain('| temporal-ceiling | 10.00 | – |');
  });

  it("splits a makespan into the tenants' starts and one tenant's writing, leaving out tenants that never wrote", () => {
    const times = tenantTimes(1_000, [
      { firstWriteAt: 3_000, lastWriteAt: 23_000 },
      { firstWriteAt: 2_000, lastWriteAt: 24_000 },
      { firstWriteAt: 12_000, lastWriteAt: 33_000 },
      { firstWriteAt: 5_000, lastWriteAt: 26_000 },
      { firstWriteAt: null, lastWriteAt: null },
    ]);
    // Starts 1, 2, 4 and 11 s; writing 20, 21, 21 and 22 s.
    expect(times).toEqual({ firstWriteMedianMs: 3_000, firstWriteLastMs: 11_000, writingMedianMs: 21_000 });
    expect(tenantTimes(1_000, [{ firstWriteAt: null, lastWriteAt: null }])).toBeUndefined();

    const table = tenantTimesTable(
      [
        row({ scenario: 'c', makespanMs: 33_500, idealMs: 20_000, tenantTimes: times }),
        row({ scenario: 'c', system: 'forum' }),
        row({ scenario: 'a', tenantTimes: times }),
      ],
      scenarios(false),
    ).split('\n');
    expect(table).toHaveLength(3);
    expect(table[2]).toBe('| (c) 100 tenants | wfm-bulk | 33.5 | 3.0 | 11.0 | 21.0 | 20.0 |');
  });

  it('draws a bar per ratio, n/a where there is none, and the ideal line', () => {
    const svg = renderChart(
      [row({}), row({ system: 'forum', ratio: 1.5 }), row({ scenario: 'b', ratio: null })],
      scenarios(false),
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<rect x=[^>]*fill="#/g)?.length).toBe(4 + 2); // four legend swatches, two bars
    expect(svg).toContain('>1.50</text>');
    expect(svg).toContain('>n/a</text>');
    expect(svg).toContain('>ideal</text>');
    const unfinished = renderChart([row({ ratio: null, timedOutAfterMs: 112_500 })], scenarios(false));
    expect(unfinished).toContain('fill-opacity="0.4"');
    expect(unfinished).toContain('>&gt;2.0</text>');
    expect(axisMax(1.07)).toEqual({ top: 1.25, step: 0.25 });
    expect(axisMax(3.2)).toEqual({ top: 4, step: 1 });
  });

  it('replaces only what lies between the markers', () => {
    const text = 'intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\noutro\n';
    expect(replaceBetweenMarkers(text, 'new')).toBe(
      'intro\n<!-- bench:start -->\n\nnew\n\n<!-- bench:end -->\noutro\n',
    );
    expect(() => replaceBetweenMarkers('no markers', 'new')).toThrow(/not found/);
  });

  it('documents the run, each scenario and the targets', () => {
    const doc = performanceDoc([row({})], scenarios(false), checkTargets([row({})]), run);
    expect(doc).toContain('Last run: **2026-01-02T03:04:05Z**');
    expect(doc).toContain('2 cores');
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) expect(doc).toContain(`**(${id}) `);
    expect(doc).toContain('✅ met');
  });
});
