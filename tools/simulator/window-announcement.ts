/**
 * When a 429's Retry-After window counts as known to clients. Arrival is stamped when the server gets round to a
 * request, and a burst is read one request after another: requests read in the same I/O round as the 429 was
 * written sat in the server's socket buffers already, so they were on the wire before it left, however late their
 * stamp. The grace therefore runs from the end of that round (`setImmediate` runs after the round's I/O callbacks).
 */
import type { ServerResponse } from 'node:http';
import type { RequestThrottle } from './throttle';

/** Announces the window `throttle` may have opened once `response` is written and its I/O round is over. */
export function announceWindowWhenWritten(
  response: ServerResponse,
  throttle: Pick<RequestThrottle, 'windowAnnounced'> | undefined,
): void {
  if (!throttle) return;
  response.once('finish', () => setImmediate(() => throttle.windowAnnounced()));
}
