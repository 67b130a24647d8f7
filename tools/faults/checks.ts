/** Checks several scenarios make the same way. */
import type { JobMeasurement } from './measure';
import { describeViolations } from './rates';
import type { Scene } from './scene';
import { check, type Check } from './types';

/** No request arrived while a Retry-After window was open; when one did, the detail says when and where. */
export function retryAfterCheck(scene: Scene, violations: number, extra = ''): Check {
  const details = Object.keys(scene.stats()).flatMap((tenantId) =>
    describeViolations(tenantId, scene.world.sim.state.requestLog(tenantId)),
  );
  const counted = `${violations} violation(s)${extra ? `; ${extra}` : ''}`;
  return check(
    'no request inside a Retry-After window',
    violations === 0,
    details.length > 0 ? `${counted}: ${details.join('; ')}` : counted,
  );
}

/** The job completed and the simulator holds every input row exactly as given (read-back = input). */
export function allAppliedCheck(
  measured: JobMeasurement,
  total: number,
  title = 'the job completes with every assignment applied',
): Check {
  const { result, figures, readBackMismatches } = measured;
  return check(
    title,
    result.status === 'completed' && figures.applied === total && readBackMismatches === 0,
    `status ${result.status}, ${figures.applied}/${total} held, ${readBackMismatches} differ from the input`,
  );
}

/** Every tenant but `stopped` completed and the API holds all of theirs (`perTenant` each). */
export function othersCompleteCheck(
  scene: Scene,
  result: JobMeasurement['result'],
  stopped: string,
  perTenant: number,
  title = 'the other tenants complete',
): Check {
  const others = result.tenants.filter((t) => t.tenantId !== stopped);
  return check(
    title,
    others.every((t) => t.status === 'completed') &&
      scene.applied(others.map((t) => t.tenantId)) === others.length * perTenant,
    others.map((t) => `${t.tenantId} ${t.status} ${t.applied}/${t.total}`).join(', '),
  );
}

/**
 * Every request of a tenant was written by the process holding the tenant's lease: none named a lease older than
 * one an earlier request named (a process that lost the lease and wrote on), and none arrived while another
 * process had one in flight (two processes serving the tenant at once). The simulator tells processes and epochs
 * apart by the requests' User-Agent.
 */
export function leaseCheck(scene: Scene, tenantIds: readonly string[]): Check {
  const stats = scene.stats();
  const stale = tenantIds.reduce((sum, id) => sum + (stats[id]?.staleLeaseRequests ?? 0), 0);
  const overlapping = tenantIds.reduce((sum, id) => sum + (stats[id]?.overlappingWriters ?? 0), 0);
  const writers = tenantIds.map((id) => new Set(scene.world.sim.state.requestLog(id).map((r) => r.worker)).size);
  return check(
    'no process wrote for a tenant under a lease it had lost, and no two processes wrote for one at once',
    stale === 0 && overlapping === 0,
    `${stale} request(s) under a lost lease, ${overlapping} while another process had one in flight; ` +
      `processes that wrote per tenant: ${writers.join(', ')}`,
  );
}

/** Each tenant's peak concurrency at the API stayed within its cap, across processes and jobs. */
export function peakCheck(scene: Scene, tenantIds: readonly string[], cap: number): Check {
  const stats = scene.stats();
  const peaks = tenantIds.map((id) => stats[id]?.peakConcurrency ?? 0);
  return check(
    `peak concurrency ≤ ${cap} for every tenant, across processes and jobs`,
    peaks.every((peak) => peak <= cap),
    `peaks: ${peaks.join(', ')}`,
  );
}
