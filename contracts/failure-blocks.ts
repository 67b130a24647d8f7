/**
 * A block of a tenant's failure log as the claim-check store holds it: JSON, a list of failed ranges. Written by
 * the `storeFailures` activity, read by `wfm-bulk report` and `retry`.
 */
import type { FailedRange } from './failures';

export function encodeFailureBlock(ranges: readonly FailedRange[]): Buffer {
  return Buffer.from(JSON.stringify(ranges));
}

/** A stored block back as ranges; anything else in its place is an error naming the ref. */
export function decodeFailureBlock(ref: string, content: Buffer): FailedRange[] {
  const ranges = JSON.parse(content.toString('utf8')) as unknown;
  if (!Array.isArray(ranges)) throw new Error(`failure block ${ref} is not a list of failed ranges`);
  return ranges as FailedRange[];
}
