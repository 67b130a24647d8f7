/**
 * Recent jobs from visibility, through the SDK's public `workflow.list()`. The SDK decodes every memo as it lists,
 * so a job whose memo this client cannot decrypt (another team's key, or none) would end the whole listing with an
 * error; the listing therefore runs on a client whose codec turns such a payload into the text `(encrypted)`, and
 * that job is still listed.
 */
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { searchAttributes } from '../../contracts/names';

export interface JobListing {
  jobId: string;
  status: string;
  total: number | null;
  applied: number | null;
  failed: number | null;
  startTime: string | null;
  file: string | null;
}

export const JOB_STATUSES = ['running', 'completed', 'completed-with-failures', 'failed', 'cancelled'] as const;

export async function listJobs(
  client: Client,
  options: { status?: (typeof JOB_STATUSES)[number]; limit: number },
): Promise<JobListing[]> {
  const filters = [`WorkflowType = 'bulkJob'`];
  if (options.status) filters.push(`${searchAttributes.status.name} = '${options.status}'`);
  const lenient = new Client({
    connection: client.connection,
    namespace: client.options.namespace,
    dataConverter: { payloadCodecs: [lenientCodec(client.options.loadedDataConverter.payloadCodecs)] },
  });
  const jobs: JobListing[] = [];
  const executions = lenient.workflow.list({ query: filters.join(' AND '), pageSize: Math.min(options.limit, 100) });
  for await (const execution of executions) {
    const attributes = execution.typedSearchAttributes;
    const file = execution.memo?.file;
    jobs.push({
      jobId: execution.workflowId,
      status: attributes.get(searchAttributes.status) ?? execution.status.name.toLowerCase(),
      total: attributes.get(searchAttributes.total) ?? null,
      applied: attributes.get(searchAttributes.applied) ?? null,
      failed: attributes.get(searchAttributes.failed) ?? null,
      startTime: execution.startTime.toISOString(),
      file: typeof file === 'string' ? file : null,
    });
    if (jobs.length >= options.limit) break;
  }
  return jobs;
}

/** Decodes payload by payload through `codecs`; one that cannot be decoded reads as the text `(encrypted)`. */
function lenientCodec(codecs: readonly PayloadCodec[]): PayloadCodec {
  const decodeOne = async (payload: Payload): Promise<Payload> => {
    try {
      let decoded = [payload];
      for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
      return decoded[0]!;
    } catch {
      return defaultPayloadConverter.toPayload('(encrypted)');
    }
  };
  return {
    encode: (payloads) => Promise.resolve(payloads), // the listing client never sends a payload
    decode: (payloads) => Promise.all(payloads.map(decodeOne)),
  };
}
