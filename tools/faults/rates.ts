/** Figures read from the simulator's request log and from a worker's Prometheus endpoint. */
import type { RequestRecord } from '../simulator';

/** Most requests that arrived within any `windowMs` (a sliding window over arrival times). */
export function peakInWindow(log: readonly RequestRecord[], windowMs: number): number {
  const arrivals = log.map((record) => record.at).sort((a, b) => a - b);
  let peak = 0;
  let first = 0;
  for (let last = 0; last < arrivals.length; last++) {
    while (arrivals[last]! - arrivals[first]! >= windowMs) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}

/** PUTs a worker process has sent since it started (its `wfm_requests_total`, all tenants and statuses). */
export async function requestsSent(metricsUrl: string): Promise<number> {
  return metricSum(metricsUrl, 'wfm_requests_total');
}

/** A metric of a worker's Prometheus endpoint, summed over its labels (0 when it has none yet). */
export async function metricSum(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let sum = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)$`, 'gm')))
    sum += Number(match[1]);
  return sum;
}

/**
 * How many requests beyond what a token bucket of `ratePerSecond` and `burst`, full at the first arrival,
 * would have let through: 0 when the arrivals conform to the configured rate and burst.
 */
export function bucketOverrun(log: readonly RequestRecord[], ratePerSecond: number, burst: number): number {
  const arrivals = log.map((record) => record.at).sort((a, b) => a - b);
  let tokens = burst;
  let last = arrivals[0] ?? 0;
  let worst = 0;
  for (const at of arrivals) {
    tokens = Math.min(burst, tokens + ((at - last) / 1000) * ratePerSecond) - 1;
    last = at;
    worst = Math.max(worst, -tokens);
  }
  return worst;
}

/** The longest time without a PUT arriving, over all the logs, after `from` (ms epoch) until the last arrival. */
export function longestQuiet(logs: ReadonlyArray<readonly RequestRecord[]>, from: number): number {
  const arrivals = logs
    .flat()
    .map((record) => record.at)
    .filter((at) => at >= from)
    .sort((a, b) => a - b);
  let longest = 0;
  let previous = from;
  for (const at of arrivals) {
    longest = Math.max(longest, at - previous);
    previous = at;
  }
  return longest;
}

/**
 * Each violation of a tenant's Retry-After window, with how long after the 429 that opened the window it arrived,
 * so a reader can tell a request already on its way (a few ms) from one that ignored the window.
 */
export function describeViolations(tenantId: string, log: readonly RequestRecord[]): string[] {
  const byArrival = [...log].sort((a, b) => a.at - b.at);
  return byArrival.flatMap((record, index) => {
    if (!record.violation) return [];
    const opener = byArrival
      .slice(0, index)
      .reverse()
      .find((earlier) => earlier.status === 429 && !earlier.violation && earlier.endedAt !== null);
    const since = opener
      ? `${record.at - opener.endedAt!} ms after the 429 (Retry-After ${opener.retryAfterSeconds} s)`
      : 'with no 429 before it';
    return [
      `${tenantId}: a PUT arrived ${since}, ${record.inFlightAtArrival} others in flight, answered ${record.status}`,
    ];
  });
}
