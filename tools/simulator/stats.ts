import type { ScheduleApiStats } from './schedules/stats';
import type { ThrottleSnapshot } from './throttle';

/** How a PUT ended: an HTTP status, or one of the ways it got no answer. */
export type RequestOutcome = number | 'reset' | 'hung' | 'aborted';

/** One PUT (or other throttled platform call) in an org's request log. */
export interface RequestRecord {
  /** The platform call, e.g. `POST schedules/{id}/update`; absent for the assignment PUT. */
  route?: string;
  /** The operation a `POST …/update` started. */
  operationId?: string;
  /** Arrival, ms epoch. */
  at: number;
  /** When the response ended or the socket closed, ms epoch; null while in flight. */
  endedAt: number | null;
  /** Final status; `aborted` = the client closed the connection before the answer was sent. Null while in flight. */
  status: RequestOutcome | null;
  /** The Retry-After seconds sent with a 429. */
  retryAfterSeconds?: number;
  /** Number of assignments in the body (0 when the body had the wrong shape or was not read). */
  items: number;
  /** PUTs of the org in flight when this one arrived (not counting itself). */
  inFlightAtArrival: number;
  /** Arrived inside an open Retry-After window (after the grace). */
  violation: boolean;
  /**
   * Arrived inside an open Retry-After window past the grace, but was read in the I/O round right after its 429's:
   * it was written before its client could read the 429 (`window-announcement.ts`), so no violation.
   */
  onTheWire?: boolean;
  /** The client process that sent it, when its User-Agent names one (`… (worker W; lease N)`). */
  worker?: string;
  /** The lease epoch its User-Agent names: the client's authority to write for the org when it sent it. */
  leaseEpoch?: number;
}

/** Counters of one org, as returned by `GET /__admin/stats`. */
export interface OrgStats {
  tokenRequests: number;
  tokensIssued: number;
  /** Token requests refused 429 by the org's login throttle (`loginThrottle`), all clients together. */
  login429: number;
  /** Throttled platform calls: assignment PUTs and the schedule-update/notifications calls (log `route`). */
  putRequests: number;
  status2xx: number;
  status400: number;
  status401: number;
  status403: number;
  status404: number;
  status413: number;
  status429: number;
  status5xx: number;
  connectionResets: number;
  hungResponses: number;
  /** PUTs whose client closed the connection before the answer (e.g. a client timeout during latency). */
  clientAborts: number;
  /** Most PUTs of the org in flight at once, from arrival to response end or socket close. */
  peakConcurrency: number;
  inFlight: number;
  /** PUTs that arrived while a Retry-After window was open (after the grace). */
  violations: number;
  /** Requests with this org's token aimed at another org's schedule. */
  crossOrgTokenUses: number;
  /**
   * Requests naming a lease epoch older than one an earlier request of the org named: written by a client process
   * after another had taken over the org's lease (see `RequestRecord.leaseEpoch`).
   */
  staleLeaseRequests: number;
  /** Requests that arrived while a request of another client process (`RequestRecord.worker`) was in flight. */
  overlappingWriters: number;
  /** Distinct assignments currently stored for the org, all schedules. */
  assignmentsApplied: number;
  /** Items of successful PUTs whose id already existed in that schedule. */
  repeatedAssignmentPuts: number;
  /** Arrival of the first / last PUT, ms epoch, or null. */
  firstPutAt: number | null;
  lastPutAt: number | null;
  /** Throttle state, or null when the org is unthrottled. */
  throttle: ThrottleSnapshot | null;
  /** The schedule-update and notifications API (its calls also count in the request counters above). */
  scheduleApi: ScheduleApiStats;
}

/** The counters the server increments; the rest of {@link OrgStats} is computed when read. */
export type OrgCounters = Omit<OrgStats, 'assignmentsApplied' | 'throttle' | 'scheduleApi'>;

/** Fresh zeroed counters. */
export function emptyCounters(): OrgCounters {
  return {
    tokenRequests: 0,
    tokensIssued: 0,
    login429: 0,
    putRequests: 0,
    status2xx: 0,
    status400: 0,
    status401: 0,
    status403: 0,
    status404: 0,
    status413: 0,
    status429: 0,
    status5xx: 0,
    connectionResets: 0,
    hungResponses: 0,
    clientAborts: 0,
    peakConcurrency: 0,
    inFlight: 0,
    violations: 0,
    crossOrgTokenUses: 0,
    staleLeaseRequests: 0,
    overlappingWriters: 0,
    repeatedAssignmentPuts: 0,
    firstPutAt: null,
    lastPutAt: null,
  };
}

/** Adds one finished PUT to the status counters. */
export function countOutcome(counters: OrgCounters, outcome: RequestOutcome): void {
  if (outcome === 'reset') counters.connectionResets++;
  else if (outcome === 'hung') counters.hungResponses++;
  else if (outcome === 'aborted') counters.clientAborts++;
  else if (outcome >= 200 && outcome < 300) counters.status2xx++;
  else if (outcome >= 500) counters.status5xx++;
  else if (outcome === 400) counters.status400++;
  else if (outcome === 401) counters.status401++;
  else if (outcome === 403) counters.status403++;
  else if (outcome === 404) counters.status404++;
  else if (outcome === 413) counters.status413++;
  else if (outcome === 429) counters.status429++;
}

/** Which client processes write for an org: the newest lease epoch seen, and requests in flight per process. */
export class OrgWriters {
  private newestEpoch = -Infinity;
  private readonly inFlight = new Map<string, number>();

  /**
   * A request of `sender` arrives: counts it as stale when its epoch is older than one seen before, and as
   * overlapping when another process has a request in flight. @returns the function to call when it ends
   */
  arrive(counters: OrgCounters, sender: { worker: string; epoch?: number }): () => void {
    if (sender.epoch !== undefined) {
      if (sender.epoch < this.newestEpoch) counters.staleLeaseRequests++;
      else this.newestEpoch = sender.epoch;
    }
    for (const [worker, count] of this.inFlight) {
      if (worker !== sender.worker && count > 0) {
        counters.overlappingWriters++;
        break;
      }
    }
    this.inFlight.set(sender.worker, (this.inFlight.get(sender.worker) ?? 0) + 1);
    return () => this.inFlight.set(sender.worker, (this.inFlight.get(sender.worker) ?? 1) - 1);
  }
}

/**
 * The client process and lease epoch a User-Agent names, as wfm-bulk's workers send them:
 * `product/version (worker W; lease N)` (`lease -` when the writer holds none).
 */
export function senderOf(userAgent: string | undefined): { worker: string; epoch?: number } | undefined {
  const match = /\(worker (\S+); lease (\d+|-)\)\s*$/.exec(userAgent ?? '');
  if (!match) return undefined;
  return { worker: match[1]!, ...(match[2] !== '-' && { epoch: Number(match[2]) }) };
}

/** Fixed-size log that keeps the newest `capacity` entries. */
export class RingBuffer<T> {
  private readonly entries: T[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  push(entry: T): void {
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Entries oldest first. */
  toArray(): T[] {
    if (this.entries.length < this.capacity) return [...this.entries];
    return [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
  }

  clear(): void {
    this.entries.length = 0;
    this.next = 0;
  }
}
