/**
 * A millisecond-step model of one tenant: the worker's window and gate in front of the API's token bucket (the
 * simulator's own `TokenBucketThrottle`), driven by the real pacer. Time is simulated, so the figures it gives
 * are exact and repeatable: no sleeping, no timing on the machine.
 */
import type { PacerLimits, PacerState } from '../../../contracts/job';
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
}

interface InFlight {
  /** When it is sent (its slot, or after a cooldown for a retry). */
  sendAt: number;
  retry: boolean;
  respondAt?: number;
  outcome?: { allowed: true } | { allowed: false; retryAfterSeconds: number };
}

export function simulate(options: SimOptions): SimResult {
  let now = 0;
  // Requests reach the API at once and answers take `latencyMs` back: a request sent before the client could
  // read a 429 is not a violation, as on the simulator with its grace.
  const api = new TokenBucketThrottle(options.api, { now: () => now, violationGraceMs: options.latencyMs });
  const pacer = initialPacer(options.limits, now);
  let cooldownUntil = 0;
  let probeOut = false;
  let probeRequired = false;
  let dispatched = 0;
  let succeeded = 0;
  let throttled = 0;
  let violations = 0;
  let sent = 0;
  let nextDispatchAt = 0;
  const slots: InFlight[] = [];

  while (succeeded < options.requests) {
    if (now > 3_600_000) throw new Error('simulation did not finish in an hour of simulated time');
    // Answers arrive.
    for (const request of slots.filter((r) => r.respondAt === now)) {
      probeOut = false;
      if (request.outcome!.allowed) {
        probeRequired = false;
        succeeded++;
        recordSuccess(pacer);
        slots.splice(slots.indexOf(request), 1);
        nextDispatchAt = Math.max(nextDispatchAt, now + options.dispatchMs);
        if (options.dropAt && succeeded === Math.round(options.requests * options.dropAt.share)) {
          api.setLimits({ burst: options.api.burst, refillPerSecond: options.dropAt.refillPerSecond });
        }
      } else {
        throttled++;
        recordThrottle(pacer, now);
        const until = now + request.outcome!.retryAfterSeconds * 1000;
        if (until > cooldownUntil) probeRequired = true;
        cooldownUntil = Math.max(cooldownUntil, until);
        // Temporal retries the same activity after Retry-After; it does not ask the pacer again.
        Object.assign(request, { sendAt: until, retry: true, respondAt: undefined, outcome: undefined });
      }
    }
    // The workflow fills its window.
    while (now >= nextDispatchAt && slots.length < options.concurrency && dispatched < options.requests) {
      dispatched++;
      slots.push({ sendAt: Math.max(reserve(pacer, now), 0), retry: false });
    }
    // The gate lets requests go.
    for (const request of slots) {
      if (request.respondAt !== undefined || now < request.sendAt || now < cooldownUntil) continue;
      if (probeRequired && probeOut) continue;
      if (probeRequired) probeOut = true;
      const decision = api.tryTake();
      sent++;
      if (!decision.allowed && decision.violation) violations++;
      request.outcome = decision;
      request.respondAt = now + options.latencyMs;
    }
    now++;
  }
  return { makespanMs: now, throttled, violations, sent, pacer };
}
