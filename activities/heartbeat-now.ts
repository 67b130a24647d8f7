/**
 * A heartbeat that reaches Temporal before the next step: the SDK's own heartbeats are throttled (a beat may wait
 * `maxHeartbeatThrottleInterval` to be sent), so a record the next attempt must find, even if this process dies the
 * next moment, goes by the raw call as well and is waited for.
 */
import type { Context, Info } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { encodeToPayloads } from '@temporalio/common/lib/internal-non-workflow';

/**
 * Sends `details` now and resolves once Temporal has recorded them.
 * @param deadline epoch ms by which the answer must come
 * @returns whether Temporal asks the attempt to stop
 * @throws what the call throws (Temporal unreachable, the attempt no longer known)
 */
export async function heartbeatNow(context: Context, details: unknown, deadline: number): Promise<boolean> {
  context.heartbeat(details);
  const client = clientOf(context);
  // An activity run outside a worker (tests' mock environment) has only the SDK's beat.
  if (!client) return false;
  return (await recordHeartbeat(client, context.info, details, deadline)).cancelRequested;
}

/**
 * The raw `RecordActivityTaskHeartbeat` call for this attempt, with `details` encoded as the SDK would.
 * @throws what the call throws: Temporal out of reach or past `deadline`, NOT_FOUND for an attempt it no longer knows
 */
export async function recordHeartbeat(
  client: Client,
  info: Info,
  details: unknown,
  deadline: number,
): Promise<{ cancelRequested: boolean }> {
  const payloads = await encodeToPayloads(client.options.loadedDataConverter, details);
  const response = await client.connection.withDeadline(deadline, () =>
    client.workflowService.recordActivityTaskHeartbeat({
      namespace: info.namespace,
      taskToken: info.taskToken,
      identity: client.options.identity,
      ...(payloads && { details: { payloads } }),
    }),
  );
  return { cancelRequested: Boolean(response.cancelRequested) };
}

function clientOf(context: Context): Client | undefined {
  try {
    return context.client;
  } catch {
    return undefined;
  }
}
