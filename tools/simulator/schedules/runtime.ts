/**
 * Everything the schedule-update API keeps for one org: its settings, described business units, schedules (and
 * their past states for stale reads), upload tickets, channels, update operations, downloads, counters and fault
 * PRNGs, and the processing of updates after their delay. One per org, replaced on reset (the old one is disposed:
 * timers cleared, sockets dropped).
 */
import { randomUUID } from 'node:crypto';
import { deriveSeed, SeededRandom } from '../prng';
import { RingBuffer } from '../stats';
import type { Clock } from '../throttle';
import { BusinessUnitCatalog, type DescribedBusinessUnit } from './business-units';
import { ChannelRegistry, type ServerCloseOptions } from './channels';
import { checkContent, contentRefusalKey } from './content-checks';
import { copySchedule, ScheduleHistory } from './history';
import { normalizeInstant, type BuSchedule, type UpdateScheduleUpload } from './model';
import {
  applyUpdate,
  CONFLICT_REASONS,
  type UpdateContext,
  type UpdateErrorReason,
  type UpdateOutcome,
} from './processing';
import { buScheduleFaultsSchema, type BuScheduleFaultsInput, type BuScheduleSettings } from './settings';
import { countReason, emptyScheduleApiCounters, type ScheduleApiCounters, type ScheduleApiStats } from './stats';
import { ScheduleStore, type ScheduleLookup, type ScheduleSnapshot } from './store';
import { UploadRegistry, type UploadTicket } from './uploads';
import { schedulesTopic, updateResultView } from './views';

/** Update operations kept for the admin listing, newest last. */
const OPERATION_LOG_SIZE = 1000;
/** `downloadUrl` results kept; older ones answer 404. */
const DOWNLOADS_KEPT = 1000;

/** One `POST …/update` and how it ended, as the admin listing shows it. */
export interface UpdateOperation {
  operationId: string;
  businessUnitId: string;
  scheduleId: string;
  uploadKey: string;
  /** OAuth client that started it (also the result's `modifiedBy.id`). */
  clientId: string;
  agentsInUpload: number;
  startedAt: number;
  finishedAt: number | null;
  status: 'Processing' | 'Complete' | 'Error';
  /** Why it ended `Error` (the platform tells nobody; only the simulator records it). */
  reason?: UpdateErrorReason;
  message?: string;
  /** Schedule version after a Complete. */
  version?: number;
  changedAgents?: string[];
  /** The HTTP answer was destroyed (`loseUpdateAnswerRate`). */
  answerLost: boolean;
  /** The completion event was not sent (`dropEventRate`). */
  eventDropped: boolean;
  /** Sockets the completion event was written to. */
  eventSentTo?: number;
}

/** The platform's schedules-topic event body (`WfmBuScheduleTopicBuScheduleNotification`). */
export type ScheduleEventBody =
  | { status: 'Complete'; operationId: string; eventType: 'Update'; result: ReturnType<typeof updateResultView> }
  | { status: 'Error'; operationId: string; eventType: 'Update' };

/** A started update: its record, whether its answer is to be lost, and its final event when it already ran. */
export interface StartedUpdate {
  operation: UpdateOperation;
  loseAnswer: boolean;
  finished?: ScheduleEventBody;
}

/** The schedule-update API state of one org. */
export class BuScheduleRuntime {
  readonly counters: ScheduleApiCounters = emptyScheduleApiCounters();
  readonly store: ScheduleStore;
  readonly uploads = new UploadRegistry();
  readonly channels: ChannelRegistry;
  private readonly random: SeededRandom;
  /** Draws of `conflictRate`, a stream of their own so the other draws of a seed stay as they were. */
  private readonly conflictRandom: SeededRandom;
  /** Draws of `uploadKeyExpiredRate`, a stream of their own for the same reason. */
  private readonly uploadKeyRandom: SeededRandom;
  /** Draws of `staleReadRate`, a stream of their own for the same reason. */
  private readonly staleReadRandom: SeededRandom;
  private readonly catalog: BusinessUnitCatalog;
  private readonly history = new ScheduleHistory();
  private conflictEdits = 0;
  private readonly operations = new RingBuffer<UpdateOperation>(OPERATION_LOG_SIZE);
  private readonly downloads = new Map<string, unknown>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(
    readonly orgId: string,
    /** Live settings: fault changes at runtime replace `faults` here. */
    readonly settings: BuScheduleSettings,
    /** The run's seed and the name the org's PRNGs are derived under (its id unless configured otherwise). */
    seed: { seed: number; label: string },
    private readonly now: Clock,
  ) {
    this.random = new SeededRandom(deriveSeed(seed.seed, `${seed.label}#buSchedules`));
    this.conflictRandom = new SeededRandom(deriveSeed(seed.seed, `${seed.label}#conflicts`));
    this.uploadKeyRandom = new SeededRandom(deriveSeed(seed.seed, `${seed.label}#uploadKeys`));
    this.staleReadRandom = new SeededRandom(deriveSeed(seed.seed, `${seed.label}#staleReads`));
    this.catalog = new BusinessUnitCatalog(settings.businessUnits);
    this.store = new ScheduleStore(now);
    this.store.seed(settings.initialSchedules, (businessUnitId, userId) =>
      this.managementUnitFor(businessUnitId, userId),
    );
    this.channels = new ChannelRegistry({
      orgId,
      now,
      counters: () => this.counters,
      settings: () => this.settings,
      // A PRNG of its own: event deliveries, whose number depends on timing, never shift the updates' draws.
      random: new SeededRandom(deriveSeed(seed.seed, `${seed.label}#channels`)),
    });
  }

  /** The schedule of a route's path, created on first touch when `autoCreate` is on. */
  lookupSchedule(businessUnitId: string, weekId: string, scheduleId: string): ScheduleLookup {
    const lookup = this.store.lookup(businessUnitId, weekId, scheduleId, this.settings.autoCreate);
    if (lookup.found && lookup.created) this.counters.schedulesAutoCreated++;
    return lookup;
  }

  /** The business unit as described in the config, or undefined for an open one. */
  describedUnit(businessUnitId: string): DescribedBusinessUnit | undefined {
    return this.catalog.get(businessUnitId);
  }

  /** Whether the unit's routes answer: described, holding a schedule, or open to anything with `autoCreate`. */
  knowsBusinessUnit(businessUnitId: string): boolean {
    return (
      this.settings.autoCreate ||
      this.catalog.get(businessUnitId) !== undefined ||
      this.store.inBusinessUnit(businessUnitId).length > 0
    );
  }

  /** The unit's IANA time zone: its described one, else `businessUnitTimeZone`. */
  timeZoneOf(businessUnitId: string): string {
    return this.catalog.get(businessUnitId)?.description.timeZone ?? this.settings.businessUnitTimeZone;
  }

  /** The management unit an agent new to a schedule of the unit joins: the one listing it, else the org's. */
  managementUnitFor(businessUnitId: string, userId: string): string {
    return this.catalog.get(businessUnitId)?.managementUnitOf.get(userId) ?? this.settings.managementUnitId;
  }

  /**
   * The state a read of the schedule answers from: the schedule now, or (a `staleReadRate` draw, from a stream of
   * its own) as it was `staleReadMs` ago. Never change what this returns.
   */
  readState(schedule: BuSchedule): BuSchedule {
    return this.readStates([schedule])[0]!;
  }

  /** {@link readState} of several schedules in one read: one draw, and stale ones all from the same moment. */
  readStates(schedules: readonly BuSchedule[]): BuSchedule[] {
    const { staleReadRate, staleReadMs } = this.settings.faults;
    if (!(this.staleReadRandom.next() < staleReadRate) || staleReadMs === 0) return [...schedules];
    this.counters.staleReadsServed++;
    const instant = this.now() - staleReadMs;
    return schedules.map((schedule) => this.history.at(schedule, instant));
  }

  /** Issues an upload ticket for a schedule. */
  issueUpload(schedule: BuSchedule, contentLengthBytes: number): UploadTicket {
    this.counters.uploadUrlsIssued++;
    return this.uploads.issue(schedule, contentLengthBytes, this.now(), this.settings.uploadTtlMs);
  }

  /** Whether this `POST …/update` of a usable key is answered as if the key had expired (`uploadKeyExpiredRate`). */
  drawUploadKeyExpired(): boolean {
    return this.uploadKeyRandom.next() < this.settings.faults.uploadKeyExpiredRate;
  }

  /**
   * Starts processing an uploaded ticket (which the caller checked is this schedule's, uploaded and unused): the
   * key is spent now, the faults are drawn now, and the update runs after `processingDelayMs` (at once, within
   * this call, when the delay is 0 and `answerCompleteWhenImmediate` is on).
   */
  startUpdate(
    schedule: BuSchedule,
    ticket: UploadTicket,
    upload: UpdateScheduleUpload,
    clientId: string,
  ): StartedUpdate {
    const faults = this.settings.faults;
    // Three draws per update whatever the rates, so the sequence of a seed never depends on the settings.
    const loseAnswer = this.random.next() < faults.loseUpdateAnswerRate;
    const injectError = this.random.next() < faults.errorRate;
    const dropEvent = this.random.next() < faults.dropEventRate;
    const conflict = this.conflictRandom.next() < faults.conflictRate;
    ticket.usedAt = this.now();
    ticket.body = undefined;
    this.counters.updatesStarted++;
    if (loseAnswer) this.counters.updateAnswersLost++;
    const operation: UpdateOperation = {
      operationId: randomUUID(),
      businessUnitId: schedule.businessUnitId,
      scheduleId: schedule.id,
      uploadKey: ticket.key,
      clientId,
      agentsInUpload: upload.agentSchedules?.length ?? 0,
      startedAt: this.now(),
      finishedAt: null,
      status: 'Processing',
      answerLost: loseAnswer,
      eventDropped: false,
    };
    this.operations.push(operation);
    const run = () => {
      // Another editor's change lands while the update waits to be processed: its versions are stale now.
      if (conflict)
        this.editElsewhere(
          schedule.businessUnitId,
          schedule.id,
          `conflict-${++this.conflictEdits}`,
          `${schedule.weekDate}T01:00:00Z`,
        );
      return this.finishUpdate(operation, schedule, upload, { injectError, dropEvent });
    };
    const delayMs = this.settings.processingDelayMs;
    if (delayMs === 0 && this.settings.answerCompleteWhenImmediate) {
      return { operation, loseAnswer, finished: run() };
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.disposed) run();
    }, delayMs);
    this.timers.add(timer);
    return { operation, loseAnswer };
  }

  /**
   * Someone else edits the schedule (a supervisor in the admin UI): a 30-minute shift for `userId` at `startDate`,
   * applied at once with no event, so the schedule's version moves on under any update built before. For
   * conflict scenarios. @returns false when the schedule does not exist (yet)
   */
  editElsewhere(businessUnitId: string, scheduleId: string, userId: string, startDate: string): boolean {
    const weekDate = this.store
      .snapshot()
      .find((schedule) => schedule.businessUnitId === businessUnitId && schedule.scheduleId === scheduleId)?.weekDate;
    if (weekDate === undefined) return false;
    const lookup = this.store.lookup(businessUnitId, weekDate, scheduleId, false);
    if (!lookup.found) return false;
    const { schedule } = lookup;
    const agentVersion = schedule.agents.get(userId)?.version;
    const activity = { startDate, lengthMinutes: 30, activityCodeId: 'elsewhere', description: 'edited elsewhere' };
    const outcome = this.apply(
      schedule,
      {
        metadata: { version: schedule.version },
        agentSchedules: [
          {
            userId,
            ...(agentVersion !== undefined && { metadata: { version: agentVersion } }),
            shifts: [{ startDate, lengthMinutes: 30, activities: [activity] }],
          },
        ],
      },
      {
        managementUnitOf: (user) => this.managementUnitFor(businessUnitId, user),
        now: normalizeInstant(new Date(this.now()).toISOString()),
        modifiedBy: 'elsewhere',
        newShiftId: () => randomUUID(),
      },
    );
    return outcome.ok;
  }

  /** Keeps a query result for its `downloadUrl`; returns the download id. */
  storeDownload(result: unknown): string {
    const id = randomUUID();
    this.downloads.set(id, result);
    if (this.downloads.size > DOWNLOADS_KEPT) {
      const oldest = this.downloads.keys().next();
      if (!oldest.done) this.downloads.delete(oldest.value);
    }
    return id;
  }

  /** A kept query result, counted as served. */
  download(id: string): unknown {
    if (!this.downloads.has(id)) return undefined;
    this.counters.downloadsServed++;
    return this.downloads.get(id);
  }

  /** Replaces the fault switches (`{}` clears them). Throws a ZodError on invalid settings. */
  setFaults(faults: BuScheduleFaultsInput): void {
    this.settings.faults = buScheduleFaultsSchema.parse(faults);
    if (!this.keepsHistory()) this.history.clear();
  }

  /** Closes every socket of the org from the server side; returns how many. */
  closeSockets(options: Partial<ServerCloseOptions> = {}): number {
    return this.channels.closeAll({
      notice: options.notice ?? this.settings.faults.socketClosingNotice,
      terminate: options.terminate ?? false,
    });
  }

  /** Counters plus what is computed on reading. */
  stats(): ScheduleApiStats {
    return {
      ...structuredClone(this.counters),
      schedules: this.store.size,
      socketsOpen: this.channels.openSockets,
    };
  }

  /** Every schedule with its agents' shifts and versions (the tests' read-back). */
  snapshot(): ScheduleSnapshot[] {
    return this.store.snapshot();
  }

  /** Update operations, oldest first (copies). */
  operationLog(): UpdateOperation[] {
    return this.operations.toArray().map((op) => structuredClone(op));
  }

  /** Stops pending processing and drops every socket (reset, shutdown). */
  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.channels.dispose();
  }

  /** Whether past states are kept: only while stale reads can be drawn. */
  private keepsHistory(): boolean {
    const { staleReadRate, staleReadMs } = this.settings.faults;
    return staleReadRate > 0 && staleReadMs > 0;
  }

  /** Applies an update, keeping the state it replaced for stale reads. */
  private apply(schedule: BuSchedule, upload: UpdateScheduleUpload, context: UpdateContext): UpdateOutcome {
    const before = this.keepsHistory() ? copySchedule(schedule) : undefined;
    const outcome = applyUpdate(schedule, upload, context);
    if (outcome.ok && before) this.history.record(schedule, before, this.now(), this.settings.faults.staleReadMs);
    return outcome;
  }

  private finishUpdate(
    operation: UpdateOperation,
    schedule: BuSchedule,
    upload: UpdateScheduleUpload,
    plan: { injectError: boolean; dropEvent: boolean },
  ): ScheduleEventBody {
    const now = normalizeInstant(new Date(this.now()).toISOString());
    const rules = {
      unit: this.catalog.get(schedule.businessUnitId),
      marker: this.settings.faults.refuseDescriptionMarker,
    };
    const outcome = plan.injectError
      ? ({ ok: false, reason: 'injected', message: 'errorRate fault: ended Error without applying' } as const)
      : this.apply(schedule, upload, {
          managementUnitOf: (userId) => this.managementUnitFor(schedule.businessUnitId, userId),
          now,
          modifiedBy: operation.clientId,
          newShiftId: () => randomUUID(),
          versionCheck: this.settings.versionCheck,
          checkContent: (checked) => checkContent(schedule, checked, rules),
        });
    operation.finishedAt = this.now();
    let event: ScheduleEventBody;
    if (outcome.ok) {
      this.counters.updatesCompleted++;
      operation.status = 'Complete';
      operation.version = schedule.version;
      operation.changedAgents = outcome.changedAgents.map((a) => a.userId);
      const result = updateResultView(schedule, outcome.changedAgents);
      event = { status: 'Complete', operationId: operation.operationId, eventType: 'Update', result };
    } else {
      this.counters.updatesErrored++;
      if (CONFLICT_REASONS.has(outcome.reason)) this.counters.updatesConflicted++;
      const refusalKey = contentRefusalKey(outcome.reason);
      if (refusalKey) this.counters.contentRefusals[refusalKey]++;
      countReason(this.counters.updateErrorReasons, outcome.reason);
      operation.status = 'Error';
      operation.reason = outcome.reason;
      operation.message = outcome.message;
      event = { status: 'Error', operationId: operation.operationId, eventType: 'Update' };
    }
    this.counters.eventsPublished++;
    if (plan.dropEvent) {
      this.counters.eventsDropped++;
      operation.eventDropped = true;
    } else {
      operation.eventSentTo = this.channels.publish(schedulesTopic(schedule.businessUnitId), event);
    }
    return event;
  }
}
