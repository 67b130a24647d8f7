/**
 * A tenant's lease: the one authority over a tenant for every job that writes to it, since the tenant's limits are
 * the organisation's, not a job's.
 *
 * - The jobs' tenant workflows join it (update-with-start: the first job starts it) and leave when done; each gets
 *   a share of the tenant's concurrency and is told, by signal, where to send its batches.
 * - While it has members it runs one hold (`holdTenant`) on the queue every worker process polls. The process
 *   that takes the hold logs in, opens the tenant's queue and claims the lease: each claim gets a new epoch, and a
 *   claim from an attempt older than the holder's is refused. The holder writes only while Temporal confirms its
 *   hold (`pacing/fence.ts`); a holder Temporal stops hearing from loses the hold after its heartbeat timeout, and
 *   Temporal's retry of the hold brings the lease to another process.
 * - Limits (`setLimits` of any job) are the lease's directive, carried to the holder by the jobs' batches.
 * - No members: it takes the hold back at once, and ends unless a job joins within a while. History stays bounded:
 *   past a limit it takes the hold back and continues as new, carrying its members and what the last holder knew.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FailureReason } from '../contracts/failures';
import {
  type ClaimLeaseInput,
  DEFAULT_LEASE_IDLE_MS,
  DEFAULT_LOGIN_BUDGET_MS,
  type HoldOutcome,
  type LeaseCarry,
  type LeaseHolder,
  type LeaseMember,
  type LeaseState,
  type LeaseStatus,
  type LeaseView,
  type TenantLeaseInput,
} from '../contracts/lease';
import {
  claimLeaseUpdate,
  joinLeaseUpdate,
  lateThrottleSignal,
  leaseLimitsSignal,
  leaseStateQuery,
  leaseViewSignal,
  leaveLeaseSignal,
  memberActiveSignal,
} from '../contracts/messages';
import { ORCHESTRATION_TASK_QUEUE, TENANT_CLAIMS_TASK_QUEUE, searchAttributes } from '../contracts/names';
import { DEFAULT_LEASE_TIMEOUT_MS } from '../contracts/timing';
import { reasonOfFailure } from './failures';
import { sharesOf } from './lease/shares';
import { mergeLimits } from './limits';

const DEFAULT_HISTORY_EVENT_LIMIT = 10_000;
/** Members whose workflow ended without leaving (terminated) are looked for this often. */
const MEMBER_CHECK_EVERY = '5 minutes';

/** The hold running now. */
interface Hold {
  number: number;
  scope: CancellationScope;
  /** Asked back (idle, continue-as-new): no claim is taken any more. */
  returning: boolean;
  ended: boolean;
  /** The attempt holding the lease, once one has claimed it. */
  holder?: LeaseHolder & { attempt: number; since: number };
}

export async function tenantLease(input: TenantLeaseInput): Promise<void> {
  const { tenantId } = input;
  const leaseTimeoutMs = input.tuning?.leaseTimeoutMs ?? DEFAULT_LEASE_TIMEOUT_MS;
  const loginBudgetMs = input.tuning?.loginBudgetMs ?? DEFAULT_LOGIN_BUDGET_MS;
  const idleMs = input.tuning?.idleMs ?? DEFAULT_LEASE_IDLE_MS;
  const state: LeaseCarry = input.carry ?? {
    seq: 0,
    holds: 0,
    lastEpoch: 0,
    members: [],
    directive: { revision: 1, limits: input.limits },
  };
  let hold: Hold | undefined;
  /** The view each member was last sent, so only changes are sent. */
  const sent = new Map<string, string>();
  let dirty = true;
  /** Views on their way to members. */
  let sending = 0;
  let publishedStatus: LeaseStatus | undefined;

  const { holdTenant } = proxyActivities<Activities>({
    taskQueue: TENANT_CLAIMS_TASK_QUEUE,
    // Held for as long as jobs write to the tenant; the hold is taken back before this run continues as new.
    startToCloseTimeout: '30 days',
    heartbeatTimeout: leaseTimeoutMs,
    // Taking the hold back waits for it to end, so its last requests are over before anyone else holds.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    // Retried without end on another process when its process dies or stalls; final only for what no process can
    // fix. A short interval: it is the hand-over's time after the lease's timeout.
    retry: { initialInterval: '500ms', backoffCoefficient: 1.5, maximumInterval: '2s' },
  });
  const { closedWorkflows } = proxyActivities<Activities>({
    taskQueue: ORCHESTRATION_TASK_QUEUE,
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 3 },
  });

  const changed = () => {
    state.seq++;
    dirty = true;
    publishStatus();
  };
  const memberOf = (workflowId: string) => state.members.find((member) => member.workflowId === workflowId);
  const removeMember = (workflowId: string) => {
    const before = state.members.length;
    state.members = state.members.filter((member) => member.workflowId !== workflowId);
    sent.delete(workflowId);
    if (state.members.length !== before) changed();
  };

  setHandler(joinLeaseUpdate, (join): LeaseView => {
    let member = memberOf(join.member.workflowId);
    if (member) {
      member.active = join.active;
      delete member.refused;
    } else {
      member = { ...join.member, active: join.active, seenSeq: 0 };
      state.members.push(member);
    }
    changed();
    const view = viewOf(member);
    sent.set(member.workflowId, JSON.stringify({ ...view, seq: 0 }));
    return view;
  });
  setHandler(leaveLeaseSignal, ({ workflowId }) => removeMember(workflowId));
  setHandler(memberActiveSignal, ({ workflowId, active }) => {
    const member = memberOf(workflowId);
    if (!member || member.active === active) return;
    member.active = active;
    changed();
  });
  setHandler(leaseLimitsSignal, (change) => {
    const { revision, limits, ...rest } = state.directive;
    state.directive = { ...rest, revision: revision + 1, limits: mergeLimits(limits, change) };
    changed();
  });
  setHandler(lateThrottleSignal, ({ epoch, cooldownUntil }) => {
    // A window is only ever extended, whoever reports it; one already over changes nothing.
    if (cooldownUntil <= Date.now() || cooldownUntil <= (state.directive.holdUntil ?? 0)) return;
    log.info('a process that lost the lease met a 429', { tenantId, epoch, cooldownUntil });
    state.directive = { ...state.directive, revision: state.directive.revision + 1, holdUntil: cooldownUntil };
    changed();
  });
  setHandler(
    claimLeaseUpdate,
    (claim) => {
      const current = hold!;
      const epoch = Math.max(state.lastEpoch + 1, Date.now());
      state.lastEpoch = epoch;
      current.holder = {
        epoch,
        taskQueue: claim.taskQueue,
        worker: claim.worker,
        attempt: claim.attempt,
        since: Date.now(),
      };
      changed();
      return { epoch, directive: state.directive };
    },
    {
      validator: (claim: ClaimLeaseInput) => {
        if (!hold || hold.ended || hold.returning || claim.hold !== hold.number)
          throw new Error(`hold ${claim.hold} is not the lease's current hold`);
        if (hold.holder && claim.attempt <= hold.holder.attempt)
          throw new Error(`attempt ${claim.attempt} is not newer than the holder's (${hold.holder.attempt})`);
      },
    },
  );
  setHandler(leaseStateQuery, (): LeaseState => {
    const holder = currentHolder();
    return {
      tenantId,
      seq: state.seq,
      status: statusOf(),
      ...(holder && {
        holder: { epoch: holder.epoch, taskQueue: holder.taskQueue, worker: holder.worker, since: holder.since },
      }),
      members: state.members.map((member, index) => ({
        workflowId: member.workflowId,
        jobId: member.jobId,
        active: member.active,
        share: shares()[index]!,
      })),
      directive: state.directive,
      holds: state.holds,
    };
  });

  function shares(): number[] {
    return sharesOf(state.members, state.directive.limits.concurrency);
  }

  /** The process writing for the tenant now: none once its hold is asked back or has ended. */
  function currentHolder() {
    return hold?.ended === false && !hold.returning ? hold.holder : undefined;
  }

  function viewOf(member: LeaseMember): LeaseView {
    const holder = currentHolder();
    return {
      seq: state.seq,
      ...(holder && { holder: { epoch: holder.epoch, taskQueue: holder.taskQueue, worker: holder.worker } }),
      share: shares()[state.members.indexOf(member)] ?? 0,
      directive: state.directive,
      ...(member.refused && { refused: member.refused }),
    };
  }

  function statusOf(): LeaseStatus {
    if (state.members.length === 0) return 'idle';
    return hold?.holder && !hold.ended ? 'holding' : 'waiting-for-worker';
  }

  function publishStatus() {
    const status = statusOf();
    if (status === publishedStatus) return;
    publishedStatus = status;
    upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
  }

  /** Sends each member its view when it changed; a member whose workflow is gone leaves. */
  async function tellMembers() {
    for (;;) {
      await condition(() => dirty);
      dirty = false;
      await Promise.all(
        state.members.map(async (member) => {
          const view = viewOf(member);
          const text = JSON.stringify({ ...view, seq: 0 });
          if (sent.get(member.workflowId) === text) return;
          sent.set(member.workflowId, text);
          sending++;
          try {
            await getExternalWorkflowHandle(member.workflowId).signal(leaseViewSignal, view);
            member.seenSeq = view.seq;
          } catch (error) {
            log.info('a member of the lease is gone', { tenantId, member: member.workflowId, error: String(error) });
            removeMember(member.workflowId);
          } finally {
            sending--;
          }
        }),
      );
    }
  }

  /** Members that ended without leaving (terminated, or their job terminated) are let go. */
  async function checkMembers() {
    for (;;) {
      await sleep(MEMBER_CHECK_EVERY);
      if (state.members.length === 0) continue;
      const closed = await closedWorkflows(state.members.map((member) => member.workflowId)).catch(() => []);
      for (const workflowId of closed) removeMember(workflowId);
    }
  }

  /** Runs one hold until it ends: given back, lost for good, or refused by every process. */
  async function runHold(): Promise<void> {
    // The hold outlives a cancellation of this workflow until it is taken back (see the end of the workflow).
    let scope: CancellationScope | undefined;
    const input = { tenantId, hold: state.holds + 1, ...(state.last && { last: state.last }), loginBudgetMs };
    const held = CancellationScope.nonCancellable(() => {
      scope = new CancellationScope();
      return scope.run(() => holdTenant(input));
    });
    const current: Hold = { number: ++state.holds, scope: scope!, returning: false, ended: false };
    hold = current;
    publishStatus();
    let outcome: HoldOutcome | undefined;
    let failure: unknown;
    try {
      outcome = await held;
    } catch (error) {
      failure = error;
    }
    current.ended = true;
    const holder = current.holder;
    if (holder) {
      const pacing = outcome?.pacing ?? state.last?.pacing;
      state.last = { worker: holder.worker, gaveBack: outcome !== undefined, ...(pacing && { pacing }) };
    }
    if (failure !== undefined && !isCancellation(failure) && !current.returning) refuse(failure);
    changed();
  }

  /** No process can hold the lease (unknown tenant, no write permission, no login within the budget). */
  function refuse(failure: unknown) {
    const cause = failure instanceof ActivityFailure ? failure.cause : failure;
    const reason: FailureReason =
      cause instanceof ApplicationFailure
        ? reasonOfFailure(failure).reason
        : { code: 'lease-failed', message: `no worker process could hold tenant ${tenantId}: ${String(cause)}` };
    log.warn('the tenant cannot be served', { tenantId, reason: reason.message });
    for (const member of state.members) member.refused = reason;
  }

  /** Asks the hold back and waits until it has ended (its last requests over). */
  async function takeBack(current: Hold) {
    current.returning = true;
    changed();
    current.scope.cancel();
    await condition(() => current.ended);
  }

  const historyEventLimit = DEFAULT_HISTORY_EVENT_LIMIT;
  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyEventLimit;
  const wanted = () => state.members.some((member) => !member.refused);

  void CancellationScope.nonCancellable(tellMembers);
  void checkMembers();
  publishStatus();

  try {
    for (;;) {
      if (!wanted() && !(await condition(() => wanted() || historyFull(), idleMs))) break;
      if (historyFull()) break;
      const running = runHold();
      const current = hold!;
      // No members left: the hold goes back at once (a process holds only so many tenants); the lease itself waits
      // a while for the next job before it ends.
      await condition(() => current.ended || !wanted() || historyFull());
      if (!current.ended) await takeBack(current);
      await running;
      // Members refused with a reason stop and leave; the next job to join gets a fresh hold.
      if (historyFull()) break;
    }
  } catch (error) {
    if (!isCancellation(error)) throw error;
    // Cancelled (the Web UI, an operator): the hold is given back, and the members join a fresh lease.
    const current = hold;
    if (current && !current.ended) await CancellationScope.nonCancellable(() => takeBack(current));
    return;
  }

  await condition(() => !dirty && sending === 0);
  await condition(allHandlersFinished);
  if (historyFull())
    await continueAsNew<typeof tenantLease>({
      tenantId,
      limits: state.directive.limits,
      ...(input.tuning && { tuning: input.tuning }),
      carry: state,
    });
}
