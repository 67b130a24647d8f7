/**
 * A Genesys Cloud tenant through the real `wfm-bulk` entry point: input checked for the writer's columns, a job
 * written through schedule updates, a row refused for overlapping a shift already there, reported with the
 * columns that make the report a valid input again, and retried once the schedule is clear.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../tools/harness/cli';
import { heldShifts } from '../../tools/harness/world';
import { createWorld, genesysRows, GENESYS_WEEK, type GenesysRow, type World } from '../helpers/world';

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
];

function csv(rows: GenesysRow[], columns = COLUMNS): string {
  const line = (row: GenesysRow) => columns.map((column) => row[column as keyof GenesysRow]).join(',');
  return [columns.join(','), ...rows.map(line)].join('\n') + '\n';
}

describe('wfm-bulk with a Genesys Cloud tenant', () => {
  let world: World;
  let fabrikam: string;
  let cli: (args: string[]) => ReturnType<typeof runCli>;

  beforeAll(async () => {
    world = await createWorld({
      orgs: [
        {
          id: 'fabrikam',
          throttle: { burst: 10, refillPerSecond: 30 },
          buSchedules: { processingDelayMs: 100 },
        },
      ],
      writers: { fabrikam: { writer: 'genesys-schedule-update', genesys: { pollSeconds: 0.2 } } },
    });
    fabrikam = world.tenant('fabrikam');
    cli = (args) => runCli(args, world.env);
  });
  afterAll(() => world?.close());

  it('names each missing column of the writer by line, exits 2 and starts nothing', async () => {
    const file = path.join(world.dir, 'no-placement.csv');
    const rows = genesysRows(fabrikam, [`${fabrikam}-s1`], 3);
    await writeFile(file, csv(rows, ['tenantId', 'scheduleId', 'id', 'userId', 'start', 'end', 'weekId']));
    const run = await cli(['start', file, '--job-id', `never-${world.suffix}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:2: businessUnitId: businessUnitId is required for tenant ${fabrikam}`);
    expect(run.stderr).toContain(`${file}:4: activityCodeId:`);
    // The week may be left out (it is derived from the shift's start); the business unit and code may not.
    expect(run.stderr).not.toMatch(/weekId/);
    expect(run.stderr).toMatch(/nothing was started/);
  });

  it('writes a job through schedule updates; an overlapping row fails with its reason, and its report retries', async () => {
    const rows = genesysRows(fabrikam, [`${fabrikam}-s1`, `${fabrikam}-s2`], 40);
    // Someone else's shift where the first row's would go (06:00 on the week's first day).
    const buSchedules = world.sim.state.requireOrg(fabrikam).buSchedules;
    expect(buSchedules.lookupSchedule('bu-1', GENESYS_WEEK, rows[0]!.scheduleId).found).toBe(true);
    expect(buSchedules.editElsewhere('bu-1', rows[0]!.scheduleId, rows[0]!.userId, rows[0]!.start)).toBe(true);

    const file = path.join(world.dir, 'week.csv');
    await writeFile(file, csv(rows));
    const jobId = `week-${world.suffix}`;
    const run = await cli(['start', file, '--job-id', jobId, '--batch-size', '10']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`job ${jobId} completed-with-failures: 39 applied, 1 failed of 40`);

    const reportFile = path.join(world.dir, 'week-failed.csv');
    expect((await cli(['report', jobId, '--out', reportFile])).code).toBe(0);
    const lines = (await readFile(reportFile, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe(`${COLUMNS.slice(0, 8).join(',')},activityCodeId,failureCode,failureMessage`);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,bu-1,${GENESYS_WEEK},${rows[0]!.id},`);
    expect(lines[1]).toMatch(/overlaps-existing-shift/);

    // The retry carries the row's business unit and week: it is refused again for the same shift, not for its input.
    const shifts = () => heldShifts(world, fabrikam).length;
    expect(shifts()).toBe(39 + 1);
    const retry = await cli(['retry', jobId, '--job-id', `retry-${world.suffix}`]);
    expect(retry.code).toBe(1);
    const again = await cli(['report', `retry-${world.suffix}`, '--out', '-']);
    expect(again.stdout).toMatch(/overlaps-existing-shift/);
    expect(shifts()).toBe(39 + 1);
    expect((await cli(['start', reportFile, '--dry-run'])).code).toBe(0);
  });
});
