/**
 * The platform's JSON shapes built from the stored schedule: `BuScheduleMetadata` (GET schedule, update result),
 * `BuAgentSchedulesQueryResponse` (agent-schedules query) and the schedules-topic event body. Field names as in the
 * SDK models, so the official SDK and a writer built against it read them as they would the real ones.
 */
import type { AgentSchedule, BuSchedule } from './model';
import type { ChangedAgent } from './processing';
import { sortedShifts } from './store';

/** Topic on which a business unit's schedule operations finish. */
export function schedulesTopic(businessUnitId: string): string {
  return `v2.workforcemanagement.businessunits.${businessUnitId}.schedules`;
}

/** Matches a schedules topic name and gives its business unit. */
export function businessUnitOfTopic(topic: string): string | undefined {
  return /^v2\.workforcemanagement\.businessunits\.([^.]+)\.schedules$/.exec(topic)?.[1];
}

/** API path of a schedule (its `selfUri`). */
export function schedulePath(schedule: BuSchedule): string {
  return `/api/v2/workforcemanagement/businessunits/${schedule.businessUnitId}/weeks/${schedule.weekDate}/schedules/${schedule.id}`;
}

function versionMetadata(version: number, dateModified: string, modifiedBy: string) {
  return { version, dateModified, modifiedBy: { id: modifiedBy } };
}

/** Agents grouped by management unit, units and agents sorted by id. */
function byManagementUnit(agents: Iterable<ChangedAgent>): Map<string, string[]> {
  const units = new Map<string, string[]>();
  for (const { userId, managementUnitId } of agents) {
    const list = units.get(managementUnitId) ?? [];
    list.push(userId);
    units.set(managementUnitId, list);
  }
  return new Map([...units].sort(([a], [b]) => (a < b ? -1 : 1)).map(([mu, ids]) => [mu, ids.sort()]));
}

function managementUnitSummaries(agents: Iterable<ChangedAgent>, listAgents: boolean) {
  return [...byManagementUnit(agents)].map(([id, userIds]) => ({
    managementUnit: { id },
    agentCount: userIds.length,
    agents: listAgents ? userIds.map((userId) => ({ id: userId })) : [],
  }));
}

/** What every view of a schedule starts with. */
function scheduleIdentity(schedule: BuSchedule) {
  const { id, weekDate, weekCount, description, published } = schedule;
  return { id, weekDate, weekCount, description, published };
}

/** `BuScheduleMetadata`: agents are listed only with `expand=managementUnits.agents` (else an empty list). */
export function scheduleMetadataView(schedule: BuSchedule, expandAgents: boolean) {
  return {
    ...scheduleIdentity(schedule),
    metadata: {
      ...versionMetadata(schedule.version, schedule.dateModified, schedule.modifiedBy),
      dateCreated: schedule.dateCreated,
    },
    managementUnits: managementUnitSummaries(schedule.agents.values(), expandAgents),
    selfUri: schedulePath(schedule),
  };
}

/** Result of a finished update: the schedule's new metadata with, per management unit, the agents it changed. */
export function updateResultView(schedule: BuSchedule, changedAgents: readonly ChangedAgent[]) {
  return {
    ...scheduleIdentity(schedule),
    managementUnits: managementUnitSummaries(changedAgents, true),
    metadata: versionMetadata(schedule.version, schedule.dateModified, schedule.modifiedBy),
  };
}

function agentScheduleView(schedule: BuSchedule, agent: AgentSchedule) {
  return {
    user: { id: agent.userId },
    metadata: versionMetadata(agent.version, agent.dateModified, agent.modifiedBy),
    shifts: sortedShifts(agent.shifts).map((shift) => ({
      id: shift.id,
      startDate: shift.startDate,
      lengthMinutes: shift.lengthMinutes,
      activities: shift.activities.map((activity) => ({ ...activity, paid: activity.paid ?? false })),
      manuallyEdited: shift.manuallyEdited,
      schedule: { id: schedule.id, weekDate: schedule.weekDate },
    })),
    fullDayTimeOffMarkers: agent.fullDayTimeOffMarkers.map((marker) => ({ ...marker })),
  };
}

/** `BuAgentSchedulesQueryResponse` of one management unit, optionally only some users (unknown ones are absent). */
export function agentSchedulesQueryResult(
  schedule: BuSchedule,
  query: { managementUnitId: string; userIds?: readonly string[] | undefined },
  businessUnitTimeZone: string,
) {
  const wanted = query.userIds ? new Set(query.userIds) : undefined;
  const agents = [...schedule.agents.values()]
    .filter((a) => a.managementUnitId === query.managementUnitId && (!wanted || wanted.has(a.userId)))
    .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  return { businessUnitTimeZone, agentSchedules: agents.map((agent) => agentScheduleView(schedule, agent)) };
}
