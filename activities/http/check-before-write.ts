/**
 * Asking the tenant's gate once more at the very last moment. Between a request passing the gate and its bytes
 * leaving, it may wait for a connection (a new one to open, a busy process to get round to it); a 429 read meanwhile
 * must still stop it. undici calls a handler's `onConnect` right before it writes the request to its socket, and
 * writes nothing when the handler aborts there: that is where this asks.
 *
 * A request that waited for a new connection is written when the connection opens, from that I/O callback. A 429
 * for another request of the tenant may have arrived in the same round and not be read yet (the socket's callback
 * comes later in the round): the gate would say yes without knowing. So a new connection is handed over only
 * from the check phase, after the round's reads, as the waiting room lets requests through (`waiting-room.ts`).
 */
import type { Duplex } from 'node:stream';
import { Agent, buildConnector, type Dispatcher } from 'undici';

/** The request was held back before any byte of it was written: nothing was sent. */
export class HeldBeforeWrite extends Error {
  constructor() {
    super('held back before it was written: the tenant was throttled while it waited for a connection');
    this.name = 'HeldBeforeWrite';
  }
}

/**
 * A dispatcher for one request through `via` that asks `mayWrite` right before the request is written; false holds
 * it back (the request then fails with `HeldBeforeWrite`, and nothing was sent).
 */
export function checkBeforeWrite(via: Dispatcher, mayWrite: () => boolean): Dispatcher {
  return via.compose((dispatch) => (options, handler) => dispatch(options, new CheckedHandler(handler, mayWrite)));
}

/** Passes everything on to the request's own handler (undici's callback form), but asks before the write. */
class CheckedHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly mayWrite: () => boolean,
  ) {}

  onConnect(abort: (error?: Error) => void): void {
    if (!this.mayWrite()) {
      abort(new HeldBeforeWrite());
      return;
    }
    this.inner.onConnect?.(abort);
  }

  onError(error: Error): void {
    this.inner.onError?.(error);
  }

  onUpgrade(statusCode: number, headers: Buffer[] | string[] | null, socket: Duplex): void {
    this.inner.onUpgrade?.(statusCode, headers, socket);
  }

  onResponseStarted(): void {
    this.inner.onResponseStarted?.();
  }

  onHeaders(statusCode: number, headers: Buffer[], resume: () => void, statusText: string): boolean {
    return this.inner.onHeaders?.(statusCode, headers, resume, statusText) ?? true;
  }

  onData(chunk: Buffer): boolean {
    return this.inner.onData?.(chunk) ?? true;
  }

  onComplete(trailers: string[] | null): void {
    this.inner.onComplete?.(trailers);
  }

  onBodySent(chunkSize: number, totalBytesSent: number): void {
    this.inner.onBodySent?.(chunkSize, totalBytesSent);
  }
}

/**
 * The worker's HTTP dispatcher: undici's Agent, whose new connections are handed over to their waiting request
 * only once the I/O already read in that round has been handled (see above).
 */
export function createHttpAgent(options: Omit<Agent.Options, 'connect'> = {}): Agent {
  return new Agent({ ...options, connect: afterPendingReads(buildConnector({})) });
}

/** `connector`, handing each new connection over from the next check phase (`setImmediate`) instead of at once. */
export function afterPendingReads(connector: buildConnector.connector): buildConnector.connector {
  return (options, callback) =>
    connector(options, (...result) => {
      setImmediate(() => {
        callback(...result);
      });
    });
}
