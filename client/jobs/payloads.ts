/** Reading a payload from a workflow's history as its workflow did, through the SDK's public data converter API. */
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';

/** Runs `payload` back through the client's codecs (last applied, first undone), then its payload converter. */
export async function decodePayload<T>(client: Client, payload: Payload | undefined): Promise<T | undefined> {
  if (!payload) return undefined;
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let decoded: Payload[] = [payload];
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return payloadConverter.fromPayload<T>(decoded[0]!);
}
