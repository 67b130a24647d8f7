/**
 * The fault suite's CI-sized subset: the scenario code of `npm run faults` with smaller jobs (fewer kills, a
 * few bad files), on the test run's dev server. Each scenario must pass every one of its checks, with nothing
 * lost, no secret found and no token crossing tenants; the last two search everything the others produced.
 */
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { apiFaults } from '../../tools/faults/scenarios/api-faults';
import { badInputs } from '../../tools/faults/scenarios/bad-inputs';
import { jobTerminated, tenantTerminated } from '../../tools/faults/scenarios/containment';
import { credentialsRevoked, credentialsRotated } from '../../tools/faults/scenarios/credentials';
import { genesysBadRows } from '../../tools/faults/scenarios/genesys-bad-rows';
import { genesysLenient } from '../../tools/faults/scenarios/genesys-lenient';
import { genesysWriter } from '../../tools/faults/scenarios/genesys-writer';
import { holdCannotStart } from '../../tools/faults/scenarios/hold-cannot-start';
import { isolation } from '../../tools/faults/scenarios/isolation';
import { longThrottle } from '../../tools/faults/scenarios/long-throttle';
import { manyFailures } from '../../tools/faults/scenarios/many-failures';
import { manyTenantsRefused } from '../../tools/faults/scenarios/many-tenants-refused';
import { largeItems } from '../../tools/faults/scenarios/large-items';
import { scopeRemoved } from '../../tools/faults/scenarios/scope-removed';
import { secrets } from '../../tools/faults/scenarios/secrets';
import { sharedTenants } from '../../tools/faults/scenarios/shared-tenants';
import { soak } from '../../tools/faults/scenarios/soak';
import { stalledWorker } from '../../tools/faults/scenarios/stalled-worker';
import { temporalFrozen } from '../../tools/faults/scenarios/temporal-frozen';
import { thousandTenants } from '../../tools/faults/scenarios/thousand-tenants';
import { threeWorkers } from '../../tools/faults/scenarios/three-workers';
import { tokens } from '../../tools/faults/scenarios/tokens';
import { workerKills } from '../../tools/faults/scenarios/worker-kills';
import { createSuite, runScenario } from '../../tools/faults/suite';
import type { Scenario, ScenarioResult } from '../../tools/faults/types';

describe('fault suite, CI size', () => {
  // A fixed seed: every CI run meets the same random moments, and the preconditions hold on each (scenario 19's
  // first six updates per tenant draw 3 lost answers, 3 Error endings and 3 dropped events). `npm run faults`
  // draws a new seed each run, to explore.
  const suite = createSuite(inject('temporalAddress'), { seed: 20261212, log: () => undefined });
  afterAll(() => suite.cleanup.runAll());
  // A scene still running this long before its test's timeout stops and says where it stood (workflows, pending
  // tasks, writes, logs): time left to read that and to stop everything before the runner gives up on the test.
  const STANDING_MARGIN_MS = 45_000;
  let testTimeoutMs = 0;
  beforeEach(({ task }) => {
    testTimeoutMs = task.timeout;
  });

  async function passes<P>(scenario: Scenario<P>): Promise<ScenarioResult> {
    const result = await runScenario(suite, scenario, scenario.ci, { timeoutMs: testTimeoutMs - STANDING_MARGIN_MS });
    expect(result.error, result.where).toBeUndefined();
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result).toMatchObject({ lost: 0, secretsFound: 0, crossOrgTokenUses: 0, passed: true });
    return result;
  }

  it('1. a worker SIGKILLed mid-job and restarted: read-back = input', async () => {
    const result = await passes(workerKills);
    expect(result.applied).toBe(result.assignments);
    expect(result.violations).toBe(0);
  }, 240_000);

  it('5. 503s, resets, hung responses and latency spikes, before and after the write: nothing lost', async () => {
    const result = await passes(apiFaults);
    expect(result.runs).toBe(2);
  }, 240_000);

  it(
    '6. tokens revoked, short-lived and met with 401s: single-flight refresh, completes',
    () => passes(tokens),
    180_000,
  );

  it('7. scope removed mid-job: that tenant stops with the reason, the rest complete, the unsent are failed', async () => {
    const result = await passes(scopeRemoved);
    expect(result.failedWithReason).toBeGreaterThan(0);
    expect(result.applied! + result.failedWithReason!).toBe(result.assignments);
  }, 180_000);

  it('8. bad input files: exit 2, file:line: field: message, no workflow', () => passes(badInputs), 180_000);

  it('9. three worker processes, limits learned, the busiest SIGKILLed: nothing lost, no violation', async () => {
    const result = await passes(threeWorkers);
    expect(result.applied).toBe(result.assignments);
    expect(result.violations).toBe(0);
  }, 300_000);

  it('11. hundreds of tenants on one worker process, Temporal’s default limits: no poll refused', async () => {
    const result = await passes(thousandTenants);
    expect(result.applied).toBe(result.assignments);
  }, 300_000);

  it(
    '12. one tenant terminated mid-job: the job completes, every assignment accounted for',
    () => passes(tenantTerminated),
    180_000,
  );

  it(
    '13. the job terminated mid-job: its tenants stop as on a cancel, every assignment accounted for',
    () => passes(jobTerminated),
    180_000,
  );

  it('14. a client secret rotated mid-job in its file and on the login service: no failure', async () => {
    const result = await passes(credentialsRotated);
    expect(result.applied).toBe(result.assignments);
  }, 180_000);

  it('15. a client secret revoked mid-job: that tenant stops once with credentials-refused', async () => {
    const result = await passes(credentialsRevoked);
    expect(result.applied! + result.failedWithReason!).toBe(result.assignments);
  }, 180_000);

  it('16. every assignment refused with its own reason: all reported, payloads and histories small', async () => {
    const result = await passes(manyFailures);
    expect(result.failedWithReason).toBe(result.assignments);
  }, 240_000);

  it('19. the Genesys writer under Error endings, conflicts, lost answers and events, dropped sockets, a kill', async () => {
    const result = await passes(genesysWriter);
    expect(result.applied).toBe(result.assignments);
    expect(result.violations).toBe(0);
  }, 240_000);

  it('20. three jobs on the same tenants: one lease each, caps and Retry-After across jobs, fair shares', async () => {
    const result = await passes(sharedTenants);
    expect(result.applied).toBe(result.assignments);
    expect(result.violations).toBe(0);
  }, 300_000);

  it('21. a process stalled past the lease timeout and woken writes nothing for tenants it lost', async () => {
    const result = await passes(stalledWorker);
    expect(result.applied).toBe(result.assignments);
  }, 300_000);

  it('22. a slow first login keeps its lease; a login out of reach fails its tenant after the budget', async () => {
    const result = await passes(holdCannotStart);
    expect(result.failedWithReason).toBeGreaterThan(0);
    expect(result.applied! + result.failedWithReason!).toBe(result.assignments);
  }, 300_000);

  it('23. Temporal out of reach for 15 s: no tenant written by two processes, the job completes', async () => {
    const result = await passes(temporalFrozen);
    expect(result.applied).toBe(result.assignments);
  }, 300_000);

  it('24. bad rows in Genesys batches: each fails with its own reason, every other row lands once', async () => {
    const result = await passes(genesysBadRows);
    expect(result.applied! + result.failedWithReason!).toBe(result.assignments);
    expect(result.violations).toBe(0);
  }, 240_000);

  it('25. a lenient platform (no version check, stale reads, lost answers, slow updates, a kill): no shift twice', async () => {
    // Its own checks (0 duplicate shifts read back, 0 lost, the faults struck) must pass; the rows all land.
    const result = await passes(genesysLenient);
    expect(result.applied).toBe(result.assignments);
    expect(result.lost).toBe(0);
  }, 300_000);

  it(
    '26. throttled for a long spell: no history grows with it, everything lands after',
    () => passes(longThrottle),
    300_000,
  );

  it(
    '27. job after job on one worker process: memory, handles and tenants kept stay flat',
    () => passes(soak),
    300_000,
  );

  it(
    '28. thousands of tenants, every assignment refused with its own reason: the job continues as new, bounded',
    () => passes(manyTenantsRefused),
    600_000,
  );

  it(
    '29. many big tenants on one worker process: memory bounded, the event loop never held long',
    () => passes(largeItems),
    600_000,
  );

  it('17. no secret or token in any history or log of the scenarios above', async () => {
    const result = await passes(secrets);
    expect(result.runs).toBeGreaterThanOrEqual(5);
  });

  it("18. no tenant's token used on another tenant's data in any scenario above", () => passes(isolation));
});
