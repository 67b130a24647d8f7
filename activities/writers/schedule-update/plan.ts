/**
 * One round of a schedule update, planned from what the schedule holds now. Genesys shifts carry no id of ours, so
 * an assignment is known by its content: the agent, the shift's start and length and the activity code. What is
 * there already is applied (a re-run or a retry after a crash changes nothing); what would overlap another shift
 * is refused here, before anything is sent; the rest goes into one upload built on the versions just read, so
 * the platform refuses it if anyone (an earlier attempt included) changed the schedule meanwhile. Pure.
 */
import type { Assignment } from '../../../contracts/assignment';
import type { FailureReason } from '../../../contracts/failures';
import type { AgentSchedule, ScheduleUpload } from './platform';

/** An assignment of the batch, by its offset within the batch. */
export interface PlannedRow {
  offset: number;
  assignment: Assignment;
}

/** The schedule as read: its version, and each asked-for agent's schedule (absent: not in the schedule yet). */
export interface ScheduleState {
  version: number;
  agents: ReadonlyMap<string, AgentSchedule>;
  /** The schedule's first week and how many weeks it spans, when the platform said. */
  weekDate?: string;
  weekCount?: number;
}

export interface RoundPlan {
  /** Already in the schedule. */
  present: number[];
  /** Refused before sending, with why. */
  refused: { offset: number; reason: FailureReason }[];
  /** In `upload`. */
  sending: number[];
  /** Undefined when nothing is left to send. */
  upload?: ScheduleUpload;
}

interface Span {
  startMs: number;
  endMs: number;
}

/** @param paidOf whether time of an activity code is paid (the business unit's `countsAsPaidTime`) */
export function planRound(
  rows: readonly PlannedRow[],
  state: ScheduleState,
  paidOf: (activityCodeId: string) => boolean = () => true,
): RoundPlan {
  const plan: RoundPlan = { present: [], refused: [], sending: [] };
  const byAgent = new Map<string, ScheduleUpload['agentSchedules'][number]>();
  /** Spans of the shifts each agent will have: what is there plus what this round adds. */
  const taken = new Map<string, (Span & { what: string })[]>();
  const takenBy = (userId: string) => {
    let spans = taken.get(userId);
    if (!spans) {
      spans = (state.agents.get(userId)?.shifts ?? []).map((shift) => {
        const startMs = Date.parse(shift.startDate);
        return { startMs, endMs: startMs + shift.lengthMinutes * 60_000, what: describeShift(shift) };
      });
      taken.set(userId, spans);
    }
    return spans;
  };

  for (const { offset, assignment } of rows) {
    const startMs = Date.parse(assignment.start);
    const endMs = Date.parse(assignment.end);
    const lengthMinutes = (endMs - startMs) / 60_000;
    if (!Number.isInteger(lengthMinutes) || startMs % 60_000 !== 0) {
      plan.refused.push({
        offset,
        reason: {
          code: 'not-whole-minutes',
          message: `Genesys shifts start on a whole minute and last whole minutes; ${assignment.start} to ${assignment.end} does not`,
        },
      });
      continue;
    }
    const activityCodeId = assignment.activityCodeId ?? '';
    if (isPresent(state.agents.get(assignment.userId), startMs, lengthMinutes, activityCodeId)) {
      plan.present.push(offset);
      continue;
    }
    const spans = takenBy(assignment.userId);
    const clash = spans.find((span) => span.startMs < endMs && startMs < span.endMs);
    if (clash) {
      plan.refused.push({
        offset,
        reason: {
          code: 'overlaps-existing-shift',
          message: `agent ${assignment.userId} already has ${clash.what}, which overlaps ${assignment.start} to ${assignment.end}`,
        },
      });
      continue;
    }
    spans.push({ startMs, endMs, what: `the shift of assignment ${assignment.id} in this job` });
    const startDate = new Date(startMs).toISOString();
    let agent = byAgent.get(assignment.userId);
    if (!agent) {
      const version = state.agents.get(assignment.userId)?.metadata.version;
      agent = { userId: assignment.userId, ...(version !== undefined && { metadata: { version } }), shifts: [] };
      byAgent.set(assignment.userId, agent);
    }
    agent.shifts.push({
      startDate,
      lengthMinutes,
      activities: [
        { startDate, lengthMinutes, activityCodeId, description: assignment.notes ?? '', paid: paidOf(activityCodeId) },
      ],
      // "Only set by clients and used for rescheduling": a reschedule keeps what we wrote.
      manuallyEdited: true,
    });
    plan.sending.push(offset);
  }
  if (byAgent.size > 0) plan.upload = { metadata: { version: state.version }, agentSchedules: [...byAgent.values()] };
  return plan;
}

/** The agent has a shift with this start and length holding an activity of this code over the whole shift. */
function isPresent(
  agent: AgentSchedule | undefined,
  startMs: number,
  lengthMinutes: number,
  activityCodeId: string,
): boolean {
  return (agent?.shifts ?? []).some(
    (shift) =>
      Date.parse(shift.startDate) === startMs &&
      shift.lengthMinutes === lengthMinutes &&
      (shift.activities ?? []).some(
        (activity) =>
          activity.activityCodeId === activityCodeId &&
          Date.parse(activity.startDate) === startMs &&
          activity.lengthMinutes === lengthMinutes,
      ),
  );
}

function describeShift(shift: { id?: string | undefined; startDate: string; lengthMinutes: number }): string {
  return `shift ${shift.id ?? '(no id)'} from ${shift.startDate} for ${shift.lengthMinutes} min`;
}
