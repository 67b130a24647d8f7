/** Every workflow history of a job (job and tenant workflows, every run), for replay and for secret scans. */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { searchAttributes } from '../../contracts/names';

export interface RecordedHistory {
  workflowId: string;
  runId: string;
  history: temporal.api.history.v1.IHistory;
}

export async function jobHistories(client: Client, jobId: string): Promise<RecordedHistory[]> {
  const histories: RecordedHistory[] = [];
  // Visibility is eventually consistent; the job's own workflow is fetched by id so it is never missed.
  const ids = new Map<string, string>();
  for await (const execution of client.workflow.list({ query: `${searchAttributes.jobId.name} = '${jobId}'` })) {
    ids.set(`${execution.workflowId}:${execution.runId}`, execution.workflowId);
  }
  for (const [key, workflowId] of ids) {
    const runId = key.slice(workflowId.length + 1);
    histories.push({ workflowId, runId, history: await client.workflow.getHandle(workflowId, runId).fetchHistory() });
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
