import type { FastifyReply, FastifyRequest } from 'fastify';
import { platformError, rateLimitMessage, ERROR_CODES } from './errors';
import { countOutcome, senderOf, type OrgCounters, type RequestRecord } from './stats';
import type { OrgRuntime, SimulatorState } from './state';
import type { ThrottleDecision } from './throttle';
import type { ItemProblem } from './validation';
import { announceWindowWhenWritten } from './window-announcement';

/** Sends a real-platform error body, with the context id also in `inin-correlation-id` as the platform does. */
export function sendPlatformError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  details: ItemProblem[] = [],
): FastifyReply {
  const body = platformError(status, code, message, details);
  return reply.code(status).header('inin-correlation-id', body.contextId).send(body);
}

/** HTTP-date of `nowMs + seconds`, rounded up to a whole second so it is never earlier than the seconds form. */
export function retryAfterHttpDate(nowMs: number, seconds: number): string {
  return new Date(Math.ceil((nowMs + seconds * 1000) / 1000) * 1000).toUTCString();
}

/**
 * One PUT of a known org from arrival to the end of its answer or its socket: keeps the org's in-flight count,
 * peak concurrency, request log and status counters right whatever way the exchange ends.
 */
export class PutExchange {
  readonly record: RequestRecord;
  private readonly counters: OrgCounters;
  private closed = false;
  /** Ends this request's count among its sender's requests in flight. */
  private readonly leaveWriters: () => void;

  constructor(
    private readonly state: SimulatorState,
    private readonly org: OrgRuntime,
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    arrivedAt: number,
  ) {
    // Keep this request's counters even if a reset swaps the org's objects while it is in flight.
    const counters = org.counters;
    this.counters = counters;
    this.record = {
      at: arrivedAt,
      endedAt: null,
      status: null,
      items: 0,
      inFlightAtArrival: counters.inFlight,
      violation: false,
    };
    counters.putRequests++;
    counters.inFlight++;
    counters.peakConcurrency = Math.max(counters.peakConcurrency, counters.inFlight);
    counters.firstPutAt ??= arrivedAt;
    counters.lastPutAt = arrivedAt;
    const sender = senderOf(request.headers['user-agent']);
    if (sender) {
      this.record.worker = sender.worker;
      if (sender.epoch !== undefined) this.record.leaseEpoch = sender.epoch;
    }
    this.leaveWriters = sender ? org.writers.arrive(counters, sender) : () => undefined;
    org.log.push(this.record);
    reply.raw.once('close', () => this.onClose());
  }

  /** True once the client's connection is gone. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Records what the throttle made of the request's arrival: a violation, or on the wire in an open window. */
  noteArrival(decision: ThrottleDecision): void {
    if (decision.onTheWire) this.record.onTheWire = true;
    if (decision.allowed || !decision.violation) return;
    this.record.violation = true;
    this.counters.violations++;
  }

  /** Counts the org's token used on another org's schedule. */
  noteCrossOrgUse(): void {
    this.counters.crossOrgTokenUses++;
  }

  /** Answers with a status and JSON body (plus rate-limit headers when the org or the config wants them). */
  send(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.closed) {
      this.reply.hijack(); // the client left; nothing to send
      return;
    }
    this.record.status = status;
    void this.reply.headers({ ...this.rateLimitHeaders(), ...headers });
    void this.reply.code(status).send(body);
  }

  /** Answers with a real-platform error body. */
  fail(status: number, code: string, message: string, details: ItemProblem[] = []): void {
    const body = platformError(status, code, message, details);
    this.send(status, body, { 'inin-correlation-id': body.contextId });
  }

  /** Answers 429 with Retry-After in the configured format. */
  rateLimited(retryAfterSeconds: number): void {
    this.record.retryAfterSeconds = retryAfterSeconds;
    const retryAfter =
      this.state.options.retryAfterFormat === 'http-date'
        ? retryAfterHttpDate(this.state.now(), retryAfterSeconds)
        : String(retryAfterSeconds);
    const body = platformError(429, ERROR_CODES.tooManyRequests, rateLimitMessage(retryAfterSeconds));
    // A busy server may write its 429 some ms after deciding it: the grace runs from the writing.
    announceWindowWhenWritten(this.reply.raw, this.org.throttle ?? undefined);
    this.send(429, body, { 'retry-after': retryAfter, 'inin-correlation-id': body.contextId });
  }

  /** Destroys the socket without an answer. */
  reset(): void {
    this.record.status = 'reset';
    this.reply.hijack();
    this.request.raw.socket.destroy();
  }

  /** Never answers: holds the request until `hangMs` passes, the client gives up or the server shuts down. */
  async hang(hangMs: number, shutdown: AbortSignal): Promise<void> {
    this.record.status = 'hung';
    this.reply.hijack();
    if (!this.closed && !shutdown.aborted) {
      await new Promise<void>((resolve) => {
        const finish = () => {
          clearTimeout(timer);
          shutdown.removeEventListener('abort', finish);
          this.reply.raw.off('close', finish);
          resolve();
        };
        const timer = setTimeout(finish, hangMs);
        shutdown.addEventListener('abort', finish, { once: true });
        this.reply.raw.once('close', finish);
      });
    }
    this.request.raw.socket.destroy();
  }

  /** Drops the exchange during shutdown. */
  abandon(): void {
    this.reply.hijack();
    this.request.raw.socket.destroy();
  }

  private rateLimitHeaders(): Record<string, string> {
    const wanted = this.org.config.rateLimitHeaders ?? this.state.options.rateLimitHeaders;
    if (!wanted || !this.org.throttle) return {};
    const values = this.org.throttle.rateLimitHeaderValues();
    return {
      'inin-ratelimit-allowed': String(values.allowed),
      'inin-ratelimit-count': String(values.count),
      'inin-ratelimit-reset': String(values.resetSeconds),
    };
  }

  private onClose(): void {
    this.closed = true;
    this.counters.inFlight--;
    this.leaveWriters();
    this.record.endedAt = this.state.now();
    const answered = typeof this.record.status === 'number' && this.reply.raw.writableFinished;
    if (this.record.status === null || (typeof this.record.status === 'number' && !answered)) {
      this.record.status = 'aborted';
    }
    countOutcome(this.counters, this.record.status);
  }
}
