/**
 * Every `wfm-bulk` command through the real entry point (`bin/wfm-bulk.js`) in a spawned process, against a
 * real dev server, real Workers and the simulator: outputs, files written, and each exit code.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantProgressQuery } from '../../contracts/messages';
import { tenantWorkflowId } from '../../contracts/names';
import { runCli } from '../../tools/harness/cli';
import { waitFor } from '../../tools/harness/wait';
import { assignmentRows, createWorld, type AssignmentRow, type World } from '../helpers/world';

function csv(rows: AssignmentRow[]): string {
  const header = 'tenantId,scheduleId,id,userId,start,end';
  return (
    [header, ...rows.map((r) => [r.tenantId, r.scheduleId, r.id, r.userId, r.start, r.end].join(','))].join('\n') + '\n'
  );
}

describe('wfm-bulk CLI', () => {
  let world: World;
  let cli: (args: string[], env?: NodeJS.ProcessEnv) => ReturnType<typeof runCli>;
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    world = await createWorld({
      orgs: [
        { id: 'acme', throttle: { burst: 20, refillPerSecond: 50 }, faults: { latencyMs: 5 } },
        {
          id: 'globex',
          throttle: null,
          clients: [{ clientId: 'globex-client', clientSecret: 'globex-secret', scopes: ['wfm:schedule:read'] }],
        },
      ],
    });
    acme = world.tenant('acme');
    globex = world.tenant('globex');
    cli = (args, env = {}) => runCli(args, { ...world.env, ...env });
  });
  afterAll(() => world?.close());

  const jobExists = async (jobId: string) => {
    try {
      await world.client.workflow.getHandle(jobId).describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  };

  it('prints help for every command and exits 0', async () => {
    for (const command of [
      '',
      'start',
      'watch',
      'status',
      'list',
      'pause',
      'resume',
      'cancel',
      'limits',
      'report',
      'retry',
    ]) {
      const run = await cli([...(command ? [command] : []), '--help']);
      expect(run.code, command).toBe(0);
      expect(run.stdout).toMatch(/Usage: wfm-bulk/);
    }
  });

  it('exits 2 on bad usage', async () => {
    const cases = [
      ['frobnicate'],
      ['start'],
      ['start', 'x.csv', '--batch-size', '0'],
      ['limits', 'job', 'acme'],
      ['report', 'job'],
    ];
    for (const args of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.length, args.join(' ')).toBeGreaterThan(0);
    }
  });

  it('validates the whole file, names file:line:field, exits 2 and starts nothing', async () => {
    const rows = assignmentRows(acme, [`${acme}-s1`], 5);
    const file = path.join(world.dir, 'bad.csv');
    const lines = csv(rows).split('\n');
    lines[2] = lines[2]!.replace(/,user-\d+,/, ',,'); // line 3: empty userId
    lines[4] = lines[4]!.replace(/Z$/, ''); // line 5: end without offset
    lines.push(`nosuch,s1,x-1,user-1,${rows[0]!.start},${rows[0]!.end}`); // unknown tenant
    await writeFile(file, lines.join('\n'));
    const run = await cli(['start', file, '--job-id', 'never-started-1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:3: userId:`);
    expect(run.stderr).toContain(`${file}:5: end:`);
    expect(run.stderr).toMatch(/nosuch/);
    expect(run.stderr).toMatch(/nothing was started/);
    expect(await jobExists('never-started-1')).toBe(false);
  });

  it('exits 2 on a bad tenants file, naming it', async () => {
    const tenantsFile = path.join(world.dir, 'bad-tenants.json');
    await writeFile(tenantsFile, JSON.stringify({ tenants: [{ id: 'a b', clientId: 'x' }] }));
    const run = await cli(['start', 'whatever.csv', '--tenants', tenantsFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${tenantsFile}: tenants.0.id`);
  });

  it('dry-runs: prints the plan, exits 0, starts nothing', async () => {
    const file = path.join(world.dir, 'plan.csv');
    await writeFile(
      file,
      csv([...assignmentRows(acme, [`${acme}-s1`, `${acme}-s2`], 60), ...assignmentRows(globex, [`${globex}-s1`], 7)]),
    );
    const run = await cli(['start', file, '--dry-run', '--job-id', 'never-started-2', '--batch-size', '10']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('67 assignments for 2 tenant(s), 10 per PUT (or schedule update)');
    expect(run.stdout).toContain(`${acme}: 60 assignments, 2 schedule(s), 6 PUTs, concurrency 5`);
    expect(run.stdout).toMatch(/nothing was started/);
    expect(await jobExists('never-started-2')).toBe(false);
  });

  it('exits 3 when Temporal is not reachable, saying how to start it', async () => {
    const run = await cli(['status', 'any-job'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/not reachable at 127\.0\.0\.1:1/);
    expect(run.stderr).toMatch(/npm run dev-server/);
  });

  it('starts and follows a job to the end (exit 0), then shows it in status and list', async () => {
    const file = path.join(world.dir, 'good.csv');
    const rows = assignmentRows(acme, [`${acme}-s1`], 120, 'g');
    await writeFile(file, csv(rows));
    const run = await cli(['start', file, '--job-id', `good-${world.suffix}`, '--batch-size', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`started job good-${world.suffix}`);
    expect(run.stdout).toMatch(/Web UI: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/good-/);
    expect(run.stdout).toMatch(/done · applied/); // plain progress lines: stdout is not a terminal here
    expect(run.stdout).toContain(`job good-${world.suffix} completed: 120 applied, 0 failed of 120`);
    expect(world.sim.state.stats().orgs[acme]!.assignmentsApplied).toBe(120);

    const status = await cli(['status', `good-${world.suffix}`, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'completed', applied: 120, failed: 0, total: 120 });

    await waitFor('the job in visibility', async () =>
      (await cli(['list', '--status', 'completed'])).stdout.includes(`good-${world.suffix}`),
    );
    const list = await cli(['list', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { jobs: unknown[] }).jobs).toEqual(
      expect.arrayContaining([expect.objectContaining({ jobId: `good-${world.suffix}`, status: 'completed' })]),
    );
  });

  it('exits 1 when some fail; report writes them in the input’s format; retry re-runs exactly those', async () => {
    const file = path.join(world.dir, 'mixed.csv');
    const good = assignmentRows(acme, [`${acme}-s2`], 30, 'm');
    const blocked = assignmentRows(globex, [`${globex}-s1`], 12, 'b');
    await writeFile(file, csv([...good, ...blocked]));
    const jobId = `mixed-${world.suffix}`;
    const run = await cli(['start', file, '--job-id', jobId, '--batch-size', '5']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`${globex}: failed, 0/12 applied, 12 failed`);
    expect(run.stdout).toMatch(/wfm:schedule:write/);

    const reportFile = path.join(world.dir, 'failed.csv');
    const report = await cli(['report', jobId, '--out', reportFile]);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain(`12 failed assignment(s) of job ${jobId} written to ${reportFile}`);
    const lines = (await readFile(reportFile, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('tenantId,scheduleId,id,userId,start,end,failureCode,failureMessage');
    expect(lines.slice(1).map((line) => line.split(',')[2])).toEqual(blocked.map((row) => row.id));
    expect(lines[1]).toMatch(/missing-scope,.*wfm:schedule:write/);

    // The report is itself a valid input.
    expect((await cli(['start', reportFile, '--dry-run'])).code).toBe(0);

    // The tenant gets its scope; a retry sends exactly the failed ones.
    world.sim.state.setClientScopes(globex, 'globex-client', ['wfm:schedule:write']);
    const retry = await cli(['retry', jobId, '--job-id', `retry-${world.suffix}`]);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain(`retrying 12 failed assignment(s) of job ${jobId}`);
    expect(
      world.sim.state
        .assignments(globex)
        .map((a) => a.id)
        .sort(),
    ).toEqual(blocked.map((row) => row.id).sort());

    const nothing = await cli(['retry', `retry-${world.suffix}`]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toMatch(/nothing to retry/);
  });

  it('steers a running job: limits, pause, resume, watch, cancel', async () => {
    world.sim.state.setThrottle(acme, null);
    world.sim.state.setFaults(acme, { latencyMs: 50 });
    const file = path.join(world.dir, 'steer.ndjson');
    await writeFile(
      file,
      assignmentRows(acme, [`${acme}-s3`], 300, 's')
        .map((row) => JSON.stringify(row))
        .join('\n'),
    );
    const jobId = `steer-${world.suffix}`;
    const started = await cli(['start', file, '--job-id', jobId, '--batch-size', '1', '--detach']);
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`wfm-bulk watch ${jobId}`);
    const tenant = world.client.workflow.getHandle(tenantWorkflowId(jobId, acme));
    await waitFor(
      'the tenant to run',
      async () => (await tenant.query(tenantProgressQuery).catch(() => undefined))?.status === 'running',
    );

    expect((await cli(['limits', jobId, acme, '--concurrency', '2', '--rate', '40'])).code).toBe(0);
    await waitFor('new limits', async () => (await tenant.query(tenantProgressQuery)).limits.concurrency === 2);
    expect((await tenant.query(tenantProgressQuery)).limits.ratePerSecond).toBe(40);
    const wrongTenant = await cli(['limits', jobId, 'nobody', '--concurrency', '1']);
    expect(wrongTenant.code).toBe(2);
    expect(wrongTenant.stderr).toMatch(/not in job/);

    expect((await cli(['pause', jobId])).code).toBe(0);
    await waitFor('pause', async () => (await tenant.query(tenantProgressQuery)).paused);
    const paused = await cli(['status', jobId]);
    expect(paused.stdout).toMatch(/paused/);
    expect((await cli(['resume', jobId])).code).toBe(0);
    await waitFor('resume', async () => !(await tenant.query(tenantProgressQuery)).paused);

    const watching = cli(['watch', jobId, '--interval', '1']);
    await waitFor('progress', async () => (await tenant.query(tenantProgressQuery)).applied >= 60);
    expect((await cli(['cancel', jobId, '--reason', 'end of test'])).code).toBe(0);
    const watched = await watching;
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(new RegExp(`job ${jobId} cancelled: \\d+ applied, \\d+ failed of 300`));
    const late = await cli(['pause', jobId]);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/no longer running/);
  });

  it('says so for a job id that does not exist', async () => {
    const run = await cli(['status', 'no-such-job']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no job no-such-job/);
  });
});
