/**
 * A batch of the Genesys writer: its rows (all of one schedule) are checked against the business unit's data
 * (`checks.ts`), then become rounds of one schedule update each, until every row is in the schedule or refused.
 * A round reads the schedule, plans against it (`plan.ts`), uploads the gzip-encoded update, starts it and waits for
 * its ending; the next round reads again, which is how the writer checks what landed. An update the platform ends
 * `Error` while the schedule did not move is split until the rows it refuses stand alone (`isolation.ts`). Rounds
 * of one schedule run one at a time in this process (`keyed-locks.ts`).
 *
 * No double write, whatever the platform does with versions: the platform has no idempotency key, and may neither
 * refuse an update built on a stale version nor answer reads with what it has just finished. So before starting an
 * update the attempt records in its heartbeat the rows it sends; a later attempt, seeing that record, first waits
 * for that update's end — its event, its rows found in the schedule, or four completion timeouts — and never starts
 * another meanwhile. What landed is judged by content, on reads no older than what the batch already knows
 * (`freshness.ts`, whose floors the heartbeat carries too).
 */
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { BatchOutcome } from '../../../contracts/batch';
import type { FailureReason } from '../../../contracts/failures';
import { failureTypes } from '../../../contracts/names';
import { SCHEDULE_UPDATE_ATTEMPT_MARGIN_MS } from '../../../contracts/timing';
import { GateWaitTooLong, LeaseNotHeldError } from '../../../pacing/waiting-room';
import { OAuthError } from '../../auth/oauth';
import { heartbeatNow } from '../../heartbeat-now';
import { Fault, Throttled, type TenantRequests } from '../../http/gated-request';
import type { HeartbeatProgress } from '../writer';
import { Freshness, agentFloorsOf, floorsSchema } from './freshness';
import { Isolation } from './isolation';
import { locate, refusedRows, type ScheduleBatch } from './locate';
import { planRound, type PlannedRow, type ScheduleState } from './plan';
import { schedulesTopic, type ScheduleNotification, type SchedulePlace } from './platform';
import { Refused, ScheduleApi, VersionConflict } from './schedule-api';
import type { ScheduleUpdateTenant } from './tenant-state';

/** Rounds of one group after which rows still missing are a fault: the platform said Complete but lacks them. */
const MAX_COMPLETED_ROUNDS = 3;
/** How long recording an update in Temporal may take before the attempt gives up starting it. */
const RECORD_DEADLINE_MS = 10_000;
/** Rounds refused for a changed schedule (someone else's edit came first) before the attempt gives up. */
const MAX_CONFLICTS = 5;
/**
 * Fresh rounds (new upload URL, upload, update) after a 400 on `…/update`: an upload key that expired or was spent
 * is cured by a new one; more 400s in a row mean the platform refuses the update itself.
 */
const MAX_FRESH_UPLOADS = 2;
/**
 * An update whose end nothing shows (answer and event lost, its rows not in the schedule) is waited for this many
 * times `completionTimeoutSeconds` after it was posted, over attempts, before its rows are taken as not applied
 * and planned again: a platform slower than the setting must not get them twice.
 */
const UNSEEN_END_PATIENCE = 4;
/** While the channel is live, the schedule is still read back, this many poll intervals apart, in case its event was lost. */
const READ_BACK_WHILE_LIVE_POLLS = 3;

/** An update this batch started and has not seen end. */
const pendingUpdateSchema = z.object({
  /** The schedule version the update was built on. */
  fromVersion: z.number().int(),
  operationId: z.string().optional(),
  postedAt: z.number(),
  /** The rows it sends (offsets in the batch): found in the schedule, it has landed. */
  offsets: z.array(z.number().int()).optional(),
  /** Its agents' floors (`agentFloorsOf`), raised once it is known to have landed. */
  agentFloors: z.array(z.tuple([z.string(), z.number().int()])).optional(),
});
export type PendingUpdate = z.infer<typeof pendingUpdateSchema>;

/** What the heartbeat carries to the next attempt of the batch. */
const batchRecordSchema = z.object({
  scheduleId: z.string(),
  floors: floorsSchema.optional(),
  pending: pendingUpdateSchema.optional(),
});
type BatchRecord = z.infer<typeof batchRecordSchema>;

/** The record of an attempt of 0.6: the pending update alone, at the top level. */
const olderRecordSchema = pendingUpdateSchema.extend({ scheduleId: z.string() });

/** A record left by an earlier attempt of this batch, in either form. */
export function earlierRecord(details: unknown, scheduleId: string): BatchRecord | undefined {
  const record = batchRecordSchema.safeParse(details);
  if (record.success) return record.data.scheduleId === scheduleId ? record.data : undefined;
  const older = olderRecordSchema.safeParse(details);
  if (!older.success || older.data.scheduleId !== scheduleId) return undefined;
  const { scheduleId: _, ...pending } = older.data;
  return { scheduleId, pending };
}

/** How waiting for an update ended; `unknown`: its time ran out and nothing showed it. */
type Ending = 'Complete' | 'Error' | 'Canceled' | 'landed' | 'unknown' | 'still-processing';

/** @param progress its `details` is the batch's record (`batchRecordSchema`), for the next attempt */
export async function writeScheduleBatch(
  batch: ScheduleBatch,
  requests: TenantRequests,
  genesys: ScheduleUpdateTenant,
  progress: HeartbeatProgress,
): Promise<BatchOutcome> {
  const { rows, scheduleId } = batch;
  const { context, tenant } = requests;
  const api = new ScheduleApi(requests);
  const present = new Set<number>();
  const failures = new Map<number, FailureReason>();
  const fail = (offset: number, reason: FailureReason) => failures.set(offset, reason);
  try {
    let unit = await genesys.businessUnits.of(batch.businessUnitId, api);
    const located = await locate(batch, unit, genesys, api);
    for (const { offset, reason } of located.outside) fail(offset, reason);
    const place = located.place;
    if (!place) return outcome(present, failures);
    const release = await genesys.scheduleLocks.acquire(`${place.businessUnitId}/${place.scheduleId}`);
    try {
      const earlier = earlierRecord(progress.earlier, scheduleId);
      const freshness = new Freshness(earlier?.floors);
      const record = (pending?: PendingUpdate) => {
        const floors = freshness.floors;
        progress.details = { scheduleId, ...(floors && { floors }), ...(pending && { pending }) } satisfies BatchRecord;
        return progress.details;
      };
      const byOffset = new Map(rows.map((row) => [row.offset, row]));
      const rowsOf = (offsets: readonly number[]) => offsets.map((offset) => byOffset.get(offset)!);
      const reader = new Reader(api, place, freshness, requests);
      if (earlier?.pending) {
        record(earlier.pending);
        const ended = await awaitEnding(earlier.pending, rowsOf(earlier.pending.offsets ?? []), reader, genesys);
        if (ended.ending === 'still-processing') throw stillProcessing(earlier.pending, place);
        if (landed(ended.ending)) freshness.landed(earlier.pending, ended.version);
      }
      record();

      let isolation: Isolation | undefined;
      const refusedAlone = new Map<number, string[]>();
      let completed = 0;
      let conflicts = 0;
      let freshUploads = 0;
      for (;;) {
        const group = isolation ? isolation.current : located.rows.map((row) => row.offset);
        if (!group) return outcome(present, failures);
        const state = await reader.read(rowsOf(group));
        if (!isolation) {
          const checked = await refusedRows(located, place, state, unit, genesys, api);
          unit = checked.unit;
          const { refused } = checked;
          for (const [offset, reason] of refused) fail(offset, reason);
          isolation = new Isolation(located.rows.map((row) => row.offset).filter((offset) => !refused.has(offset)));
          if (!isolation.current) return outcome(present, failures);
        }
        // A row that failed in an earlier round (an overlap with a row of this batch) stays failed.
        const planned = rowsOf(isolation.current!.filter((offset) => !failures.has(offset)));
        const plan = planRound(planned, state, (code) => unit.activityCodes.get(code)?.paid ?? true);

        for (const offset of plan.present) present.add(offset);
        for (const { offset, reason } of plan.refused) fail(offset, reason);
        if (!plan.upload) {
          isolation.settled();
          completed = 0;
          continue;
        }
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

        // Recorded in Temporal before the start: its answer may be lost, and the next attempt must not start another
        // blindly, even if this process dies the moment it is sent.
        const pending: PendingUpdate = {
          fromVersion: state.version,
          postedAt: Date.now(),
          offsets: plan.sending,
          agentFloors: agentFloorsOf(plan.upload),
        };
        try {
          await heartbeatNow(context, record(pending), Date.now() + RECORD_DEADLINE_MS);
        } catch (error) {
          context.heartbeat(record());
          throw new Fault(
            `could not record update of schedule ${place.scheduleId} in Temporal before starting it (` +
              `${(error as Error).message}); nothing was started`,
            failureTypes.networkError,
          );
        }
        let started;
        try {
          started = await api.startUpdate(place, ticket.uploadKey);
        } catch (error) {
          // An answer that started nothing, or no request sent at all, leaves nothing for the next attempt to wait for.
          if (startedNothing(error)) context.heartbeat(record());
          const keyRefused = error instanceof Refused && error.reason.status === 400;
          if (!(error instanceof VersionConflict) && !keyRefused) throw error;
          if (keyRefused && ++freshUploads > MAX_FRESH_UPLOADS) throw roundsRefused(error, freshUploads);
          if (!keyRefused && ++conflicts > MAX_CONFLICTS) throw conflictFault(place, conflicts);
          continue;
        }
        if (started.operationId !== undefined) pending.operationId = started.operationId;
        const ended: { ending: Ending; version?: number } =
          started.status === 'Processing'
            ? await awaitEnding(pending, rowsOf(plan.sending), reader, genesys)
            : { ending: started.status, ...(started.version !== undefined && { version: started.version }) };
        if (ended.ending === 'still-processing') throw stillProcessing(pending, place);
        if (landed(ended.ending)) {
          freshness.landed(pending, ended.version);
          record();
          completed++;
          continue;
        }
        record();
        // Ended with no reason given, or nothing showed its end in time. A schedule that moved on meanwhile: a
        // conflict (someone else's edit), or, unseen, perhaps this update: go again, reading first. A version not
        // past the one it was built on: nothing of it was applied.
        if ((await api.readVersion(place)) > pending.fromVersion) {
          if (ended.ending === 'unknown') completed++;
          else if (++conflicts > MAX_CONFLICTS) throw conflictFault(place, conflicts);
          continue;
        }
        // Refused for what it holds: split it until the refused rows stand alone.
        completed = 0;
        const operation = pending.operationId ?? '(no id)';
        for (const offset of plan.sending) refusedAlone.set(offset, [...(refusedAlone.get(offset) ?? []), operation]);
        for (const offset of isolation.refused(plan.sending))
          fail(offset, {
            code: 'refused-by-platform',
            message:
              `the platform ended every update holding this row alone with ${ended.ending === 'unknown' ? 'no change to the schedule' : ended.ending} and no reason ` +
              `(operations ${(refusedAlone.get(offset) ?? []).join(', ')}); the other rows of the update landed`,
          });
      }
    } finally {
      release();
    }
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    return refusedOutcome(error, rows, present, failures);
  }
}

/**
 * Reads of the schedule no older than what the batch knows: a read below a floor is read again, a poll interval
 * later, until the attempt's time runs out.
 */
class Reader {
  readonly attemptEndsAt: number;

  constructor(
    readonly api: ScheduleApi,
    readonly place: SchedulePlace,
    private readonly freshness: Freshness,
    readonly requests: TenantRequests,
  ) {
    const { info } = requests.context;
    this.attemptEndsAt =
      info.currentAttemptScheduledTimestampMs +
      (info.startToCloseTimeoutMs ?? Infinity) -
      SCHEDULE_UPDATE_ATTEMPT_MARGIN_MS;
  }

  /** The schedule and the rows' agents, fresh. */
  async read(rows: readonly PlannedRow[]): Promise<ScheduleState> {
    const userIds = rows.map((row) => row.assignment.userId);
    const asked = new Set(userIds);
    const { pollMs, completionTimeoutMs } = this.requests.tenant.settings.genesys;
    const since = Date.now();
    for (;;) {
      const state = await this.api.readState(this.place, userIds);
      const stale = this.freshness.stale(state, asked);
      if (!stale) {
        this.freshness.saw(state);
        return state;
      }
      // An agent's floor unmet for a whole completion timeout: someone else removed the agent, or the platform
      // said Complete without applying it. No lag lasts that long: the read is taken, and what is missing is sent.
      if (Date.now() - since >= completionTimeoutMs && this.freshness.forgetAgents()) {
        this.requests.deps.log(
          `tenant ${this.requests.tenant.settings.id}: schedule ${this.place.scheduleId} still read without an ` +
            `update that landed (${stale}) after ${completionTimeoutMs} ms; reading on without the agents' floors`,
          { tenantId: this.requests.tenant.settings.id },
        );
        continue;
      }
      if (Date.now() + pollMs >= this.attemptEndsAt)
        throw new Fault(
          `schedule ${this.place.scheduleId} still read older than what this batch knows (${stale}) when the ` +
            "attempt's time ran out; the next attempt reads again",
          failureTypes.scheduleUpdatePending,
        );
      await sleep(pollMs, this.requests.context.cancellationSignal);
      if (this.requests.context.cancellationSignal.aborted) throw this.requests.context.cancellationSignal.reason;
    }
  }

  /**
   * Whether every one of `rows` is in the schedule (a lagging read may miss them: then not yet). A read that shows
   * them is at least as new as their update, so nothing older is taken after it.
   */
  async holds(rows: readonly PlannedRow[]): Promise<boolean> {
    if (rows.length === 0) return false;
    const state = await this.api.readState(
      this.place,
      rows.map((row) => row.assignment.userId),
    );
    if (planRound(rows, state).present.length !== rows.length) return false;
    this.freshness.saw(state);
    return true;
  }
}

/**
 * Waits for the update to end: its event on the channel, its answer, or its rows found in the schedule once its
 * version moved (read back every poll interval, every third while the channel is live, in case the event was
 * lost). A version that moved without its rows proves nothing (another editor, a lagging read): it waits on, until
 * `UNSEEN_END_PATIENCE` completion timeouts have passed. An update recorded by 0.6 names no rows: there a moved
 * version counts as its end.
 */
async function awaitEnding(
  pending: PendingUpdate,
  sent: readonly PlannedRow[],
  reader: Reader,
  genesys: ScheduleUpdateTenant,
): Promise<{ ending: Ending; version?: number }> {
  const { api, place, requests } = reader;
  const { context } = requests;
  const settings = requests.tenant.settings.genesys;
  const events = genesys.scheduleEvents;
  const topic = schedulesTopic(place.businessUnitId);
  const givesUpAt = pending.postedAt + settings.completionTimeoutMs * UNSEEN_END_PATIENCE;
  const fromEvent = (event: ScheduleNotification): { ending: Ending; version?: number } => ({
    ending: event.status === 'Processing' ? 'still-processing' : event.status,
    ...(event.result?.metadata && { version: event.result.metadata.version }),
  });
  for (;;) {
    const ended = pending.operationId !== undefined ? events.ended(pending.operationId) : undefined;
    if (ended) return fromEvent(ended);
    const now = Date.now();
    if (now >= givesUpAt) return { ending: 'unknown' }; // its time is up: read and plan afresh
    if (now >= reader.attemptEndsAt) return { ending: 'still-processing' };
    const live = settings.notifications === 'websocket' && events.live(topic);
    const pause = Math.min(
      givesUpAt - now,
      reader.attemptEndsAt - now,
      live ? settings.pollMs * READ_BACK_WHILE_LIVE_POLLS : settings.pollMs,
    );
    if (live && pending.operationId !== undefined) {
      const result = await events.wait(pending.operationId, pause, context.cancellationSignal);
      if (typeof result === 'object') return fromEvent(result);
    } else {
      await sleep(pause, context.cancellationSignal);
    }
    if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
    if ((await api.readVersion(place)) === pending.fromVersion) continue;
    if (pending.offsets === undefined) return { ending: 'unknown' };
    if (await reader.holds(sent)) return { ending: 'landed' };
  }
}

export function outcome(present: ReadonlySet<number>, failures: ReadonlyMap<number, FailureReason>): BatchOutcome {
  return {
    outcome: 'done',
    applied: present.size,
    failures: [...failures].sort(([a], [b]) => a - b).map(([offset, reason]) => ({ offset, reason })),
  };
}

/** The update is known to have taken effect: its answer or event said Complete, or its rows were found. */
function landed(ending: Ending): boolean {
  return ending === 'Complete' || ending === 'landed';
}

/** An error of `…/update` after which the update surely did not start: an answer refusing it, or nothing sent. */
function startedNothing(error: unknown): boolean {
  return (
    error instanceof Throttled ||
    error instanceof Refused ||
    error instanceof VersionConflict ||
    error instanceof GateWaitTooLong ||
    error instanceof LeaseNotHeldError ||
    error instanceof OAuthError
  );
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
 * A refusal for good: rows found in the schedule stay applied, rows already refused keep their own reason; the
 * rest fail with the platform's. A 403 before anything was found applied stops the tenant (its client lacks a
 * permission); a 404 on the schedule spares its other batches.
 */
export function refusedOutcome(
  refusal: Refused,
  rows: readonly PlannedRow[],
  present: ReadonlySet<number>,
  failures: ReadonlyMap<number, FailureReason>,
): BatchOutcome {
  if (present.size === 0) {
    const refusedAlready = [...failures].map(([offset, reason]) => ({ offset, reason }));
    const count = rows.length - failures.size;
    if (refusal.forbidden)
      return { outcome: 'tenant-forbidden', reason: refusal.reason, count, failures: refusedAlready };
    return {
      outcome: 'rejected',
      reason: refusal.reason,
      count,
      failures: refusedAlready,
      ...(refusal.scheduleMissing && { scheduleMissing: true }),
    };
  }
  const all = new Map(failures);
  for (const row of rows) if (!present.has(row.offset) && !all.has(row.offset)) all.set(row.offset, refusal.reason);
  return outcome(present, all);
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
