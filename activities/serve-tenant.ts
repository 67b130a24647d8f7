/**
 * `serveTenant`, for tenant workflows begun before the tenant's lease (patch `tenant-lease`; later ones use the
 * lease, `hold-tenant.ts`): a worker process takes a tenant of a job and holds it. It runs on the queue every process
 * polls (`TENANT_CLAIMS_TASK_QUEUE`) for as long as the tenant workflow needs it, heartbeating:
 *
 * - it checks the tenant's access (a token with the write scope), opens the tenant's task queue in this process
 *   and tells the tenant workflow to send its PUTs there, so this process's gate is the tenant's one authority;
 * - while it holds, it tells the workflow at once when the tenant's gate closes for a Retry-After window, so
 *   progress shows it and a process that takes over after this one dies honours the window too;
 * - when this process dies its heartbeats stop, Temporal retries the activity on another process, and that one
 *   tells the workflow where the PUTs go now: the hand-over takes the heartbeat timeout and a moment.
 *
 * The workflow cancels it when the tenant is done; the process closes the tenant's queue when no job needs it. A
 * process that shuts down (SIGTERM) lets go at once, and another takes over without waiting for a timeout.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { ServeTenantInput } from '../contracts/serve-tenant';
import { tenantServedSignal, tenantThrottledSignal } from '../contracts/messages';
import { failureTypes, tenantWorkflowId } from '../contracts/names';
import { SERVE_TENANT_BEAT_MS } from '../contracts/timing';
import { OAuthError } from './auth/oauth';
import type { ActivityDeps } from './deps';
import { checkAccess, takeTenant } from './tenant-access';
import type { TenantRuntime } from './tenant-runtime';

/** A cooldown stretched by less than this is not reported again. */
const COOLDOWN_REPORT_SLACK_MS = 1_000;

export function createServeTenant(deps: ActivityDeps) {
  return async function serveTenant(input: ServeTenantInput): Promise<void> {
    const context = Context.current();
    // A process with another claim-check store than the job's leaves the tenant to one with the right store.
    await deps.jobStores.check(input.jobId, context.client, context.info.attempt);
    const use = takeTenant(input.tenantId, context, deps);
    try {
      await serve(input, context, use.runtime);
    } finally {
      use.release();
    }
  };

  /** Holds the tenant for the run until the workflow cancels the hold or this process shuts down. */
  async function serve(input: ServeTenantInput, context: Context, tenant: TenantRuntime): Promise<void> {
    const workflowId = tenantWorkflowId(input.jobId, input.tenantId);
    const scopes = await checkAccess(tenant, () => loginOrWait(tenant, deps));
    tenant.takeOver(workflowId, input.limits, input.pacing);
    const queue = await deps.serveTenantQueue(input.tenantId);
    // This hold predates the lease: it writes unfenced, as such holds always did, until it ends.
    const closeFence = tenant.fence.openLegacy();
    try {
      const workflow = context.client.workflow.getHandle(workflowId);
      await workflow.signal(tenantServedSignal, {
        runId: input.runId,
        taskQueue: queue.taskQueue,
        worker: deps.workerId,
        scopes,
      });
      // The workflow keeps the cooldown, so a process that takes over after this one dies still honours it.
      let reportedUntil = 0;
      const reportCooldown = () => {
        const cooldownUntil = tenant.gate.cooldownEndsAt;
        // A new window, or one stretched by more than a moment; not every 429 of a cluster.
        if (!cooldownUntil || cooldownUntil <= reportedUntil + COOLDOWN_REPORT_SLACK_MS) return;
        reportedUntil = cooldownUntil;
        workflow
          .signal(tenantThrottledSignal, { runId: input.runId, pacing: tenant.gate.view() })
          .catch((error: unknown) =>
            deps.log(`tenant ${input.tenantId}: could not report a cooldown: ${(error as Error).message}`, {
              jobId: input.jobId,
              tenantId: input.tenantId,
            }),
          );
      };
      const stopReporting = tenant.onCooldown(reportCooldown);
      try {
        reportCooldown();
        for (;;) {
          context.heartbeat();
          await context.sleep(SERVE_TENANT_BEAT_MS);
        }
      } finally {
        stopReporting();
      }
    } catch (error) {
      // A process shutting down gives the tenant back at once: another process takes it without waiting for
      // the heartbeat timeout.
      if (context.cancellationDetails?.workerShutdown)
        throw ApplicationFailure.retryable('the worker process serving this tenant is shutting down', 'WorkerShutdown');
      throw error;
    } finally {
      // Cancelled by the workflow (tenant done), or by this worker shutting down: either way the hold ends.
      closeFence();
      queue.release();
    }
  }
}

/** A token; a login 429 ends this attempt, retried by Temporal after the login service's Retry-After. */
async function loginOrWait(tenant: TenantRuntime, deps: ActivityDeps) {
  try {
    return await deps.token(tenant);
  } catch (error) {
    if (!(error instanceof OAuthError) || error.retryAfterMs === undefined) throw error;
    throw ApplicationFailure.create({
      message: error.message,
      type: failureTypes.rateLimited,
      nextRetryDelay: error.retryAfterMs,
      category: ApplicationFailureCategory.BENIGN,
    });
  }
}
