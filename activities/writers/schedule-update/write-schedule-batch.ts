/**
 * A batch of the Genesys writer: its rows (all of one schedule) become rounds of one schedule update each, until
 * every row is in the schedule or refused. A round reads the schedule, plans against it (`plan.ts`), uploads the
 * gzip-encoded update, starts it and waits for its ending; then the next round reads again, which is how the
 * writer checks what landed. Rounds of one schedule run one at a time in this process (`keyed-locks.ts`).
 *
 * Crashes and lost answers: the platform has no idempotency key, so a retry never re-sends blindly. Before
 * starting an update, the attempt records in its heartbeat the schedule version it built on; the next attempt,
 * seeing that record, first waits until that update has ended (the version moved on, or its time ran out), then
 * reads and plans afresh: shifts that landed are found and not sent again, and an update built on a stale
 * version is refused by the platform rather than applied twice.
 */
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { BatchOutcome } from '../../../contracts/batch';
import { failureTypes } from '../../../contracts/names';
import { SCHEDULE_UPDATE_ATTEMPT_MARGIN_MS } from '../../../contracts/timing';
import { Fault, type TenantRequests } from '../../http/gated-request';
import type { HeartbeatProgress } from '../writer';
import { planRound, type PlannedRow } from './plan';
import { schedulesTopic, type SchedulePlace } from './platform';
import { Refused, ScheduleApi, VersionConflict } from './schedule-api';
import type { ScheduleUpdateTenant } from './tenant-state';

/** Rounds in one attempt after which rows still missing are a fault: the platform said Complete but lacks them. */
const MAX_COMPLETED_ROUNDS = 3;
/** Rounds refused for a changed schedule (someone else's edit came first) before the attempt gives up. */
const MAX_CONFLICTS = 5;
/**
 * Fresh rounds (new upload URL, upload, update) after a 400 on `…/update`: an upload key that expired or was spent
 * is cured by a new one; more 400s in a row mean the platform refuses the update itself.
 */
const MAX_FRESH_UPLOADS = 2;
/** While the channel is live, the schedule is still read back, this many poll intervals apart, in case its event was lost. */
const READ_BACK_WHILE_LIVE_POLLS = 3;

/** An update this batch started and has not seen end: in the heartbeat, for the next attempt. */
export const pendingUpdateSchema = z.object({
  scheduleId: z.string(),
  /** The version the update was built on: once the schedule is past it, the update has ended. */
  fromVersion: z.number().int(),
  operationId: z.string().optional(),
  postedAt: z.number(),
});
export type PendingUpdate = z.infer<typeof pendingUpdateSchema>;

export interface ScheduleBatch {
  place: SchedulePlace;
  rows: PlannedRow[];
}

/** How waiting for an update ended. */
type Ending = 'Complete' | 'Error' | 'Canceled' | 'moved-on' | 'still-processing';

/** @param progress its `details` is the `PendingUpdate` of this batch, for the next attempt */
export async function writeScheduleBatch(
  batch: ScheduleBatch,
  requests: TenantRequests,
  genesys: ScheduleUpdateTenant,
  progress: HeartbeatProgress,
): Promise<BatchOutcome> {
  const { place, rows } = batch;
  const { context, tenant } = requests;
  const api = new ScheduleApi(requests);
  const release = await genesys.scheduleLocks.acquire(`${place.businessUnitId}/${place.scheduleId}`);
  const present = new Set<number>();
  try {
    const earlier = pendingUpdateSchema.safeParse(context.info.heartbeatDetails);
    if (earlier.success && earlier.data.scheduleId === place.scheduleId) {
      progress.details = earlier.data;
      const ending = await awaitEnding(earlier.data, api, genesys, requests, place);
      if (ending === 'still-processing') throw stillProcessing(earlier.data, place);
      progress.details = undefined;
    }
    let completed = 0;
    let conflicts = 0;
    let freshUploads = 0;
    for (;;) {
      const state = await api.readState(
        place,
        rows.map((row) => row.assignment.userId),
      );
      const plan = planRound(rows, state);
      for (const offset of plan.present) present.add(offset);
      if (!plan.upload) return { outcome: 'done', applied: plan.present.length, failures: plan.refused };
      if (completed >= MAX_COMPLETED_ROUNDS)
        throw new Fault(
          `schedule ${place.scheduleId}: ${plan.sending.length} shift(s) are still not in the schedule after ` +
            `${completed} update(s) the platform reported complete`,
          failureTypes.scheduleUpdateFailed,
        );

      const gzipped = gzipSync(JSON.stringify(plan.upload));
      const ticket = await api.uploadUrl(place, gzipped.length);
      await api.upload(ticket, gzipped);
      const topic = schedulesTopic(place.businessUnitId);
      if (tenant.settings.genesys.notifications === 'websocket') await genesys.scheduleEvents.listen(topic, api);

      // Recorded before the start: its answer may be lost, and the next attempt must not start another blindly.
      const pending: PendingUpdate = { scheduleId: place.scheduleId, fromVersion: state.version, postedAt: Date.now() };
      progress.details = pending;
      context.heartbeat(pending);
      let started;
      try {
        started = await api.startUpdate(place, ticket.uploadKey);
      } catch (error) {
        const keyRefused = error instanceof Refused && error.reason.status === 400;
        if (!(error instanceof VersionConflict) && !keyRefused) throw error;
        progress.details = undefined; // nothing was started
        if (keyRefused && ++freshUploads > MAX_FRESH_UPLOADS) throw roundsRefused(error, freshUploads);
        if (!keyRefused && ++conflicts > MAX_CONFLICTS) throw conflictFault(place, conflicts);
        continue;
      }
      if (started.operationId !== undefined) pending.operationId = started.operationId;
      const ending: Ending =
        started.status === 'Processing' ? await awaitEnding(pending, api, genesys, requests, place) : started.status;
      if (ending === 'still-processing') throw stillProcessing(pending, place);
      progress.details = undefined;
      if (ending === 'Complete' || ending === 'moved-on') {
        completed++;
        continue;
      }
      // Error or Canceled, with no reason given. A schedule that moved on meanwhile was a conflict: go again.
      const version = await api.readVersion(place);
      if (version !== pending.fromVersion && ++conflicts <= MAX_CONFLICTS) continue;
      throw new Fault(
        `the platform ended update ${pending.operationId ?? '(no id)'} of schedule ${place.scheduleId} with ` +
          `${ending} and gave no reason (${plan.sending.length} shift(s) of ${plan.upload.agentSchedules.length} ` +
          'agent(s)); nothing of it was applied',
        failureTypes.scheduleUpdateFailed,
      );
    }
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    return refusedOutcome(error, rows, present);
  } finally {
    release();
  }
}

/**
 * Waits for the update to end: its event on the channel, or the schedule's version past the one it was built on,
 * read back every poll interval (every third while the channel is live, in case the event was lost).
 */
async function awaitEnding(
  pending: PendingUpdate,
  api: ScheduleApi,
  genesys: ScheduleUpdateTenant,
  requests: TenantRequests,
  place: SchedulePlace,
): Promise<Ending> {
  const { context } = requests;
  const settings = requests.tenant.settings.genesys;
  const events = genesys.scheduleEvents;
  const topic = schedulesTopic(place.businessUnitId);
  const attemptEndsAt =
    context.info.currentAttemptScheduledTimestampMs +
    (context.info.startToCloseTimeoutMs ?? Infinity) -
    SCHEDULE_UPDATE_ATTEMPT_MARGIN_MS;
  const givesUpAt = pending.postedAt + settings.completionTimeoutMs;
  for (;;) {
    const ended = pending.operationId !== undefined ? events.ended(pending.operationId) : undefined;
    if (ended) return ended.status === 'Processing' ? 'still-processing' : ended.status;
    const now = Date.now();
    if (now >= givesUpAt) return 'moved-on'; // its time is up: read and plan afresh; the version guards the rest
    if (now >= attemptEndsAt) return 'still-processing';
    const live = settings.notifications === 'websocket' && events.live(topic);
    const pause = Math.min(
      givesUpAt - now,
      attemptEndsAt - now,
      live ? settings.pollMs * READ_BACK_WHILE_LIVE_POLLS : settings.pollMs,
    );
    if (live && pending.operationId !== undefined) {
      const result = await events.wait(pending.operationId, pause, context.cancellationSignal);
      if (typeof result === 'object') return result.status === 'Processing' ? 'still-processing' : result.status;
    } else {
      await sleep(pause, context.cancellationSignal);
    }
    if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
    if ((await api.readVersion(place)) !== pending.fromVersion) return 'moved-on';
  }
}

function stillProcessing(pending: PendingUpdate, place: SchedulePlace): Fault {
  return new Fault(
    `update ${pending.operationId ?? '(answer lost)'} of schedule ${place.scheduleId} was still processing when ` +
      "this attempt's time ran out; the next attempt waits for it before writing again",
    failureTypes.scheduleUpdatePending,
  );
}

function conflictFault(place: SchedulePlace, conflicts: number): Fault {
  return new Fault(
    `schedule ${place.scheduleId} changed under ${conflicts} updates in a row (the platform refused them as stale)`,
    failureTypes.scheduleUpdateFailed,
  );
}

/** The last 400 on `…/update`, saying how many upload rounds it ended. */
function roundsRefused(refusal: Refused, rounds: number): Refused {
  const message = `${refusal.reason.message} (after ${rounds} upload rounds, each with its own upload key)`;
  return new Refused({ ...refusal.reason, message }, refusal.forbidden, refusal.scheduleMissing);
}

/**
 * A refusal for good: rows found in the schedule stay applied; the rest fail with the platform's reason. A 403
 * before anything was found stops the tenant (its client lacks a permission); a 404 on the schedule spares its
 * other batches.
 */
function refusedOutcome(refusal: Refused, rows: readonly PlannedRow[], present: ReadonlySet<number>): BatchOutcome {
  const rest = rows.filter((row) => !present.has(row.offset));
  if (present.size === 0) {
    if (refusal.forbidden)
      return { outcome: 'tenant-forbidden', reason: refusal.reason, count: rows.length, failures: [] };
    return {
      outcome: 'rejected',
      reason: refusal.reason,
      count: rows.length,
      failures: [],
      ...(refusal.scheduleMissing && { scheduleMissing: true }),
    };
  }
  return {
    outcome: 'done',
    applied: present.size,
    failures: rest.map((row) => ({ offset: row.offset, reason: refusal.reason })),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
