/**
 * The tenants' leases as `wfm-bulk tenants` shows them: every running lease workflow (visibility), what it says of
 * itself (its holder and epoch, the jobs writing to the tenant and their shares; a query) and what its holder last
 * said of the tenant's pace (the hold's heartbeat, which Temporal keeps with the running activity).
 */
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { PacingView } from '../../contracts/pacing';
import type { HoldBeat, LeaseState } from '../../contracts/lease';
import { leaseStateQuery } from '../../contracts/messages';
import { searchAttributes, tenantLeaseWorkflowId } from '../../contracts/names';

/** How long a lease's query may take; queries need a live worker. */
const QUERY_DEADLINE_MS = 5_000;

export interface LeaseListing {
  tenantId: string;
  /** `holding`, `waiting-for-worker`, `idle`; or `unknown` when no worker answered. */
  status: string;
  state?: LeaseState;
  /** The holder's pace and open Retry-After window as of its last renewal. */
  pacing?: PacingView;
  /** When the pace was last reported (epoch ms). */
  pacingAt?: number;
  /** Why the lease's own state could not be read. */
  stale?: string;
}

export async function listLeases(client: Client, options: { tenantId?: string } = {}): Promise<LeaseListing[]> {
  const filters = [`WorkflowType = 'tenantLease'`, `ExecutionStatus = 'Running'`];
  if (options.tenantId) filters.push(`WorkflowId = '${tenantLeaseWorkflowId(options.tenantId)}'`);
  const listings: LeaseListing[] = [];
  for await (const execution of client.workflow.list({ query: filters.join(' AND ') })) {
    const tenantId = execution.typedSearchAttributes.get(searchAttributes.tenantId) ?? execution.workflowId;
    listings.push(await leaseOf(client, execution.workflowId, tenantId));
  }
  return listings.sort((a, b) => a.tenantId.localeCompare(b.tenantId));
}

async function leaseOf(client: Client, workflowId: string, tenantId: string): Promise<LeaseListing> {
  const handle = client.workflow.getHandle(workflowId);
  const [state, beat] = await Promise.all([
    client
      .withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(leaseStateQuery))
      .then(
        (value) => ({ value }),
        (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
      ),
    holdBeat(client, workflowId).catch(() => undefined),
  ]);
  if ('error' in state)
    return { tenantId, status: 'unknown', stale: `no worker answered (${state.error})`, ...paceOf(beat) };
  return { tenantId, status: state.value.status, state: state.value, ...paceOf(beat) };
}

function paceOf(beat: { beat: HoldBeat; at?: number } | undefined): Pick<LeaseListing, 'pacing' | 'pacingAt'> {
  if (!beat?.beat.pacing || beat.beat.epoch === undefined) return {};
  return { pacing: beat.beat.pacing, ...(beat.at !== undefined && { pacingAt: beat.at }) };
}

/** The last beat of the lease's hold, decoded with this client's codec. */
async function holdBeat(client: Client, workflowId: string): Promise<{ beat: HoldBeat; at?: number } | undefined> {
  const description = await client.workflow.getHandle(workflowId).describe();
  const hold = description.raw.pendingActivities?.find((activity) => activity.activityType?.name === 'holdTenant');
  const payloads = hold?.heartbeatDetails?.payloads;
  if (!payloads?.length) return undefined;
  const beat = await decodeFromPayloadsAtIndex<HoldBeat>(client.options.loadedDataConverter, 0, payloads);
  const seconds = hold?.lastHeartbeatTime?.seconds;
  return { beat, ...(seconds != null && { at: Number(seconds) * 1000 }) };
}
