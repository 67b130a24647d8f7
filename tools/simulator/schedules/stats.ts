/**
 * Counters of the schedule-update API of one org (`scheduleApi` in each org's `GET /__admin/stats`). The HTTP
 * requests themselves also count in the org's request counters and log, like the assignment PUTs; these say what
 * happened inside: uploads, updates, channels, sockets and events.
 */
import { emptyContentRefusals, type ContentRefusalCounts } from './content-checks';

/** Why a PUT to an upload URL was refused. */
export type UploadRefusal =
  'bad-signature' | 'expired' | 'missing-header' | 'wrong-length' | 'not-gzip' | 'not-json' | 'invalid-body';

/** Counters of one org's schedule-update API. */
export interface ScheduleApiStats {
  /** Schedules that exist now (created on first touch or configured). */
  schedules: number;
  /** Schedules created by a first touch (`autoCreate`). */
  schedulesAutoCreated: number;
  scheduleReads: number;
  agentScheduleQueries: number;
  /** Reads of a business unit's platform data: the unit, its activity codes, its users. */
  businessUnitReads: number;
  /** `GET …/weeks/{weekId}/schedules` answered. */
  weekScheduleListings: number;
  /** Reads answered from a past state (`staleReadRate`): schedule metadata, agent-schedules queries, week listings. */
  staleReadsServed: number;
  /** `downloadUrl` results fetched. */
  downloadsServed: number;
  uploadUrlsIssued: number;
  uploadsAccepted: number;
  /** Refused PUTs to an upload URL of the org, all reasons. */
  uploadsRefused: number;
  uploadRefusalReasons: Partial<Record<UploadRefusal, number>>;
  /** `POST …/update` answered 400 (unknown, unused, spent or foreign upload key, bad body, `uploadKeyExpiredRate`). */
  updatesRefused: number;
  updatesStarted: number;
  updatesCompleted: number;
  /** Updates that ended `Error`, every reason. */
  updatesErrored: number;
  /** The part of `updatesErrored` due to a stale schedule or agent version. */
  updatesConflicted: number;
  /** The part of `updatesErrored` refused for their content, by cause (a described unit's rules, the marker fault). */
  contentRefusals: ContentRefusalCounts;
  updateErrorReasons: Partial<Record<string, number>>;
  /** `POST …/update` answers destroyed by the `loseUpdateAnswerRate` fault (the update still ran). */
  updateAnswersLost: number;
  channelsCreated: number;
  /** Channels removed because the client created one more than allowed. */
  channelsEvicted: number;
  subscriptionRequests: number;
  topicsPermitted: number;
  topicsRejected: number;
  socketsOpened: number;
  socketsClosed: number;
  /** The part of `socketsClosed` the server closed (fault, admin, channel evicted, shutdown). */
  socketsClosedByServer: number;
  /** Sockets open now. */
  socketsOpen: number;
  /** Completion events of finished updates (before any drop). */
  eventsPublished: number;
  /** Event messages written to sockets (one event to two sockets counts two). */
  eventsSent: number;
  /** Events not sent because of the `dropEventRate` fault. */
  eventsDropped: number;
  /** Events no open socket subscribed to the topic was there to receive: lost, as on the platform. */
  eventsUndelivered: number;
  heartbeatsSent: number;
  pongsSent: number;
  socketClosingNotices: number;
}

/** The counters that are incremented; `schedules` and `socketsOpen` are computed when read. */
export type ScheduleApiCounters = Omit<ScheduleApiStats, 'schedules' | 'socketsOpen'>;

/** Fresh zeroed counters. */
export function emptyScheduleApiCounters(): ScheduleApiCounters {
  return {
    schedulesAutoCreated: 0,
    scheduleReads: 0,
    agentScheduleQueries: 0,
    businessUnitReads: 0,
    weekScheduleListings: 0,
    staleReadsServed: 0,
    downloadsServed: 0,
    uploadUrlsIssued: 0,
    uploadsAccepted: 0,
    uploadsRefused: 0,
    uploadRefusalReasons: {},
    updatesRefused: 0,
    updatesStarted: 0,
    updatesCompleted: 0,
    updatesErrored: 0,
    updatesConflicted: 0,
    contentRefusals: emptyContentRefusals(),
    updateErrorReasons: {},
    updateAnswersLost: 0,
    channelsCreated: 0,
    channelsEvicted: 0,
    subscriptionRequests: 0,
    topicsPermitted: 0,
    topicsRejected: 0,
    socketsOpened: 0,
    socketsClosed: 0,
    socketsClosedByServer: 0,
    eventsPublished: 0,
    eventsSent: 0,
    eventsDropped: 0,
    eventsUndelivered: 0,
    heartbeatsSent: 0,
    pongsSent: 0,
    socketClosingNotices: 0,
  };
}

/** Adds one to a reason's count. */
export function countReason<K extends string>(reasons: Partial<Record<K, number>>, reason: K): void {
  reasons[reason] = (reasons[reason] ?? 0) + 1;
}
