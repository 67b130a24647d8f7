/**
 * Every workflow history of a job (job and tenant workflows, and the leases of its tenants, every run), for replay
 * and for secret scans.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { temporal, type google } from '@temporalio/proto';
import type { JobInput } from '../../contracts/job';
import { tenantLeaseWorkflowId, tenantWorkflowId } from '../../contracts/names';

export interface RecordedHistory {
  workflowId: string;
  runId: string;
  history: temporal.api.history.v1.IHistory;
}

/**
 * Tenants never started are skipped. Walks each workflow's runs back from the latest through `continuedExecutionRunId`, so no run is missed
 * (visibility, being eventually consistent, could miss a run that just closed).
 */
export async function jobHistories(
  client: Client,
  job: Pick<JobInput, 'jobId' | 'tenants'>,
): Promise<RecordedHistory[]> {
  const workflowIds = [job.jobId, ...job.tenants.map((tenant) => tenantWorkflowId(job.jobId, tenant.tenantId))];
  const histories: RecordedHistory[] = [];
  const seen = new Set<string>();
  /** The runs of `workflowId` back from `runId`. */
  async function walkBack(workflowId: string, runId: string | null | undefined) {
    while (runId && !seen.has(runId)) {
      seen.add(runId);
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      histories.push({ workflowId, runId, history });
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    }
  }
  for (const workflowId of workflowIds) {
    const latest = await client.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        (description) => description.runId,
        (error: unknown) => {
          // A tenant the job never started (cancelled while it waited for a place) has no history.
          if (error instanceof WorkflowNotFoundError && workflowId !== job.jobId) return undefined;
          throw error;
        },
      );
    await walkBack(workflowId, latest);
  }
  // A tenant's lease may have ended and started again (its runs are not chained then): every run visibility knows.
  for (const tenant of job.tenants) {
    const workflowId = tenantLeaseWorkflowId(tenant.tenantId);
    for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
      await walkBack(workflowId, run.runId);
  }
  return histories;
}

/**
 * The history as text with every payload decoded to UTF-8 (where `temporal workflow show --output json` would
 * show base64), so a search finds a secret inside any input, result, failure, memo or search attribute.
 */
export function historyText(history: temporal.api.history.v1.IHistory): string {
  return JSON.stringify(history, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value,
  );
}

/** Temporal's limits a history must stay far below (server defaults). */
export const TEMPORAL_LIMITS = {
  /** One payload (an input, a result, a signal's arguments). */
  payloadBytes: 2 * 1024 * 1024,
  /** A run's history: the server warns here, and terminates the run at 50 MB. */
  historyWarnBytes: 10 * 1024 * 1024,
  historyBytes: 50 * 1024 * 1024,
  /** Events of a run: the server warns here, and terminates the run at 51,200. */
  historyWarnEvents: 10_240,
  historyEvents: 51_200,
} as const;

/** The size of a history event as stored, its binary payloads counted by their length. */
export function eventBytes(event: temporal.api.history.v1.IHistoryEvent): number {
  return JSON.stringify(event, (_key, value: unknown) =>
    value instanceof Uint8Array ? 'x'.repeat(value.length) : value,
  ).length;
}

/** A server timestamp in ms since the epoch (0 when absent). */
function timestampMs(time: google.protobuf.ITimestamp | null | undefined): number {
  return Number(time?.seconds ?? 0) * 1_000 + Math.floor((time?.nanos ?? 0) / 1e6);
}

/** When an event was written, ms since the epoch. */
export function eventTimeMs(event: temporal.api.history.v1.IHistoryEvent): number {
  return timestampMs(event.eventTime);
}

/** An event's type as Temporal names it, e.g. `ACTIVITY_TASK_SCHEDULED`. */
export function eventTypeName(event: temporal.api.history.v1.IHistoryEvent): string {
  const type = event.eventType ?? 0;
  return (temporal.api.enums.v1.EventType[type] ?? String(type)).replace('EVENT_TYPE_', '');
}

/** The history's events written in `[from, to]` (epoch ms), each with its time. */
export function eventsBetween(
  history: temporal.api.history.v1.IHistory,
  from: number,
  to: number,
): { at: number; event: temporal.api.history.v1.IHistoryEvent }[] {
  return (history.events ?? [])
    .map((event) => ({ at: eventTimeMs(event), event }))
    .filter(({ at }) => at >= from && at <= to);
}

/**
 * The events of some workflows' latest runs between two moments, one line each, in milliseconds from `from`:
 * where a hand-over spent its time, for a test's failure message.
 */
export async function eventTimeline(
  client: Client,
  workflowIds: readonly string[],
  from: number,
  to: number,
): Promise<string> {
  const lines: { at: number; text: string }[] = [];
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    for (const { at, event } of eventsBetween(history, from, to))
      lines.push({ at, text: `${workflowId} #${String(event.eventId)} ${eventTypeName(event)}` });
  }
  return lines
    .sort((a, b) => a.at - b.at)
    .map((line) => `+${line.at - from} ms ${line.text}`)
    .join('\n');
}

/** A workflow task a worker took and never finished: it ran out its start-to-close timeout. */
export interface LostWorkflowTask {
  /** Who took it (the worker's identity). */
  identity: string;
  startedAt: number;
  timedOutAt: number;
}

/**
 * The workflow tasks of a history that timed out after being started. Temporal hands a task to a stopping worker's
 * poll in the moment the worker cuts it: the worker never sees the task, and the workflow waits the task's timeout
 * (10 s) before another worker gets it.
 */
export function lostWorkflowTasks(history: temporal.api.history.v1.IHistory): LostWorkflowTask[] {
  const started = new Map<string, { identity: string; at: number }>();
  const lost: LostWorkflowTask[] = [];
  for (const event of history.events ?? []) {
    const start = event.workflowTaskStartedEventAttributes;
    if (start) started.set(String(event.eventId), { identity: start.identity ?? '', at: eventTimeMs(event) });
    const timeout = event.workflowTaskTimedOutEventAttributes;
    if (timeout?.timeoutType === temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE) {
      const task = started.get(String(timeout.startedEventId));
      if (task) lost.push({ identity: task.identity, startedAt: task.at, timedOutAt: eventTimeMs(event) });
    }
  }
  return lost;
}

/** When an update named `name` was first accepted at or after `since` (epoch ms); undefined if none was. */
export function updateAcceptedAt(
  history: temporal.api.history.v1.IHistory,
  name: string,
  since: number,
): number | undefined {
  return (history.events ?? [])
    .filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name)
    .map(eventTimeMs)
    .find((at) => at >= since);
}

/**
 * Where some workflows stand now, a few lines each: status, history length, the pending workflow task and
 * activities (with the worker that took them and their last failure), and the last events with their times from
 * `since`. Read from the server alone (no query), so a worker that is stalled or gone cannot hold it up: what a
 * test prints when a job did not finish.
 */
export async function workflowStandings(
  client: Client,
  workflowIds: readonly string[],
  since: number,
): Promise<string> {
  const at = (time: google.protobuf.ITimestamp | null | undefined) => (time ? `+${timestampMs(time) - since} ms` : '-');
  const blocks: string[] = [];
  for (const workflowId of workflowIds) {
    try {
      const handle = client.workflow.getHandle(workflowId);
      const { status, historyLength, raw } = await handle.describe();
      const lines = [`${workflowId}: ${status.name}, ${historyLength} events`];
      const task = raw.pendingWorkflowTask;
      if (task)
        lines.push(
          `  workflow task: ${temporal.api.enums.v1.PendingWorkflowTaskState[task.state ?? 0]}, attempt ` +
            `${task.attempt}, scheduled ${at(task.scheduledTime)}, started ${at(task.startedTime)}`,
        );
      for (const activity of raw.pendingActivities ?? [])
        lines.push(
          `  activity ${activity.activityType?.name} #${activity.activityId}: ` +
            `${temporal.api.enums.v1.PendingActivityState[activity.state ?? 0]}, attempt ${activity.attempt}, ` +
            `worker ${activity.lastWorkerIdentity || '-'}, started ${at(activity.lastStartedTime)}, heartbeat ` +
            `${at(activity.lastHeartbeatTime)}` +
            (activity.lastFailure?.message ? `, last failure: ${activity.lastFailure.message.slice(0, 200)}` : ''),
        );
      const events = (await handle.fetchHistory()).events ?? [];
      for (const event of events.slice(-8))
        lines.push(`  #${String(event.eventId)} ${at(event.eventTime)} ${eventTypeName(event)}`);
      blocks.push(lines.join('\n'));
    } catch (error) {
      blocks.push(`${workflowId}: cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return blocks.join('\n');
}
