/** A scenario turned into what the simulator and the systems need: org configs, input rows, limit drops. */
import { assignmentRows, type AssignmentRow } from '../harness/world';
import type { OrgConfigInput } from '../simulator';
import type { PlannedDrop } from './limit-drop';
import type { Scenario } from './scenarios';

/** Org configs; ids as given (the harness world appends its suffix to them itself). */
export function orgConfigs(scenario: Scenario): OrgConfigInput[] {
  // A profile's orgs take its throttle (and the rest of it) from the simulator.
  if (scenario.profile) return scenario.tenants.map((tenant) => ({ id: tenant.name, profile: scenario.profile }));
  return scenario.tenants.map((tenant) => ({
    id: tenant.name,
    throttle: tenant.throttle,
    ...(scenario.latencyMs > 0 && { faults: { latencyMs: scenario.latencyMs } }),
  }));
}

/** The job's rows: one schedule per tenant (`<org id>-s1`, a default schedule), so PUTs = ⌈n / batch⌉. */
export function inputRows(scenario: Scenario, orgIdOf: (name: string) => string): AssignmentRow[] {
  return scenario.tenants.flatMap((tenant) => {
    const orgId = orgIdOf(tenant.name);
    return assignmentRows(orgId, [`${orgId}-s1`], tenant.assignments);
  });
}

export function plannedDrops(scenario: Scenario, orgIdOf: (name: string) => string): PlannedDrop[] {
  return scenario.tenants.flatMap((tenant) =>
    tenant.drop ? [{ orgId: orgIdOf(tenant.name), drop: tenant.drop }] : [],
  );
}
