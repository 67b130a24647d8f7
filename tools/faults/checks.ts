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
