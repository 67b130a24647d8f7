/** Checks several scenarios make the same way. */
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
