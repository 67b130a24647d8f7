/**
 * `holdTenant`: a worker process holds a tenant's lease for every job writing to the tenant. It runs on the queue
 * every process polls (`TENANT_CLAIMS_TASK_QUEUE`), scheduled by the tenant's lease workflow, for as long as the
 * lease wants it:
 *
 * 1. it renews from its first moment (`lease/renewals.ts`), so a slow login or start never loses it;
 * 2. it logs in and checks the writer's scope; a login that keeps failing (network, 5xx, timeouts) for the lease's
 *    login budget fails the tenant with `LoginFailed` and its last error, counted across attempts;
 * 3. it opens the tenant's task queue in this process and claims the lease (an update, refused to a stale attempt),
 *    which gives it an epoch; from then on this process writes for the tenant while Temporal confirms the lease;
 * 4. it holds until Temporal says the lease is gone (lost: this process stops writing at once), or the lease wants
 *    it back, or this process shuts down (SIGTERM), or its tenant Worker stops: then it gives the lease back, after
 *    its last request on the wire has ended, so the next holder starts with nothing of ours still out.
 *
 * A process that stalls needs no part of this to run: its proof of the lease runs out while it sleeps (see
 * `pacing/fence.ts`), and Temporal gives the lease to another once it has heard nothing for the lease's timeout.
 */
import { Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FailureReason } from '../contracts/failures';
import type { ClaimLeaseResult, HoldBeat, HoldOutcome, HoldTenantInput, LastHolding } from '../contracts/lease';
import { claimLeaseUpdate } from '../contracts/messages';
import { failureTypes } from '../contracts/names';
import { DEFAULT_LEASE_TIMEOUT_MS, GIVE_BACK_WAIT_MS } from '../contracts/timing';
import { backoffDelayMs } from '../pacing/backoff';
import { OAuthError } from './auth/oauth';
import type { ActivityDeps, TenantQueueLease } from './deps';
import { LeaseRenewals } from './lease/renewals';
import { checkAccess, takeTenant } from './tenant-access';
import type { TenantRuntime } from './tenant-runtime';

/** Logins that fail are tried again after backoff, within the budget; a login 429 is waited out as asked. */
const MAX_LOGIN_RETRY_MS = 15_000;

type HoldEnd = 'lost' | 'release' | 'shutdown' | 'queue-stopped';

export function createHoldTenant(deps: ActivityDeps) {
  return async function holdTenant(input: HoldTenantInput): Promise<HoldOutcome> {
    const context = Context.current();
    const lease = context.info.workflowExecution;
    if (!lease) throw ApplicationFailure.nonRetryable('holdTenant is scheduled by a lease workflow only', 'LeaseLost');
    const use = takeTenant(input.tenantId, context, deps);
    try {
      return await new TenantHold(input, context, lease, deps, use.runtime).run();
    } finally {
      use.release();
    }
  };
}

/** One attempt of a hold, from its first renewal to the lease given back or lost. */
class TenantHold {
  private readonly attemptKey: string;
  private readonly leaseTimeoutMs: number;
  private readonly startedAt = Date.now();
  /** How the lease's last holding ended: this attempt starts from it. */
  private readonly last: LastHolding | undefined;
  private readonly beat: HoldBeat;
  private readonly renewals: LeaseRenewals;
  private epoch: number | undefined;
  private ended: ((end: HoldEnd) => void) | undefined;
  private readonly endedWith: Promise<HoldEnd>;

  constructor(
    private readonly input: HoldTenantInput,
    private readonly context: Context,
    /** The lease workflow's run that scheduled this hold. */
    private readonly lease: { workflowId: string; runId: string },
    private readonly deps: ActivityDeps,
    private readonly tenant: TenantRuntime,
  ) {
    const { info } = context;
    this.attemptKey = `${lease.runId}/${info.activityId}/${info.attempt}`;
    this.leaseTimeoutMs = info.heartbeatTimeoutMs ?? DEFAULT_LEASE_TIMEOUT_MS;
    const previous = info.heartbeatDetails as HoldBeat | undefined;
    this.last = lastHoldingBefore(previous, input);
    this.beat = {
      worker: deps.workerId,
      ...(this.last?.pacing && { pacing: this.last.pacing }),
      ...(previous?.loginFailingSince !== undefined && { loginFailingSince: previous.loginFailingSince }),
      ...(this.last && { last: this.last }),
    };
    this.endedWith = new Promise((resolve) => (this.ended = resolve));
    this.renewals = new LeaseRenewals(
      context,
      this.leaseTimeoutMs,
      () => this.currentBeat(),
      {
        confirmed: (until) => this.epoch !== undefined && tenant.fence.confirm(this.epoch, until),
        releaseRequested: () => this.ended?.('release'),
        lost: (reason) => {
          this.log(`lost the lease: ${reason}`);
          this.ended?.('lost');
        },
      },
      (message) => this.log(message),
    );
    // The SDK cancels the hold when its Worker shuts down, when the lease asks for it back, or when Temporal no
    // longer knows the attempt (as the renewals also find out).
    context.cancellationSignal.addEventListener(
      'abort',
      () => {
        const details = context.cancellationDetails;
        this.ended?.(details?.workerShutdown ? 'shutdown' : details?.cancelRequested ? 'release' : 'lost');
      },
      { once: true },
    );
  }

  async run(): Promise<HoldOutcome> {
    const { tenant } = this;
    tenant.fence.claiming(this.attemptKey);
    let opening: Promise<TenantQueueLease> | undefined;
    let stopReporting = () => {};
    try {
      await this.renewals.start();
      await this.untilEnd(this.login());
      opening = this.deps.serveTenantQueue(this.input.tenantId);
      const queue = await this.untilEnd(opening);
      void queue.stopped.then(() => this.ended?.('queue-stopped'));
      const claim = await this.untilEnd(this.claim(queue.taskQueue));
      this.epoch = claim.epoch;
      tenant.beginLease({
        attemptKey: this.attemptKey,
        epoch: claim.epoch,
        confirmedUntil: this.renewals.confirmedUntil,
        directive: claim.directive,
        leaseTimeoutMs: this.leaseTimeoutMs,
        startedAt: this.startedAt,
        ...(this.last && {
          predecessor: {
            ...(this.last.pacing && { pacing: this.last.pacing }),
            elsewhere: this.last.worker !== this.deps.workerId,
            gaveBack: this.last.gaveBack,
          },
        }),
      });
      delete this.beat.last;
      // A new Retry-After window reaches Temporal at once, in the next holder's start if this process dies now.
      stopReporting = tenant.onCooldown(() => void this.renewals.renew());
      if (this.last && !this.last.gaveBack)
        this.log(`took the lease (epoch ${claim.epoch}) over from ${this.last.worker}, which stopped answering`);
      return await this.giveBack(await this.endedWith);
    } catch (error) {
      if (error instanceof HoldEnded) return await this.giveBack(error.end);
      throw error;
    } finally {
      stopReporting();
      this.renewals.stop();
      tenant.fence.release(this.attemptKey, this.epoch);
      // Opened (or still opening) when the hold ended: let go of it once it is there.
      opening?.then(
        (queue) => queue.release(),
        () => undefined,
      );
    }
  }

  /**
   * The end of a hold. Lost: nothing more to do (this process already writes nothing under the epoch). Otherwise
   * nothing new goes out, the requests on the wire finish, and the last beat says the lease was given back clean.
   */
  private async giveBack(end: HoldEnd): Promise<HoldOutcome> {
    if (end === 'lost') throw ApplicationFailure.retryable('this process lost the lease', 'LeaseLost');
    this.tenant.fence.release(this.attemptKey, this.epoch);
    const deadline = Date.now() + GIVE_BACK_WAIT_MS;
    while (this.tenant.gate.inFlight > 0 && Date.now() < deadline) await sleep(50);
    this.beat.gaveBack = true;
    this.beat.pacing = this.tenant.gate.view();
    await this.renewals.renew();
    const pacing = this.beat.pacing;
    if (end === 'release') return { pacing };
    // Another process takes the tenant at once, without waiting for the lease to time out.
    throw ApplicationFailure.create({
      message:
        end === 'shutdown'
          ? 'the worker process holding this tenant is shutting down'
          : "the tenant's Worker in this process stopped",
      type: 'WorkerShutdown',
      nextRetryDelay: 100,
    });
  }

  private currentBeat(): HoldBeat {
    if (this.epoch !== undefined && !this.beat.gaveBack) this.beat.pacing = this.tenant.gate.view();
    return { ...this.beat, ...(this.epoch !== undefined && { epoch: this.epoch }) };
  }

  /** Logs in and checks the scope, trying again within the login budget (counted across attempts). */
  private async login(): Promise<string[]> {
    for (let failures = 0; ; failures++) {
      try {
        const scopes = await checkAccess(this.tenant, () => this.deps.token(this.tenant));
        delete this.beat.loginFailingSince;
        return scopes;
      } catch (error) {
        // A login 429 is throttling, not a failure: waited out as asked.
        if (error instanceof OAuthError && error.retryAfterMs !== undefined) {
          await sleep(error.retryAfterMs);
          continue;
        }
        if (error instanceof ApplicationFailure && error.nonRetryable) throw error;
        const now = Date.now();
        const since = (this.beat.loginFailingSince ??= now);
        if (now - since >= this.input.loginBudgetMs) throw loginFailed(this.tenant, now - since, error);
        if (failures === 0) this.log(`login failed, trying again: ${(error as Error).message}`);
        const budgetLeft = since + this.input.loginBudgetMs - now;
        await sleep(Math.min(MAX_LOGIN_RETRY_MS, budgetLeft, backoffDelayMs(failures + 1, Math.random)));
      }
    }
  }

  /** Claims the lease of the hold's run; refused when a later attempt holds it or the hold has ended. */
  private async claim(taskQueue: string): Promise<ClaimLeaseResult> {
    const { info, client } = this.context;
    const lease = client.workflow.getHandle(this.lease.workflowId, this.lease.runId);
    for (let tries = 0; ; tries++) {
      try {
        return await lease.executeUpdate(claimLeaseUpdate, {
          args: [{ hold: this.input.hold, attempt: info.attempt, taskQueue, worker: this.deps.workerId }],
        });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError)
          throw ApplicationFailure.nonRetryable(`the lease refused this hold: ${error.cause?.message}`, 'LeaseLost');
        // Temporal busy or unreachable: the renewals keep the attempt alive meanwhile.
        if (tries === 0) this.log(`claiming the lease: ${(error as Error).message}; trying again`);
        await sleep(Math.min(2_000, 250 * 2 ** tries));
      }
    }
  }

  /** `work`, unless the hold ends first (lost, wanted back, shutting down): then `HoldEnded`. */
  private untilEnd<T>(work: Promise<T>): Promise<T> {
    return Promise.race([
      work,
      this.endedWith.then((end) => {
        throw new HoldEnded(end);
      }),
    ]);
  }

  private log(message: string): void {
    this.deps.log(`tenant ${this.input.tenantId}: ${message}`, { tenantId: this.input.tenantId });
  }
}

/** The beat before this attempt's (a retry's predecessor), or the lease's record for a hold's first attempt. */
function lastHoldingBefore(previous: HoldBeat | undefined, input: HoldTenantInput): LastHolding | undefined {
  if (!previous) return input.last;
  if (previous.epoch === undefined) return previous.last;
  return {
    worker: previous.worker,
    gaveBack: previous.gaveBack === true,
    ...(previous.pacing && { pacing: previous.pacing }),
  };
}

class HoldEnded extends Error {
  constructor(readonly end: HoldEnd) {
    super(`the hold ended (${end})`);
  }
}

function loginFailed(tenant: TenantRuntime, forMs: number, error: unknown): ApplicationFailure {
  const reason: FailureReason = {
    code: 'login-failed',
    message:
      `could not log in to tenant ${tenant.settings.id} at ${tenant.settings.loginUrl} for ` +
      `${Math.round(forMs / 1000)} s: ${(error as Error).message}`,
  };
  return ApplicationFailure.nonRetryable(reason.message, failureTypes.loginFailed, reason);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
