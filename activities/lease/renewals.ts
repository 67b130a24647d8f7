/**
 * The renewals of a hold on a tenant's lease: heartbeats of the hold activity sent by hand, so that each one's
 * answer is known. The SDK's own heartbeats are fire-and-forget (throttled and batched, their answers unseen);
 * a holder that must stop writing the moment it can no longer show that it holds the lease needs the answer:
 *
 * - answered: Temporal still counts this attempt as the holder, and cannot let another process take the lease
 *   before `sent + timeout` has passed without a word from us; the proof lasts until then, less a margin;
 * - "not found": the attempt timed out (the lease moved on) or the lease workflow is gone: the lease is lost;
 * - no answer (Temporal unreachable, a stall): nothing is proven; the proof runs out on its own.
 *
 * The SDK's heartbeat is sent as well (throttled by the Worker): the SDK cancels an activity it has heard no answer
 * for within the heartbeat timeout, and it hears only of its own heartbeats.
 *
 * Each renewal carries the hold's beat (`HoldBeat`) as its details, so a next attempt starts from it.
 */
import type { Context } from '@temporalio/activity';
import { isGrpcServiceError } from '@temporalio/client';
import type { HoldBeat } from '../../contracts/lease';
import { fenceMarginMs, leaseRenewEveryMs } from '../../contracts/timing';
import { recordHeartbeat } from '../heartbeat-now';

/** gRPC's NOT_FOUND: the activity attempt (or its workflow) no longer exists. */
const GRPC_NOT_FOUND = 5;

export interface RenewalsEvents {
  /** Temporal answered a renewal: the lease is proven until `until` (local epoch ms). */
  confirmed(until: number): void;
  /** The lease workflow wants the lease back (it cancelled the hold). */
  releaseRequested(): void;
  /** Temporal no longer knows this attempt: the lease is lost. */
  lost(reason: string): void;
}

export class LeaseRenewals {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private inFlight: Promise<void> | undefined;
  private failuresInARow = 0;
  /** Local time until which the last answered renewal proves the lease. */
  confirmedUntil = 0;

  /**
   * @param timeoutMs the hold's heartbeat timeout: the lease's timeout
   * @param beat the details of the next renewal
   */
  constructor(
    private readonly context: Context,
    private readonly timeoutMs: number,
    private readonly beat: () => HoldBeat,
    private readonly events: RenewalsEvents,
    private readonly log: (message: string) => void,
  ) {}

  /** Renews now and then every fifth of the timeout until `stop()`. */
  start(): Promise<void> {
    const first = this.renew();
    this.schedule();
    return first;
  }

  /** Renews at once (a beat that must reach Temporal now, e.g. the last one before giving the lease back). */
  renew(): Promise<void> {
    // One renewal at a time: a slow answer is waited for, not overtaken.
    this.inFlight ??= this.send().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.renew().finally(() => this.schedule());
    }, leaseRenewEveryMs(this.timeoutMs));
  }

  private async send(): Promise<void> {
    if (this.stopped) return;
    const { client, info } = this.context;
    const sentAt = Date.now();
    const beat = this.beat();
    // The SDK's own heartbeat too: it keeps the SDK's local heartbeat timeout from cancelling the hold (it hears
    // of no other), and its answers bring a cancellation as well. Same details, so either may land last.
    this.context.heartbeat(beat);
    try {
      const response = await recordHeartbeat(client, info, beat, sentAt + this.timeoutMs);
      this.failuresInARow = 0;
      if (this.stopped) return;
      this.confirmedUntil = Math.max(this.confirmedUntil, sentAt + this.timeoutMs - fenceMarginMs(this.timeoutMs));
      this.events.confirmed(this.confirmedUntil);
      if (response.cancelRequested) this.events.releaseRequested();
    } catch (error) {
      if (this.stopped) return;
      if (isGrpcServiceError(error) && Number(error.code) === GRPC_NOT_FOUND) {
        this.stop();
        this.events.lost(`Temporal no longer knows this hold: ${error.details}`);
        return;
      }
      // Temporal unreachable or slow: the proof runs out by itself; said once per spell.
      if (this.failuresInARow++ === 0)
        this.log(`a renewal of the lease got no answer (${(error as Error).message}); retrying`);
    }
  }
}
