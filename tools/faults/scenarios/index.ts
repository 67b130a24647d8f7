/** Every scenario of the fault suite, in the order they run (the suite-wide checks last). */
import type { Scenario } from '../types';
import { apiFaults } from './api-faults';
import { badInputs } from './bad-inputs';
import { jobTerminated, tenantTerminated } from './containment';
import { credentialsRevoked, credentialsRotated } from './credentials';
import { genesysBadRows } from './genesys-bad-rows';
import { genesysLenient } from './genesys-lenient';
import { genesysWriter } from './genesys-writer';
import { holdCannotStart } from './hold-cannot-start';
import { clientKill } from './client-kill';
import { isolation } from './isolation';
import { largeItems } from './large-items';
import { longRetryAfter } from './long-retry-after';
import { longThrottle } from './long-throttle';
import { manyFailures } from './many-failures';
import { manyTenantsRefused } from './many-tenants-refused';
import { scopeRemoved } from './scope-removed';
import { secrets } from './secrets';
import { sharedTenants } from './shared-tenants';
import { soak } from './soak';
import { stalledWorker } from './stalled-worker';
import { temporalFrozen } from './temporal-frozen';
import { serverRestarts } from './server-restarts';
import { thousandTenants } from './thousand-tenants';
import { threeWorkers } from './three-workers';
import { tokens } from './tokens';
import { twoWorkers } from './two-workers';
import { workerKills } from './worker-kills';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each scenario has its own parameter type
export const SCENARIOS: Scenario<any>[] = [
  workerKills,
  twoWorkers,
  serverRestarts,
  clientKill,
  apiFaults,
  tokens,
  scopeRemoved,
  badInputs,
  threeWorkers,
  longRetryAfter,
  thousandTenants,
  tenantTerminated,
  jobTerminated,
  credentialsRotated,
  credentialsRevoked,
  manyFailures,
  genesysWriter,
  sharedTenants,
  stalledWorker,
  holdCannotStart,
  temporalFrozen,
  genesysBadRows,
  genesysLenient,
  longThrottle,
  soak,
  manyTenantsRefused,
  largeItems,
  secrets,
  isolation,
];
