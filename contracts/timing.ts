/**
 * The timings whose correctness depends on each other: how often holds and writes beat, how long Temporal waits for
 * a beat before it moves a tenant or retries a batch, how long a holder trusts its lease, how long a write may take.
 * Each value here is bounded by others here; `test/unit/contracts/timing.test.ts` asserts those relations, so a
 * change to one that breaks another fails there first.
 *
 * Imported by workflows (activity options), activities and the worker: no Node imports. The values that become
 * activity options (heartbeat, start-to-close, schedule-to-start timeouts) are in the histories that
 * `test/workflows/replay.test.ts` replays.
 */

// The tenant's lease and its hold.

/** A holder unheard of this long loses the lease (its hold's heartbeat timeout); fault scenario 11 checks it. */
export const DEFAULT_LEASE_TIMEOUT_MS = 10_000;
/** The lease timeout a job's tenants ask for (`JobTuning.heartbeatTimeoutMs`); `serveTenant`'s heartbeat timeout. */
export const DEFAULT_HOLD_HEARTBEAT_TIMEOUT_MS = DEFAULT_LEASE_TIMEOUT_MS;
/** The SDK sends a hold's heartbeats at most this often: under half the lease timeout, so a busy holder keeps it. */
export const HOLD_HEARTBEAT_THROTTLE_MS = 3_000;
/** A `serveTenant` hold beats this often: it has no renewals, so a beat is ready whenever the SDK may send one. */
export const SERVE_TENANT_BEAT_MS = 1_000;
/** A holder giving the lease back waits this long at most for its requests on the wire: a request's own timeout. */
export const GIVE_BACK_WAIT_MS = 35_000;

/** The holder renews its lease five times per timeout, so one late answer never lets it lapse. */
export function leaseRenewEveryMs(leaseTimeoutMs: number): number {
  return Math.max(100, Math.floor(leaseTimeoutMs / 5));
}

/**
 * The holder stops writing this long before its proof of the lease runs out: for clocks that run at slightly
 * different rates, and for a request between its last check and its bytes leaving.
 */
export function fenceMarginMs(leaseTimeoutMs: number): number {
  return Math.max(250, Math.floor(leaseTimeoutMs / 5));
}

// A batch's write (`putBatch`).

/** A request's HTTP timeout unless the job sets one (`JobOptions.requestTimeoutMs`); within the give-back wait. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * Longest a request waits at the gate. A longer wait gives the worker slot back and lets Temporal bring the
 * batch back later (spending no attempt), so an attempt's start-to-close timeout never has to cover a long window.
 */
export const MAX_GATE_WAIT_MS = 120_000;
/** A write attempt's time beyond its gate wait and requests: its token and items before, its answer after. */
export const PUT_ATTEMPT_SLACK_MS = 30_000;
/** A write attempt beats this often, at the gate and with a request out: well inside its heartbeat timeout. */
export const PUT_HEARTBEAT_EVERY_MS = 2_000;
/** The SDK sends a write's heartbeats at most this often: a cancellation reaches a batch at the gate in seconds. */
export const PUT_HEARTBEAT_THROTTLE_MS = 5_000;
/**
 * A write attempt's first beat, and so the longest a cancellation waits to reach a batch at the gate. An attempt
 * that ends sooner, as most do, costs Temporal no heartbeat: each one is a write of the tenant workflow's state.
 */
export const PUT_FIRST_HEARTBEAT_MS = PUT_HEARTBEAT_THROTTLE_MS;
/**
 * A write attempt unheard of this long times out. A dead holder is noticed through its lease, not here: this ends an
 * attempt stuck in a process that is otherwise alive, and frees a batch out on a holder that died.
 */
export const PUT_HEARTBEAT_TIMEOUT_MS = 15_000;
/** The same for runs served by a `serveTenant` hold, which notices a dead process: this ends only a stuck attempt. */
export const LEGACY_PUT_HEARTBEAT_TIMEOUT_MS = 30_000;
/**
 * A batch no process picked up for this long (its queue's process is gone, and no word of a new holder came) goes
 * back to the lease's holder: longer than a hand-over, whose new holder the tenant workflow hears of first.
 */
export const DEFAULT_SCHEDULE_TO_START_MS = 60_000;
/** Kept back from a Genesys batch attempt's start-to-close for the last read-back and the answer to Temporal. */
export const SCHEDULE_UPDATE_ATTEMPT_MARGIN_MS = 30_000;

/**
 * A write attempt's start-to-close timeout: up to `MAX_GATE_WAIT_MS` at the gate, then three requests (the write,
 * a re-send of the valid items after a 400, a retry with a fresh token after a 401), and the slack.
 */
export function putBatchStartToCloseMs(requestTimeoutMs: number): number {
  return 3 * requestTimeoutMs + MAX_GATE_WAIT_MS + PUT_ATTEMPT_SLACK_MS;
}
