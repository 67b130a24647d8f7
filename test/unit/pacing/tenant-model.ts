/**
 * A millisecond-step model of one tenant: the workflow's window, the serving process's gate (the real
 * `TenantGate` with its pacer) and Temporal's retries after the delay the gate gives, in front of the API's
 * token bucket (the simulator's own `TokenBucketThrottle`). Time is simulated, so the figures it gives are exact
 * and repeatable: no sleeping, no timing on the machine.
 */
import type { PacerLimits } from '../../../contracts/pacing';
import { TenantGate, type GateTicket } from '../../../pacing/gate';
import { initialPacer, type PacerState } from '../../../pacing/pacer';
import { TokenBucketThrottle } from '../../../tools/simulator/throttle';

export interface SimOptions {
  requests: number;
  api: { burst: number; refillPerSecond: number };
  limits: PacerLimits;
  /** Window of the tenant workflow (concurrency). */
  concurrency: number;
  /** Request round trip, ms. */
  latencyMs: number;
  /** From a completion to the next dispatch, and from a retry's due time to its arrival at the gate, ms. */
  dispatchMs: number;
  /** Change the API's limits when this share of requests has succeeded. */
  dropAt?: { share: number; refillPerSecond: number };
}

export interface SimResult {
  makespanMs: number;
  throttled: number;
  violations: number;
  sent: number;
  pacer: PacerState;
  /** Each 429: when, and the pacer right after it. */
  throttleLog: { at: number; mode: string; ratePerSecond?: number }[];
}

interface Request {
  /** When it reaches the gate's line (first dispatch, or a retry Temporal brought back). */
  arrivesAt: number;
  ticket?: GateTicket;
  respondAt?: number;
  answer?: { allowed: true } | { allowed: false; retryAfterSeconds: number };
}

export function simulate(options: SimOptions): SimResult {
  let now = 0;
  // Requests reach the API at once and answers take `latencyMs` back: a request sent before the client could
  // read a 429 is not a violation, as on the simulator with its grace.
  const api = new TokenBucketThrottle(options.api, { now: () => now, violationGraceMs: options.latencyMs });
  const gate = new TenantGate(initialPacer(options.limits, now), () => now);
  /** The workflow's window: every request dispatched and not yet succeeded. */
  const window: Request[] = [];
  /** The gate's line, in arrival order. */
  const line: Request[] = [];
  const throttleLog: SimResult['throttleLog'] = [];
  let dispatched = 0;
  let succeeded = 0;
  let throttled = 0;
  let violations = 0;
  let sent = 0;
  let nextDispatchAt = 0;

  while (succeeded < options.requests) {
    if (now > 3_600_000) throw new Error('simulation did not finish in an hour of simulated time');
    for (const request of window.filter((r) => r.respondAt === now)) {
      const answer = request.answer!;
      const ticket = request.ticket!;
      delete request.respondAt;
      delete request.answer;
      delete request.ticket;
      if (answer.allowed) {
        gate.answered(ticket, { kind: 'answered' });
        succeeded++;
        window.splice(window.indexOf(request), 1);
        nextDispatchAt = Math.max(nextDispatchAt, now + options.dispatchMs);
        if (options.dropAt && succeeded === Math.round(options.requests * options.dropAt.share)) {
          api.setLimits({ burst: options.api.burst, refillPerSecond: options.dropAt.refillPerSecond });
        }
      } else {
        throttled++;
        const retryInMs = gate.answered(ticket, {
          kind: 'throttled',
          at: now,
          retryAfterMs: answer.retryAfterSeconds * 1000,
        });
        throttleLog.push({
          at: now,
          mode: gate.pacer.mode,
          ...(gate.pacer.ratePerSecond && { ratePerSecond: gate.pacer.ratePerSecond }),
        });
        // Temporal brings the attempt back after the delay the activity gave it.
        request.arrivesAt = now + retryInMs + options.dispatchMs;
      }
    }
    while (now >= nextDispatchAt && window.length < options.concurrency && dispatched < options.requests) {
      dispatched++;
      window.push({ arrivesAt: now + options.dispatchMs });
    }
    for (const request of window) if (request.arrivesAt === now) line.push(request);
    while (line.length > 0) {
      const decision = gate.poll();
      if (typeof decision === 'number') break;
      const request = line.shift()!;
      const answer = api.tryTake();
      sent++;
      if (!answer.allowed && answer.violation) violations++;
      Object.assign(request, { ticket: decision, answer, respondAt: now + options.latencyMs });
    }
    now++;
  }
  return { makespanMs: now, throttled, violations, sent, pacer: gate.pacer, throttleLog };
}
