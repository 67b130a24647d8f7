/**
 * The CLI's conventions through the real entry point (`bin/wfm-bulk.js`) against a real dev server, real Workers
 * and the simulator: `-o json` of every command parsed with the documented schemas (client/output/documents.ts,
 * docs/reference/cli-json.md), exit codes, `--version`, connection flags over the environment and profiles, option values
 * refused by name, job ids never silently reused, and `retry` keeping its original job's options.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantProgressQuery } from '../../contracts/messages';
import { tenantWorkflowId } from '../../contracts/names';
import { tenantsDocumentSchema, type TenantsDocument } from '../../client/output/documents';
import { jobInput } from '../../client/jobs/view';
import {
  cliDocumentSchema,
  jobDocumentSchema,
  jobsDocumentSchema,
  nothingToRetryDocumentSchema,
  planDocumentSchema,
  reportDocumentSchema,
  signalDocumentSchema,
  startedDocumentSchema,
  type CliDocument,
} from '../../client/output/documents';
import { runCli, type CliRun } from '../../tools/harness/cli';
import { waitFor } from '../../tools/harness/wait';
import { assignmentRows, createWorld, type AssignmentRow, type World } from '../helpers/world';

function csv(rows: AssignmentRow[]): string {
  const header = 'tenantId,scheduleId,id,userId,start,end';
  return [header, ...rows.map((r) => [r.tenantId, r.scheduleId, r.id, r.userId, r.start, r.end].join(','))].join('\n');
}

/** Every stdout line as a document of the documented shapes; fails on any line that is not one. */
function documents(run: CliRun): CliDocument[] {
  const lines = run.stdout.split('\n').filter((line) => line.length > 0);
  return lines.map((line) => cliDocumentSchema.parse(JSON.parse(line)));
}

describe('wfm-bulk CLI conventions: -o json, exit codes, connection flags', () => {
  let world: World;
  let cli: (args: string[], env?: NodeJS.ProcessEnv) => Promise<CliRun>;
  let acme: string;
  let globex: string;
  let initech: string;

  beforeAll(async () => {
    world = await createWorld({
      orgs: [
        { id: 'acme', throttle: null, faults: { latencyMs: 2 } },
        {
          id: 'globex',
          throttle: null,
          clients: [{ clientId: 'globex-client', clientSecret: 'globex-secret', scopes: ['wfm:schedule:read'] }],
        },
        { id: 'initech', throttle: null, faults: { latencyMs: 50 } },
      ],
    });
    acme = world.tenant('acme');
    globex = world.tenant('globex');
    initech = world.tenant('initech');
    cli = (args, env = {}) => runCli(args, { ...world.env, ...env });
  });
  afterAll(() => world?.close());

  async function inputFile(name: string, rows: AssignmentRow[]): Promise<string> {
    const file = path.join(world.dir, name);
    await writeFile(file, csv(rows));
    return file;
  }

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-v']) {
      const run = await cli([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(version);
    }
  });

  it('refuses bad option values with exit 2, naming the option and what it allows', async () => {
    const cases: [string[], RegExp][] = [
      [['status', 'x', '-o', 'yaml'], /--output.*'yaml' is invalid.*text, json/],
      [['list', '--status', 'done'], /--status.*'done' is invalid.*running, completed, completed-with-failures/],
      [['report', 'x', '--out', 'f.csv', '--format', 'xml'], /--format.*'xml' is invalid.*csv, json, ndjson/],
      [['start', 'x.csv', '--format', 'tsv'], /--format.*'tsv' is invalid.*csv, json, ndjson/],
      [['watch', 'x', '--interval', '0'], /--interval.*'0' is invalid.*1 to 3600/],
      [['retry', 'x', '--throttle-budget', '5'], /--throttle-budget.*'5' is invalid.*90m/],
      [['status', 'x', '--address', 'nowhere'], /--address.*'nowhere' is invalid.*host:port/],
      [['start', 'x.csv', '--job-id', 'a/b'], /--job-id.*'a\/b' is invalid/],
      [['status', 'x', '--tls-cert-path', world.tenantsFile], /--tls-cert-path and --tls-key-path/],
      [['status', 'x', '--tls-key-path', world.tenantsFile], /--tls-cert-path and --tls-key-path/],
      [['report', 'x', '--out', '-', '-o', 'json'], /--out - writes the report itself/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.stdout, args.join(' ')).toBe('');
    }
  });

  it('connection flags win over the environment and the profile', async () => {
    const noEnvAddress = { TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined };
    // A bad address in the environment, the right one on the command line (after the command name, too).
    const flag = await cli(['list', '-o', 'json', '--address', world.address], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(flag.stderr).toBe('');
    expect(flag.code).toBe(0);
    jobsDocumentSchema.parse(JSON.parse(flag.stdout));
    const wrong = await cli(['--address', '127.0.0.1:1', 'list']);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/not reachable at 127\.0\.0\.1:1/);

    const config = path.join(world.dir, 'temporal.toml');
    await writeFile(config, `[profile.wfm]\naddress = "${world.address}"\nnamespace = "default"\n`);
    const profile = await cli(['list', '--config-file', config, '--profile', 'wfm', '-o', 'json'], noEnvAddress);
    expect(profile.stderr).toBe('');
    expect(profile.code).toBe(0);
    const overProfile = await cli(['list', '--config-file', config, '--profile', 'wfm', '--address', '127.0.0.1:1'], {
      ...noEnvAddress,
    });
    expect(overProfile.code).toBe(3);
    const missing = await cli(['list', '--config-file', config, '--profile', 'nope'], noEnvAddress);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Profile 'nope' not found/);
    const namespace = await cli(['list', '-n', 'default', '-o', 'json']);
    expect(namespace.code).toBe(0);
  });

  it('start --dry-run -o json prints the plan and starts nothing', async () => {
    const file = await inputFile('plan.csv', [
      ...assignmentRows(acme, [`${acme}-p1`, `${acme}-p2`], 20, 'p'),
      ...assignmentRows(globex, [`${globex}-p1`], 3, 'p'),
    ]);
    const run = await cli(['start', file, '--dry-run', '-o', 'json', '--batch-size', '4', '--max-attempts', '3']);
    expect(run.code).toBe(0);
    const [plan, ...rest] = documents(run);
    expect(rest).toEqual([]);
    const { plan: body, retryOf } = planDocumentSchema.parse(plan);
    expect(retryOf).toBeNull();
    expect(body).toMatchObject({ file: 'plan.csv', format: 'csv', rows: 23 });
    expect(body.options).toMatchObject({ batchSize: 4, maxAttempts: 3, throttleBudgetMs: 6 * 3_600_000 });
    expect(body.tenants).toMatchObject([
      { tenantId: acme, total: 20, schedules: 2, batches: 6, limits: { concurrency: 5 } },
      { tenantId: globex, total: 3, schedules: 1, batches: 1, limits: { concurrency: 5 } },
    ]);
  });

  it('start --detach, watch, status and list in JSON; a used job id is refused unless --reuse-job-id', async () => {
    const jobId = `json-ok-${world.suffix}`;
    const file = await inputFile('ok.csv', assignmentRows(acme, [`${acme}-s1`], 40, 'ok'));
    const started = await cli(['start', file, '--job-id', jobId, '--detach', '-o', 'json']);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const [doc, ...more] = documents(started);
    expect(more).toEqual([]);
    expect(startedDocumentSchema.parse(doc)).toMatchObject({ jobId, detached: true, retryOf: null });
    expect(startedDocumentSchema.parse(doc).links?.job).toMatch(new RegExp(`/workflows/${jobId}$`));

    const watched = await cli(['watch', jobId, '-o', 'json', '--interval', '1']);
    expect(watched.code).toBe(0);
    const lines = documents(watched).map((line) => jobDocumentSchema.parse(line));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatchObject({ jobId, execution: 'COMPLETED', status: 'completed', applied: 40, failed: 0 });

    for (const json of [['-o', 'json'], ['--json']]) {
      const status = await cli(['status', jobId, ...json]);
      expect(status.code).toBe(0);
      const view = jobDocumentSchema.parse(JSON.parse(status.stdout));
      expect(view).toMatchObject({ status: 'completed', total: 40, applied: 40 });
      expect(view.closeTime).not.toBeNull();
      expect(view.tenants[0]).toMatchObject({ tenantId: acme, status: 'completed', applied: 40, stopReason: null });
    }

    await waitFor('the job in visibility', async () => {
      const run = await cli(['list', '--status', 'completed', '--json']);
      return jobsDocumentSchema.parse(JSON.parse(run.stdout)).jobs.some((job) => job.jobId === jobId);
    });
    const list = jobsDocumentSchema.parse(JSON.parse((await cli(['list', '-o', 'json', '--limit', '50'])).stdout));
    expect(list.jobs.find((job) => job.jobId === jobId)).toMatchObject({
      status: 'completed',
      total: 40,
      applied: 40,
      failed: 0,
      file: 'ok.csv',
    });

    const again = await cli(['start', file, '--job-id', jobId, '--detach']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(new RegExp(`job id ${jobId} was used by a job that is completed.*--reuse-job-id`));
    const reused = await cli(['start', file, '--job-id', jobId, '--reuse-job-id', '-o', 'json']);
    expect(reused.code).toBe(0);
    expect(documents(reused).at(-1)).toMatchObject({ kind: 'job', jobId, status: 'completed', applied: 40 });
  });

  it('a job with failures: start follows in JSON (exit 1), report to stdout and as JSON, retry keeps the options', async () => {
    const jobId = `json-mixed-${world.suffix}`;
    const blocked = assignmentRows(globex, [`${globex}-s1`], 6, 'b');
    const file = await inputFile('mixed.csv', [...assignmentRows(acme, [`${acme}-s2`], 10, 'm'), ...blocked]);
    const options = ['--batch-size', '3', '--max-attempts', '2', '--request-timeout', '7'];
    const more = ['--max-active-tenants', '4', '--throttle-budget', '90m'];
    const run = await cli(['start', file, '--job-id', jobId, ...options, ...more, '-o', 'json']);
    expect(run.code).toBe(1);
    const [started, ...progress] = documents(run);
    expect(startedDocumentSchema.parse(started)).toMatchObject({ jobId, detached: false });
    expect(progress.length).toBeGreaterThan(0);
    const last = jobDocumentSchema.parse(progress.at(-1));
    expect(last).toMatchObject({ status: 'completed-with-failures', applied: 10, failed: 6 });
    expect(last.tenants.find((t) => t.tenantId === globex)?.stopReason).toMatchObject({ code: 'missing-scope' });
    const status = await cli(['status', jobId]);
    expect(status.code).toBe(1);

    const toStdout = await cli(['report', jobId, '--out', '-', '--format', 'ndjson']);
    expect(toStdout.code).toBe(0);
    const rows = toStdout.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; failureCode: string });
    expect(rows.map((row) => row.id)).toEqual(blocked.map((row) => row.id));
    expect(toStdout.stderr).toMatch(/6 failed assignment\(s\) .* written to stdout/);
    const reportFile = path.join(world.dir, 'mixed-failed.json');
    const report = await cli(['report', jobId, '--out', reportFile, '--format', 'json', '-o', 'json']);
    expect(report.code).toBe(0);
    expect(reportDocumentSchema.parse(JSON.parse(report.stdout))).toEqual({
      kind: 'report',
      version: 1,
      jobId,
      failed: 6,
      format: 'json',
      out: reportFile,
    });
    expect(JSON.parse(await readFile(reportFile, 'utf8'))).toHaveLength(6);

    // Retry: the original's options unless given.
    const original = { batchSize: 3, maxAttempts: 2, requestTimeoutMs: 7000, maxActiveTenants: 4 };
    const dry = await cli(['retry', jobId, '--dry-run', '-o', 'json']);
    expect(dry.code).toBe(0);
    const dryPlan = planDocumentSchema.parse(JSON.parse(dry.stdout));
    expect(dryPlan).toMatchObject({
      retryOf: jobId,
      plan: { rows: 6, options: { ...original, throttleBudgetMs: 90 * 60_000 } },
    });
    const given = await cli(['retry', jobId, '--dry-run', '-o', 'json', '--batch-size', '5', '--max-attempts', '9']);
    expect(planDocumentSchema.parse(JSON.parse(given.stdout)).plan.options).toMatchObject({
      batchSize: 5,
      maxAttempts: 9,
      requestTimeoutMs: 7000,
      maxActiveTenants: 4,
    });

    // A tenant of the failures that the tenants file no longer has: exit 2, named.
    const tenantsFile = path.join(world.dir, 'tenants-without-globex.json');
    const full = JSON.parse(await readFile(world.tenantsFile, 'utf8')) as { tenants: { id: string }[] };
    await writeFile(tenantsFile, JSON.stringify({ ...full, tenants: full.tenants.filter((t) => t.id !== globex) }));
    const noTenant = await cli(['retry', jobId, '--tenants', tenantsFile]);
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain(`tenant(s) ${globex} of job ${jobId} are not in the tenants file ${tenantsFile}`);

    world.sim.state.setClientScopes(globex, 'globex-client', ['wfm:schedule:write']);
    const retryId = `json-retry-${world.suffix}`;
    const retry = await cli(['retry', jobId, '--job-id', retryId, '--throttle-budget', '2h', '-o', 'json']);
    expect(retry.code).toBe(0);
    expect(retry.stderr).toMatch(/retrying 6 failed assignment\(s\)/);
    const [retryStarted, ...retryProgress] = documents(retry);
    expect(startedDocumentSchema.parse(retryStarted)).toMatchObject({ jobId: retryId, retryOf: jobId });
    expect(retryProgress.at(-1)).toMatchObject({ kind: 'job', status: 'completed', applied: 6 });
    expect((await jobInput(world.client, retryId)).options).toEqual({ ...original, throttleBudgetMs: 2 * 3_600_000 });

    const nothing = await cli(['retry', retryId, '-o', 'json']);
    expect(nothing.code).toBe(0);
    expect(nothingToRetryDocumentSchema.parse(JSON.parse(nothing.stdout))).toEqual({
      kind: 'nothing-to-retry',
      version: 1,
      retryOf: retryId,
    });
  });

  it('steering in JSON; status of a running job exits 5; its id is in use even with --reuse-job-id', async () => {
    const jobId = `json-steer-${world.suffix}`;
    const file = await inputFile('steer.csv', assignmentRows(initech, [`${initech}-s1`], 2000, 's'));
    expect((await cli(['start', file, '--job-id', jobId, '--batch-size', '1', '--detach'])).code).toBe(0);
    const tenant = world.client.workflow.getHandle(tenantWorkflowId(jobId, initech));
    await waitFor(
      'the tenant to run',
      async () => (await tenant.query(tenantProgressQuery).catch(() => undefined))?.status === 'running',
    );

    const taken = await cli(['start', file, '--job-id', jobId, '--reuse-job-id', '--detach']);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(new RegExp(`job id ${jobId} is in use by a running job`));

    const running = await cli(['status', jobId, '-o', 'json']);
    expect(running.code).toBe(5);
    expect(jobDocumentSchema.parse(JSON.parse(running.stdout))).toMatchObject({
      execution: 'RUNNING',
      closeTime: null,
    });

    const limits = await cli(['limits', jobId, initech, '--concurrency', '2', '--rate', '20', '-o', 'json']);
    expect(limits.code).toBe(0);
    expect(signalDocumentSchema.parse(JSON.parse(limits.stdout))).toEqual({
      kind: 'signal',
      version: 1,
      signal: 'limits',
      jobId,
      reason: null,
      tenantId: initech,
      concurrency: 2,
      ratePerSecond: 20,
    });
    // The tenant's lease: held by a process, written to by this job, with the limits just set (the organisation's).
    let lease: TenantsDocument['tenants'][number] | undefined;
    await waitFor('the lease to show the new limits', async () => {
      const run = await cli(['tenants', '--tenant', initech, '-o', 'json']);
      expect(run.code).toBe(0);
      lease = tenantsDocumentSchema.parse(JSON.parse(run.stdout)).tenants[0];
      return lease?.limits?.concurrency === 2;
    });
    expect(lease).toMatchObject({ tenantId: initech, status: 'holding', stale: null });
    expect(lease!.holder?.worker).toEqual(expect.any(String));
    expect(lease!.jobs).toEqual([{ jobId, workflowId: tenantWorkflowId(jobId, initech), share: 2, active: true }]);
    const text = await cli(['tenants']);
    expect(text.stdout).toContain(`${initech}  holding by ${lease!.holder!.worker}`);
    expect(text.stdout).toContain(`${jobId} share 2`);

    for (const signal of ['pause', 'resume'] as const) {
      const run = await cli([signal, jobId, '-o', 'json']);
      expect(run.code).toBe(0);
      expect(signalDocumentSchema.parse(JSON.parse(run.stdout))).toMatchObject({ signal, jobId, tenantId: null });
    }

    const watching = cli(['watch', jobId, '-o', 'json']);
    await waitFor('progress', async () => (await tenant.query(tenantProgressQuery)).applied >= 20);
    const cancel = await cli(['cancel', jobId, '--reason', 'json test', '-o', 'json']);
    expect(cancel.stderr).toBe('');
    expect(cancel.code).toBe(0);
    expect(signalDocumentSchema.parse(JSON.parse(cancel.stdout))).toMatchObject({
      signal: 'cancel',
      reason: 'json test',
    });
    const watched = await watching;
    expect(watched.code).toBe(1);
    expect(documents(watched).at(-1)).toMatchObject({ kind: 'job', status: 'cancelled', execution: 'COMPLETED' });
  });

  it('errors go to stderr only, with their exit code, whatever the output format', async () => {
    const missing = await cli(['status', 'no-such-job', '-o', 'json']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/no job no-such-job/);
    const unreachable = await cli(['pause', 'x', '-o', 'json'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stdout).toBe('');
  });
});
