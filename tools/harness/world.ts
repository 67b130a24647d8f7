/**
 * A world for tests, the benchmark and the fault suite: a Temporal server (given), a simulator with tenants of
 * this world's own (so task queues never meet another world's), a fresh store, a tenants file, and Workers of
 * the real worker code in this process (or none, when worker processes are spawned instead).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { WorkerLogger, forwardedLogging } from '../../worker/runtime';
import type { JobInput } from '../../contracts/job';
import { DEFAULT_JOB_OPTIONS, type JobOptions, type JobTuning } from '../../contracts/job-options';
import type { TenantResult } from '../../contracts/tenant';
import { tenantLeaseWorkflowId, tenantWorkflowId } from '../../contracts/names';
import type { bulkJob, tenantAssignments } from '../../workflows';
import type { TenantSettings } from '../../contracts/tenants';
import { resolveTenants, tenantsFileSchema, type TenantsFile } from '../../contracts/tenants';
import type { GenesysSettingsInput, Writer } from '../../contracts/writers';
import { readInputFile, tenantChecks } from '../../client/input';
import { codecFromEnv } from '../../codec/data-converter';
import { newJobId, prepareJob } from '../../client/jobs/prepare';
import { startJob } from '../../client/jobs/start';
import { startSimulator, type OrgConfigInput, type RunningSimulator, type SimulatorConfigInput } from '../simulator';
import type { BlobStore } from '../../store/blob-store';
import { openRawStore, openStore } from '../../store/open-store';
import { loadTenantsFile } from '../../config/tenants-file';
import { WorkerSet, type WorkerSetOptions } from '../../worker/workers';

/** The SDK's own logs at WARN, so test output stays readable; once per process. */
function quietRuntime() {
  try {
    Runtime.install({ logger: new WorkerLogger('WARN'), telemetryOptions: { logging: forwardedLogging('WARN') } });
  } catch {
    // already installed by an earlier world in this process
  }
}

export type StartOptions = Partial<JobOptions> & { jobId?: string; tuning?: JobTuning };

/** What a test may change of the in-process Workers. */
export type WorkerOverrides = Partial<Pick<WorkerSetOptions, 'maxTenants' | 'idleCloseMs' | 'loadTenants'>>;

export interface WorldOptions {
  /** Organisations, ids without the world suffix; default: the simulator's defaults. */
  orgs?: OrgConfigInput[];
  simulator?: Omit<SimulatorConfigInput, 'orgs'>;
  /** Per-tenant limits in the tenants file. */
  limits?: Record<string, { concurrency?: number; ratePerSecond?: number; burst?: number }>;
  /**
   * Per-tenant writer (and its settings) in the tenants file; the PUT writer when absent. A tenant of the Genesys
   * writer gets business unit `bu-1` described in its org (see {@link genesysBusinessUnit}) unless its org's
   * `buSchedules` describes business units itself.
   */
  writers?: Record<string, { writer: Writer; genesys?: GenesysSettingsInput }>;
  /** Agents `bu-1` lists for the Genesys tenants: default {@link GENESYS_AGENTS}. */
  genesysAgents?: number;
  /** Orgs (names without the world suffix) whose client secret the tenants file reads from a file (`secretFile`). */
  secretFiles?: string[];
  /** Start Workers in this process (default true). */
  workers?: boolean;

  /** Temporal frontend to use. */
  address: string;
  /** Prebuilt workflow code for in-process Workers; bundled from workflows/ when omitted. */
  workflowBundleCode?: string;
  /**
   * Payload encryption keys (`WFM_CODEC_KEYS` format) for this world's client, in-process Workers and worker
   * processes (through `env`); off when omitted.
   */
  codecKeys?: string;
  /**
   * A shared claim-check store for this world (`WFM_STORE_URL` with `WFM_S3_ENDPOINT` and `AWS_*`, e.g. the env of
   * `tools/s3/server.ts`): the world keeps its blobs under a prefix of its own in it. A fresh folder when omitted.
   */
  storeEnv?: NodeJS.ProcessEnv;
}

export interface World {
  suffix: string;
  /** Tenant id in this world for an org name given in options (e.g. `acme` → `acme-k3f9`). */
  tenant(name: string): string;
  sim: RunningSimulator;
  client: Client;
  /** Sealed with the codec keys when the world has them. */
  store: BlobStore;
  /** The same store as it holds its blobs: sealed ones are not opened (what someone reading the bucket sees). */
  rawStore: BlobStore;
  /** The store's folder (empty when the world was given a shared store, `storeEnv`). */
  storeDir: string;
  tenants: Map<string, TenantSettings>;
  tenantsFile: string;
  /** The file holding an org's client secret, for orgs named in `secretFiles`. */
  secretFile(tenantId: string): string;
  /** Environment a worker process of this world needs (secrets, store, tenants, Temporal address, codec keys). */
  env: NodeJS.ProcessEnv;
  address: string;
  dir: string;
  /** The in-process Workers, while started. */
  readonly workers: WorkerSet | undefined;
  /** Starts the in-process Workers; by default they read this world's tenants file. */
  startWorkers(options?: WorkerOverrides): Promise<void>;
  stopWorkers(): Promise<void>;
  /** Writes `rows` as NDJSON, validates and stores them, starts the job. */
  startJobFromRows(rows: object[], options?: StartOptions): Promise<JobInput>;
  /** A tenant workflow's result, once its job has finished. */
  tenantResult(jobId: string, tenantId: string): Promise<TenantResult>;
  close(): Promise<void>;
}

export async function createWorld(options: WorldOptions): Promise<World> {
  quietRuntime();
  const suffix = Math.random().toString(36).slice(2, 6);
  const tenant = (name: string) => `${name}-${suffix}`;
  const orgs = (options.orgs ?? [{ id: 'acme' }, { id: 'globex' }, { id: 'initech' }]).map((org) => ({
    // The faults follow the org's own name, not its per-run id: a given simulator seed replays them.
    seedLabel: org.id,
    ...org,
    ...(options.writers?.[org.id]?.writer === 'genesys-schedule-update' && {
      buSchedules: withGenesysBusinessUnit(org.buSchedules, options.genesysAgents ?? GENESYS_AGENTS),
    }),
    id: tenant(org.id),
  }));
  // The simulator shares this process's event loop with the worker, so a 429 may be read by the client some
  // milliseconds after it was sent; requests sent before the client could read it are not violations.
  const sim = await startSimulator({ violationGraceMs: 25, ...options.simulator, orgs });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wfm-bulk-test-'));
  const storeDir = path.join(dir, 'store');
  const codec = options.codecKeys ? codecFromEnv({ WFM_CODEC_KEYS: options.codecKeys }) : undefined;
  // What names the store, for this process and worker processes alike: the given store under a prefix of this
  // world's own, or a folder. The other variable is set empty, so a value in the test run's environment is ignored.
  const storeUrl = options.storeEnv?.WFM_STORE_URL;
  const storeVariables: NodeJS.ProcessEnv = storeUrl
    ? { ...options.storeEnv, WFM_STORE_URL: `${storeUrl.replace(/\/+$/, '')}/world-${suffix}/`, WFM_STORE_DIR: '' }
    : { WFM_STORE_DIR: storeDir, WFM_STORE_URL: '' };
  const store = openStore({ ...storeVariables, ...(options.codecKeys && { WFM_CODEC_KEYS: options.codecKeys }) });
  const address = options.address;

  const env: NodeJS.ProcessEnv = { ...storeVariables, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' };
  const secretFile = (tenantId: string) => path.join(dir, `${tenantId}.secret`);
  const file: TenantsFile = {
    defaults: { apiBaseUrl: sim.url, loginUrl: sim.url },
    tenants: await Promise.all(
      sim.state.config.orgs.map(async (org) => {
        const name = org.id.slice(0, -suffix.length - 1);
        const base = {
          id: org.id,
          clientId: org.clients[0]!.clientId,
          ...options.limits?.[name],
          ...options.writers?.[name],
        };
        if (options.secretFiles?.includes(name)) {
          await writeFile(secretFile(org.id), `${org.clients[0]!.clientSecret}\n`, { mode: 0o600 });
          return { ...base, clientSecretFile: secretFile(org.id) };
        }
        const secretEnv = `WFM_TEST_SECRET_${org.id.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
        env[secretEnv] = org.clients[0]!.clientSecret;
        return { ...base, clientSecretEnv: secretEnv };
      }),
    ),
  };
  const tenantsFile = path.join(dir, 'tenants.json');
  await writeFile(tenantsFile, JSON.stringify(file, null, 2));
  env.WFM_TENANTS = tenantsFile;
  const tenants = resolveTenants(tenantsFileSchema.parse(file));
  if (options.codecKeys) env.WFM_CODEC_KEYS = options.codecKeys;
  const dataConverter = codec && { payloadCodecs: [codec] };

  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, ...(dataConverter && { dataConverter }) });
  let workerConnection: NativeConnection | undefined;
  let workers: WorkerSet | undefined;
  let running: Promise<unknown> | undefined;

  const world: World = {
    suffix,
    tenant,
    sim,
    client,
    store,
    rawStore: openRawStore(storeVariables),
    storeDir,
    tenants,
    tenantsFile,
    secretFile,
    env,
    address,
    dir,
    get workers() {
      return workers;
    },
    async startWorkers(overrides = {}) {
      workerConnection ??= await NativeConnection.connect({ address });
      workers = await WorkerSet.create({
        connection: workerConnection,
        namespace: 'default',
        loadTenants: () => loadTenantsFile(tenantsFile),
        store,
        env,
        ...(options.workflowBundleCode && { workflowBundle: { code: options.workflowBundleCode } }),
        ...(dataConverter && { dataConverter }),
        ...overrides,
      });
      running = workers.run();
    },
    async stopWorkers() {
      workers?.shutdown();
      await running;
      workers = undefined;
      running = undefined;
    },
    async startJobFromRows(rows, jobOptions = {}) {
      const inputFile = path.join(dir, `input-${Math.random().toString(36).slice(2, 8)}.ndjson`);
      await writeFile(inputFile, rows.map((row) => JSON.stringify(row)).join('\n'));
      const parsed = await readInputFile(inputFile, tenantChecks(tenants));
      const { tuning, jobId, ...options } = jobOptions;
      const prepared = await prepareJob(parsed, tenants, store, {
        ...DEFAULT_JOB_OPTIONS,
        ...options,
        jobId: jobId ?? newJobId(),
      });
      const input = { ...prepared, ...(tuning && { tuning }) };
      // As the CLI does: the store's id goes with the job, for the workers to compare with theirs.
      await startJob(client, input, { storeId: await store.identity() });
      return input;
    },
    async tenantResult(jobId, tenantId) {
      await client.workflow.getHandle<typeof bulkJob>(jobId).result();
      return client.workflow.getHandle<typeof tenantAssignments>(tenantWorkflowId(jobId, tenantId)).result();
    },
    async close() {
      await world.stopWorkers();
      // The tenants' leases outlive their jobs for a moment (waiting for a next job): ended here, so no worker
      // process of a later world on the same server picks up their holds.
      await Promise.all(
        [...tenants.keys()].map((tenantId) =>
          client.workflow
            .getHandle(tenantLeaseWorkflowId(tenantId))
            .terminate('the test world is closing')
            .catch(() => undefined),
        ),
      );
      await workerConnection?.close();
      await clientConnection.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  if (options.workers !== false) await world.startWorkers();
  return world;
}

export interface AssignmentRow {
  tenantId: string;
  scheduleId: string;
  id: string;
  userId: string;
  start: string;
  end: string;
}

/** Rows of `count` valid assignments for a tenant, spread over its schedules. */
export function assignmentRows(
  tenantId: string,
  schedules: readonly string[],
  count: number,
  prefix = 'a',
): AssignmentRow[] {
  return Array.from({ length: count }, (_, i) => {
    const start = new Date(Date.UTC(2027, 0, 1 + (i % 28), 8 + (i % 8)));
    return {
      tenantId,
      scheduleId: schedules[i % schedules.length]!,
      id: `${prefix}-${i + 1}`,
      userId: `user-${(i % 50) + 1}`,
      start: start.toISOString(),
      end: new Date(start.getTime() + 8 * 3600_000).toISOString(),
    };
  });
}

/** A row for a tenant of the Genesys writer: an assignment plus where its schedule lives and its activity code. */
export interface GenesysRow extends AssignmentRow {
  businessUnitId: string;
  weekId: string;
  activityCodeId: string;
}

/** The week (a Monday, `weekDate`) the Genesys rows fall in. */
export const GENESYS_WEEK = '2027-01-04';

/** Agents {@link genesysRows} spreads `count` rows over: 50 per 350 rows. */
export function genesysAgentCount(count: number): number {
  return 50 * Math.ceil(count / 350);
}

/** Agents `bu-1` lists by default: enough for `genesysRows` of up to 21,000 rows a tenant (the bench's most is 20,000). */
export const GENESYS_AGENTS = genesysAgentCount(21_000);

/**
 * Business unit `bu-1` as the Genesys rows need it described: UTC weeks from Monday, activity codes `ac-work` (paid),
 * `ac-meeting` and `ac-break` (not paid), and management unit `mu-1` holding agents `user-1`..`user-<agents>`.
 */
export function genesysBusinessUnit(agents = GENESYS_AGENTS) {
  return {
    id: 'bu-1',
    timeZone: 'UTC',
    startDayOfWeek: 'Monday' as const,
    activityCodes: [
      { id: 'ac-work', name: 'Work', category: 'OnQueueWork' as const },
      { id: 'ac-meeting', name: 'Meeting', category: 'Meeting' as const, countsAsPaidTime: false },
      { id: 'ac-break', name: 'Break', category: 'Break' as const, countsAsPaidTime: false },
    ],
    managementUnits: [{ id: 'mu-1', users: Array.from({ length: agents }, (_, i) => `user-${i + 1}`) }],
  };
}

/** An org's `buSchedules` with `bu-1` described, unless it describes business units of its own. */
function withGenesysBusinessUnit(buSchedules: OrgConfigInput['buSchedules'], agents: number) {
  if (buSchedules?.businessUnits !== undefined) return buSchedules;
  return { ...buSchedules, businessUnits: [genesysBusinessUnit(agents)] };
}

/**
 * Rows of `count` valid assignments for a tenant of the Genesys writer, all in business unit `bu-1` and the week of
 * `GENESYS_WEEK`, spread over its schedules and 50 agents per 350 rows; no two shifts of an agent overlap.
 */
export function genesysRows(tenantId: string, schedules: readonly string[], count: number, prefix = 'g'): GenesysRow[] {
  // 50 agents per 350 rows: an agent's rows are 7 × agents apart, one a day, so no two of its shifts overlap.
  const agents = genesysAgentCount(count);
  return Array.from({ length: count }, (_, i) => {
    const start = new Date(Date.parse(`${GENESYS_WEEK}T00:00:00Z`) + (i % 7) * 86_400_000 + (6 + (i % 8)) * 3_600_000);
    return {
      tenantId,
      scheduleId: schedules[i % schedules.length]!,
      businessUnitId: 'bu-1',
      weekId: GENESYS_WEEK,
      id: `${prefix}-${i + 1}`,
      userId: `user-${(i % agents) + 1}`,
      start: start.toISOString(),
      end: new Date(start.getTime() + 8 * 3_600_000).toISOString(),
      activityCodeId: 'ac-work',
    };
  });
}

/** A shift the simulator's schedules hold, by what the Genesys writer matches rows on. */
export interface HeldShift {
  tenantId: string;
  scheduleId: string;
  userId: string;
  startMs: number;
  lengthMinutes: number;
  activityCodeIds: string[];
}

/** Every shift the simulator's schedules hold for `tenantId`. */
export function heldShifts(world: World, tenantId: string): HeldShift[] {
  return world.sim.state
    .requireOrg(tenantId)
    .buSchedules.snapshot()
    .flatMap((schedule) =>
      schedule.agents.flatMap((agent) =>
        agent.shifts.map((shift) => ({
          tenantId,
          scheduleId: schedule.scheduleId,
          userId: agent.userId,
          startMs: Date.parse(shift.startDate),
          lengthMinutes: shift.lengthMinutes,
          activityCodeIds: shift.activities.map((activity) => activity.activityCodeId ?? ''),
        })),
      ),
    );
}

/** A shift's content as text (unambiguous, readable in a test's diff), with one activity code when given. */
export function shiftKey(shift: Omit<HeldShift, 'activityCodeIds'>, activityCodeId?: string): string {
  const { tenantId, scheduleId, userId, startMs, lengthMinutes } = shift;
  return JSON.stringify([tenantId, scheduleId, userId, new Date(startMs).toISOString(), lengthMinutes, activityCodeId]);
}

/** The key of the shift a Genesys row asks for. */
export function rowShiftKey(row: GenesysRow): string {
  const startMs = Date.parse(row.start);
  const lengthMinutes = (Date.parse(row.end) - startMs) / 60_000;
  return shiftKey({ ...row, startMs, lengthMinutes }, row.activityCodeId);
}

/** Distinct shifts (agent, start, length) the simulator's schedules hold, over every org of the world. */
export function genesysShiftsHeld(world: World): number {
  const held = world.sim.state.config.orgs.flatMap((org) => heldShifts(world, org.id).map((shift) => shiftKey(shift)));
  return new Set(held).size;
}
