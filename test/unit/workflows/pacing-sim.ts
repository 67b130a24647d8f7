/**
 * A millisecond-step model of one tenant: the workflow's window and pacer, the worker's gate (the real
 * `TenantGate`) and Temporal's retries, in front of the API's token bucket (the simulator's own
 * `TokenBucketThrottle`). Time is simulated, so the figures it gives are exact and repeatable: no sleeping, no
 * timing on the machine.
 */
import type { PacerLimits, PacerState } from '../../../contracts/job';
import { TenantGate } from '../../../activities/tenant-gate';
import { TokenBucketThrottle } from '../../../simulator/throttle';
import { initialPacer, recordSuccess, recordThrottle, reserve } from '../../../workflows/pacing';

export interface SimOptions {
  requests: number;
  api: { burst: number; refillPerSecond: number };
  limits: PacerLimits;
  /** Window of the tenant workflow (concurrency). */
  concurrency: number;
  /** Request round trip, ms. */
  latencyMs: number;
  /** From a completion to the next dispatch (workflow task, activity dispatch), ms. */
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
  /** Earliest send: its slot from the pacer, or its retry time. */
  notBefore: number;
  respondAt?: number;
  answer?: { allowed: true } | { allowed: false; retryAfterSeconds: number };
}

export function simulate(options: SimOptions): SimResult {
  let now = 0;
  // Requests reach the API at once and answers take `latencyMs` back: a request sent before the client could
  // read a 429 is not a violation, as on the simulator with its grace.
  const api = new TokenBucketThrottle(options.api, { now: () => now, violationGraceMs: options.latencyMs });
  const gate = new TenantGate(() => now);
  const pacer = initialPacer(options.limits, now);
  const inFlight: Request[] = [];
  const throttleLog: SimResult['throttleLog'] = [];
  let dispatched = 0;
  let succeeded = 0;
  let throttled = 0;
  let violations = 0;
  let sent = 0;
  let nextDispatchAt = 0;

  while (succeeded < options.requests) {
    if (now > 3_600_000) throw new Error('simulation did not finish in an hour of simulated time');
    for (const request of inFlight.filter((r) => r.respondAt === now)) {
      const answer = request.answer!;
      gate.requestDone(!answer.allowed);
      if (answer.allowed) {
        succeeded++;
        recordSuccess(pacer);
        inFlight.splice(inFlight.indexOf(request), 1);
        nextDispatchAt = Math.max(nextDispatchAt, now + options.dispatchMs);
        if (options.dropAt && succeeded === Math.round(options.requests * options.dropAt.share)) {
          api.setLimits({ burst: options.api.burst, refillPerSecond: options.dropAt.refillPerSecond });
        }
      } else {
        throttled++;
        const retryAfterMs = answer.retryAfterSeconds * 1000;
        recordThrottle(pacer, now, retryAfterMs);
        throttleLog.push({
          at: now,
          mode: pacer.mode,
          ...(pacer.ratePerSecond && { ratePerSecond: pacer.ratePerSecond }),
        });
        // Temporal retries the same activity after the delay the gate gives it, outside the pacer.
        const gapMs = pacer.ratePerSecond ? 1000 / pacer.ratePerSecond : retryAfterMs;
        Object.assign(request, { notBefore: now + gate.throttled(now, retryAfterMs, gapMs) });
        delete request.respondAt;
        delete request.answer;
      }
    }
    while (now >= nextDispatchAt && inFlight.length < options.concurrency && dispatched < options.requests) {
      dispatched++;
      inFlight.push({ notBefore: reserve(pacer, now) });
    }
    for (const request of inFlight) {
      if (request.respondAt !== undefined || gate.tryTake(request.notBefore) > 0) continue;
      const decision = api.tryTake();
      sent++;
      if (!decision.allowed && decision.violation) violations++;
      request.answer = decision;
      request.respondAt = now + options.latencyMs;
    }
    now++;
  }
  return { makespanMs: now, throttled, violations, sent, pacer, throttleLog };
}
