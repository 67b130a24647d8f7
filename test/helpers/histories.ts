/** Every workflow history of a job (job and tenant workflows, every run), for replay and for secret scans. */
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
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

/** The history as the JSON `temporal workflow show --output json` prints, for text searches. */
export function historyText(history: temporal.api.history.v1.IHistory): string {
  return historyToJSON(history);
}
