/**
 * A scenario's stage: a harness world (its own simulator, store and tenants file) on a Temporal server, worker
 * PROCESSES as deployed, the jobs started, and every log captured. On the way out it gathers the evidence for
 * the secret and isolation checks and stops everything it started, also when the scenario failed.
 */
import { randomBytes } from 'node:crypto';
import { jobInput } from '../../client/jobs/view';
import type { JobInput } from '../../contracts/job';
import { leaseStateQuery, tenantProgressQuery } from '../../contracts/messages';
import { WRITE_SCOPE, tenantLeaseWorkflowId, tenantWorkflowId } from '../../contracts/names';
import { historyText, jobHistories, workflowStandings } from '../harness/histories';
import { spawnWorker, type WorkerProcess } from '../harness/processes';
import { secretsOf } from '../harness/secrets';
import { createWorld, type AssignmentRow, type StartOptions, type World, type WorldOptions } from '../harness/world';
import type { OrgStats, OrgConfigInput } from '../simulator';
import { withTimeout } from '../harness/cleanup';
import { findIn, type Evidence } from './ledger';
import { Overdue } from './suite';
import { check, type ScenarioOutcome, type Suite } from './types';

/** An org whose client secret is long and random, so a hit in the secret search can only be a leak. */
export function org(
  name: string,
  settings: Omit<OrgConfigInput, 'id' | 'clients'> = {},
  scopes: string[] = [WRITE_SCOPE],
): OrgConfigInput {
  const clientSecret = `secret-${randomBytes(18).toString('base64url')}`;
  return { id: name, clients: [{ clientId: `${name}-client`, clientSecret, scopes }], ...settings };
}

export type SceneOptions = Omit<WorldOptions, 'address' | 'workers' | 'workflowBundleCode'> & { address?: string };

const WORKER_START_MS = 120_000;

export class Scene {
  private readonly workers: WorkerProcess[] = [];
  private readonly logs = new Map<string, () => string>();
  private readonly jobIds: string[] = [];
  private closing: Promise<void> | undefined;
  /** When the scene began: the origin of the times `standing` prints. */
  readonly startedAt = Date.now();

  constructor(
    readonly world: World,
    readonly label: string,
  ) {}

  /** A worker process of this world; its output is kept as a log. Not awaited: see `readyWorker`. */
  spawnWorker(extraEnv: NodeJS.ProcessEnv = {}): WorkerProcess {
    const worker = spawnWorker(this.world, extraEnv);
    this.workers.push(worker);
    this.logs.set(`log of worker process ${this.workers.length}`, () => worker.output());
    return worker;
  }

  async readyWorker(extraEnv: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
    const worker = this.spawnWorker(extraEnv);
    await withTimeout(worker.ready, WORKER_START_MS, 'worker start-up');
    return worker;
  }

  get workersSpawned(): number {
    return this.workers.length;
  }

  addLog(where: string, text: () => string): void {
    this.logs.set(where, text);
  }

  async startJob(rows: AssignmentRow[], options: StartOptions): Promise<JobInput> {
    const input = await this.world.startJobFromRows(rows, options);
    this.jobIds.push(input.jobId);
    return input;
  }

  /** A job started some other way (the CLI), so its histories are searched too. */
  trackJob(jobId: string): void {
    this.jobIds.push(jobId);
  }

  /** Which worker process serves each running tenant of a job now (by worker id), from their progress queries. */
  async servedBy(jobId: string, tenantIds: readonly string[]): Promise<Map<string, string | undefined>> {
    const served = new Map<string, string | undefined>();
    await Promise.all(
      tenantIds.map(async (tenantId) => {
        const progress = await this.world.client.workflow
          .getHandle(tenantWorkflowId(jobId, tenantId))
          .query(tenantProgressQuery)
          .catch(() => undefined);
        served.set(tenantId, progress?.worker);
      }),
    );
    return served;
  }

  /** Which process holds each tenant's lease now (by worker id), from the leases' own state. */
  async leaseHolders(tenantIds: readonly string[]): Promise<Map<string, string | undefined>> {
    const holders = new Map<string, string | undefined>();
    await Promise.all(
      tenantIds.map(async (tenantId) => {
        const state = await this.world.client.workflow
          .getHandle(tenantLeaseWorkflowId(tenantId))
          .query(leaseStateQuery)
          .catch(() => undefined);
        holders.set(tenantId, state?.holder?.worker);
      }),
    );
    return holders;
  }

  stats(): Record<string, OrgStats> {
    return this.world.sim.state.stats().orgs;
  }

  /** Distinct assignments the simulator holds, over the given tenants (default all). */
  applied(tenantIds: readonly string[] = Object.keys(this.stats())): number {
    const orgs = this.stats();
    return tenantIds.reduce((sum, id) => sum + (orgs[id]?.assignmentsApplied ?? 0), 0);
  }

  /** Histories of every job (all runs of every workflow), logs, secrets and tokens of this world. */
  async evidence(): Promise<Evidence> {
    const texts = new Map<string, string>();
    const unread: string[] = [];
    for (const jobId of this.jobIds) {
      try {
        const job = await jobInput(this.world.client, jobId);
        for (const { workflowId, runId, history } of await jobHistories(this.world.client, job))
          texts.set(`history of ${workflowId} (run ${runId})`, historyText(history));
      } catch (error) {
        unread.push(`${jobId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    for (const [where, text] of this.logs) texts.set(where, text());
    const crossOrgTokenUses = Object.values(this.stats()).reduce((sum, org) => sum + org.crossOrgTokenUses, 0);
    return {
      scenario: this.label,
      secrets: secretsOf(this.world),
      texts,
      unread,
      crossOrgTokenUses,
      jobs: this.jobIds.length,
    };
  }

  /**
   * Where the scene stands, for a scenario that did not finish in its time: each job's workflows and leases as the
   * server holds them, each tenant's writes at the simulator, and the end of each process's log. Times are from the
   * scene's start.
   */
  async standing(): Promise<string> {
    const since = this.startedAt;
    const parts: string[] = [];
    for (const jobId of this.jobIds) {
      const tenantIds = await jobInput(this.world.client, jobId).then(
        (input) => input.tenants.map((tenant) => tenant.tenantId),
        () => [],
      );
      const workflowIds = [
        jobId,
        ...tenantIds.flatMap((tenantId) => [tenantWorkflowId(jobId, tenantId), tenantLeaseWorkflowId(tenantId)]),
      ];
      parts.push(await workflowStandings(this.world.client, [...new Set(workflowIds)], since));
    }
    for (const [tenantId, stats] of Object.entries(this.stats())) {
      const log = this.world.sim.state.requestLog(tenantId);
      const last = log.at(-1);
      parts.push(
        `tenant ${tenantId}: ${stats.assignmentsApplied} applied, ${log.length} requests logged` +
          (last ? `, the last at +${last.at - since} ms by ${last.worker ?? '?'}` : ''),
      );
    }
    for (const [where, text] of this.logs) parts.push(`${where}, its end:\n${text().slice(-4_000)}`);
    return parts.join('\n');
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.kill()));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.stopWorkers();
      await this.world.close();
    })();
    return this.closing;
  }
}

export type SceneBody = (scene: Scene) => Promise<Omit<ScenarioOutcome, 'secretsFound' | 'crossOrgTokenUses'>>;

/**
 * Runs `body` on a fresh scene, then searches the scene's histories and logs for its secrets and tokens, and
 * records the evidence for the suite-wide checks. Everything is stopped however the body ends.
 */
export async function inScene(
  suite: Suite,
  label: string,
  options: SceneOptions,
  body: SceneBody,
): Promise<ScenarioOutcome> {
  const world = await createWorld({
    ...options,
    address: options.address ?? suite.address,
    workers: false,
    // Worker processes read a 429 some milliseconds after it was sent; requests already on the wire are not violations.
    // The simulator's fault draws follow the run's seed too, so `--seed` replays which requests and updates fail.
    simulator: { violationGraceMs: 25, seed: suite.seed, ...options.simulator },
  });
  const scene = new Scene(world, label);
  suite.cleanup.add(() => scene.close());
  try {
    let outcome;
    try {
      outcome = await beforeDeadline(body(scene), scene, suite.deadlineAt);
    } catch (error) {
      // What was captured still counts for the suite-wide secret search; an overdue scene has no time left for it.
      if (!(error instanceof Overdue))
        await withTimeout(scene.evidence(), 60_000, 'evidence').then(
          (evidence) => suite.ledger.add(evidence),
          () => undefined,
        );
      throw error;
    }
    const { assignments, applied, failedWithReason, lost, duplicatePuts, violations } = outcome;
    const evidence = await scene.evidence();
    suite.ledger.add({
      ...evidence,
      figures: { assignments, applied, failedWithReason, lost, duplicatePuts, violations },
    });
    const hits = findIn(evidence.secrets, [...evidence.texts]);
    const histories = [...evidence.texts.keys()].filter((where) => where.startsWith('history')).length;
    return {
      ...outcome,
      secretsFound: hits.length,
      crossOrgTokenUses: evidence.crossOrgTokenUses,
      checks: [
        ...outcome.checks,
        check(
          'no client secret or access token in any history or log of the scenario',
          hits.length === 0 && evidence.secrets.length > 0 && evidence.unread.length === 0,
          `${evidence.secrets.length} secrets and tokens searched in ${histories} histories and ` +
            `${evidence.texts.size - histories} logs: ${hits.length === 0 ? 'none found' : hits.join('; ')}` +
            (evidence.unread.length > 0 ? `; histories that could not be read: ${evidence.unread.join('; ')}` : ''),
        ),
        check(
          "no tenant's token used on another tenant's data",
          evidence.crossOrgTokenUses === 0,
          `simulator crossOrgTokenUses = ${evidence.crossOrgTokenUses}`,
        ),
      ],
    };
  } finally {
    await scene.close();
  }
}

/**
 * The body's outcome, or, when `deadlineAt` comes first, an `Overdue` error with where the scene stands. The body is
 * left to fail on its own once the scene closes.
 */
async function beforeDeadline<T>(outcome: Promise<T>, scene: Scene, deadlineAt: number | undefined): Promise<T> {
  if (deadlineAt === undefined) return outcome;
  outcome.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const seconds = Math.round((Date.now() - scene.startedAt) / 1_000);
      void withTimeout(scene.standing(), 20_000, 'reading where the scene stands')
        .catch((error: unknown) => (error instanceof Error ? error.message : String(error)))
        .then((where) => reject(new Overdue(`scene "${scene.label}" had not finished after ${seconds} s`, where)));
    }, deadlineAt - Date.now());
  });
  try {
    return await Promise.race([outcome, overdue]);
  } finally {
    clearTimeout(timer);
  }
}
