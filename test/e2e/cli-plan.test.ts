/**
 * `wfm-bulk plan` through the real entry point, against the simulator and a real worker: every kind of row of a
 * Genesys tenant gets its class from a plan job that reads the live schedule, a PUT tenant's rows are classed
 * without a request, the report holds every row and is a valid input, and nothing at all is written.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previewDocumentSchema, type PreviewDocument } from '../../client/output/documents';
import { parseInput, tenantChecks } from '../../client/input';
import { runCli } from '../../tools/harness/cli';
import { heldShifts } from '../../tools/harness/world';
import { assignmentRows, createWorld, GENESYS_WEEK, type GenesysRow, type World } from '../helpers/world';

const COLUMNS = [
  'tenantId',
  'scheduleId',
  'businessUnitId',
  'weekId',
  'id',
  'userId',
  'start',
  'end',
  'activityCodeId',
] as const;

/** Agents of the business unit; anyone else is not in it. */
const AGENTS = ['user-1', 'user-2', 'user-3', 'user-4', 'user-5'];

/** The Genesys tenant's schedule, in business unit `bu-1`, week `GENESYS_WEEK`. */
const SCHEDULE = 'week-1';

/** An agent of the initial schedule with one 8-hour shift of code `ac-work`. */
function held(userId: string, span: { start: string; end: string }) {
  const activity = { startDate: span.start, lengthMinutes: 480, description: '', activityCodeId: 'ac-work' };
  return { userId, shifts: [{ startDate: span.start, lengthMinutes: 480, activities: [activity] }] };
}

/** An 8-hour shift on day `day` (0: the week's Monday) from `hour`, UTC (the business unit's zone). */
function shift(day: number, hour: number): { start: string; end: string } {
  const startMs = Date.parse(`${GENESYS_WEEK}T00:00:00Z`) + day * 86_400_000 + hour * 3_600_000;
  return { start: new Date(startMs).toISOString(), end: new Date(startMs + 8 * 3_600_000).toISOString() };
}

describe('wfm-bulk plan', () => {
  let world: World;
  let fabrikam: string;
  let acme: string;
  let cli: (args: string[]) => ReturnType<typeof runCli>;

  beforeAll(async () => {
    world = await createWorld({
      orgs: [
        {
          id: 'fabrikam',
          throttle: { burst: 10, refillPerSecond: 30 },
          buSchedules: {
            processingDelayMs: 100,
            autoCreate: false,
            businessUnits: [
              {
                id: 'bu-1',
                timeZone: 'UTC',
                startDayOfWeek: 'Monday',
                activityCodes: [{ id: 'ac-work' }],
                managementUnits: [{ id: 'mu-1', users: AGENTS }],
              },
            ],
            // The schedule as it is before the plan: user-1's shift that row `present` asks for, user-3's that row
            // `overlap` would overlap. No other schedule exists (`autoCreate` off): row `gone` names one.
            initialSchedules: [
              {
                businessUnitId: 'bu-1',
                scheduleId: SCHEDULE,
                weekDate: GENESYS_WEEK,
                agents: [held('user-1', shift(0, 6)), held('user-3', shift(2, 6))],
              },
            ],
          },
        },
        { id: 'acme' },
      ],
      writers: { fabrikam: { writer: 'genesys-schedule-update', genesys: { pollSeconds: 0.2 } } },
    });
    fabrikam = world.tenant('fabrikam');
    acme = world.tenant('acme');
    cli = (args) => runCli(args, world.env);
  });
  afterAll(() => world?.close());

  it('classes every row, writes nothing, and reports every row as a valid input', async () => {
    expect(heldShifts(world, fabrikam)).toHaveLength(2);
    const rows: object[] = [
      genesys('present', 'user-1', shift(0, 6)),
      genesys('new', 'user-2', shift(1, 6)),
      genesys('overlap', 'user-3', shift(2, 10)),
      { ...genesys('unknown-code', 'user-4', shift(3, 6)), activityCodeId: 'ac-nope' },
      genesys('next-week', 'user-5', shift(8, 6)),
      genesys('stranger', 'user-99', shift(4, 6)),
      { ...genesys('gone', 'user-2', shift(1, 6)), scheduleId: 'no-such-schedule' },
      ...assignmentRows(acme, [`${acme}-s1`], 3, 'put'),
    ];
    const file = path.join(world.dir, 'plan.ndjson');
    await writeFile(file, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    const before = world.sim.state.stats().orgs;
    const reportFile = path.join(world.dir, 'plan-report.ndjson');
    const jobId = `plan-${world.suffix}`;

    const run = await cli(['plan', file, '--job-id', jobId, '--report', reportFile, '-o', 'json']);
    expect(run.code, run.stderr).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const preview: PreviewDocument = previewDocumentSchema.parse(JSON.parse(lines[0]!));
    expect(preview.jobId).toBe(jobId);
    const classOf = Object.fromEntries(preview.rows.map((row) => [row.id, row.class]));
    expect(classOf).toEqual({
      present: 'already-present',
      new: 'would-add',
      overlap: 'overlaps-existing-shift',
      'unknown-code': 'unknown-activity-code',
      'next-week': 'outside-schedule',
      stranger: 'agent-not-in-business-unit',
      gone: 'not.found',
      'put-1': 'would-put',
      'put-2': 'would-put',
      'put-3': 'would-put',
    });
    expect(preview.rows.map((row) => row.line)).toEqual(rows.map((_, index) => index + 1));
    expect(preview.rows.find((row) => row.id === 'overlap')?.message).toMatch(/user-3 already has shift/);
    // A row the platform refuses as a whole: its own code, its status with the message.
    expect(preview.rows.find((row) => row.id === 'gone')?.message).toMatch(/404: Schedule no-such-schedule/);
    expect(preview.tenants).toEqual([
      {
        tenantId: fabrikam,
        writer: 'genesys-schedule-update',
        classes: {
          'would-add': 1,
          'already-present': 1,
          'agent-not-in-business-unit': 1,
          'not.found': 1,
          'outside-schedule': 1,
          'overlaps-existing-shift': 1,
          'unknown-activity-code': 1,
        },
      },
      { tenantId: acme, writer: 'put', classes: { 'would-put': 3 } },
    ]);

    // Nothing written: no upload, no update, the schedule as it was; not one request to the PUT tenant.
    const after = world.sim.state.stats().orgs;
    const genesysApi = after[fabrikam]!.scheduleApi;
    expect(genesysApi.scheduleReads).toBeGreaterThan(before[fabrikam]!.scheduleApi.scheduleReads);
    expect(genesysApi.uploadUrlsIssued - before[fabrikam]!.scheduleApi.uploadUrlsIssued).toBe(0);
    expect(genesysApi.uploadsAccepted - before[fabrikam]!.scheduleApi.uploadsAccepted).toBe(0);
    expect(genesysApi.updatesStarted - before[fabrikam]!.scheduleApi.updatesStarted).toBe(0);
    expect(genesysApi.schedulesAutoCreated).toBe(0);
    expect(heldShifts(world, fabrikam)).toHaveLength(2);
    expect(after[acme]).toMatchObject({ putRequests: 0, tokenRequests: 0, assignmentsApplied: 0 });

    // The report: every row, in line order, its class as failureCode; a valid input for `start`.
    const report = await readFile(reportFile);
    const parsed = parseInput(report, reportFile, tenantChecks(world.tenants));
    expect(parsed.rows.map(({ row }) => [row.id, row.failureCode])).toEqual(
      preview.rows.map((row) => [row.id, row.class]),
    );
    expect(parsed.rows.find(({ row }) => row.id === 'next-week')?.row.weekId).toBe(GENESYS_WEEK);
    const dryRun = await cli(['start', reportFile, '--dry-run']);
    expect(dryRun.stderr).toBe('');
    expect(dryRun.code).toBe(0);
  });

  it('prints the plan, the counts and the rows that would not land in text; a report on stdout stays alone', async () => {
    const rows = [genesys('t-new', 'user-4', shift(5, 6)), genesys('t-stranger', 'user-77', shift(5, 6))];
    const file = path.join(world.dir, 'text.csv');
    await writeFile(file, csv(rows));
    const run = await cli(['plan', file, '--report', '-']);
    expect(run.code, run.stderr).toBe(1);
    // stdout is the report alone (CSV, the input's format); the text for people went to stderr.
    const report = parseInput(Buffer.from(run.stdout), 'report.csv', tenantChecks(world.tenants));
    expect(report.rows.map(({ row }) => row.failureCode)).toEqual(['would-add', 'agent-not-in-business-unit']);
    expect(run.stderr).toContain(`2 assignments for 1 tenant(s), 25 per PUT (or schedule update):`);
    expect(run.stderr).toMatch(/in job plan-wfm-\d{8}-\d{6}-\w+; nothing is written/);
    expect(run.stderr).toContain(`  ${fabrikam} (genesys-schedule-update): 1 would-add, 1 agent-not-in-business-unit`);
    expect(run.stderr).toContain('1 of 2 row(s) would not land:');
    expect(run.stderr).toContain(`  line 3  ${fabrikam}  t-stranger  agent-not-in-business-unit: agent user-77`);
    expect(heldShifts(world, fabrikam)).toHaveLength(2);
  });

  it('classes a PUT tenant’s rows without a job or a request, and exits 0 when every row would land', async () => {
    const file = path.join(world.dir, 'put.csv');
    const rows = assignmentRows(acme, [`${acme}-s1`], 2, 'only');
    await writeFile(
      file,
      [Object.keys(rows[0]!).join(','), ...rows.map((row) => Object.values(row).join(','))].join('\n'),
    );
    // No Temporal needed: an address nothing listens on would fail any connection.
    const run = await runCli(['plan', file, '-o', 'json', '--address', '127.0.0.1:1'], world.env);
    expect(run.code, run.stderr).toBe(0);
    const preview = previewDocumentSchema.parse(JSON.parse(run.stdout));
    expect(preview).toMatchObject({
      jobId: null,
      tenants: [{ tenantId: acme, writer: 'put', classes: { 'would-put': 2 } }],
    });
    expect(world.sim.state.stats().orgs[acme]).toMatchObject({ putRequests: 0, tokenRequests: 0 });
  });

  it('refuses a bad input as start does: exit 2, nothing started', async () => {
    const file = path.join(world.dir, 'bad.csv');
    const rows = [genesys('b-1', 'user-1', shift(6, 6))];
    await writeFile(
      file,
      csv(
        rows,
        COLUMNS.filter((column) => column !== 'businessUnitId'),
      ),
    );
    const jobId = `never-plan-${world.suffix}`;
    const run = await cli(['plan', file, '--job-id', jobId]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:2: businessUnitId: businessUnitId is required for tenant ${fabrikam}`);
    expect(run.stderr).toMatch(/nothing was started/);
    expect((await cli(['status', jobId])).code).not.toBe(0);
  });

  /** A row of the Genesys tenant in the described business unit's schedule and week. */
  function genesys(id: string, userId: string, span: { start: string; end: string }): GenesysRow {
    return {
      tenantId: fabrikam,
      scheduleId: SCHEDULE,
      businessUnitId: 'bu-1',
      weekId: GENESYS_WEEK,
      id,
      userId,
      ...span,
      activityCodeId: 'ac-work',
    };
  }
});

function csv(rows: readonly GenesysRow[], columns: readonly string[] = COLUMNS): string {
  const line = (row: GenesysRow) => columns.map((column) => row[column as keyof GenesysRow]).join(',');
  return [columns.join(','), ...rows.map(line)].join('\n') + '\n';
}
