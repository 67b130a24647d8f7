/** One schedule assignment as stored by the simulator (unknown extra fields are dropped). */
export interface Assignment {
  id: string;
  userId: string;
  start: string;
  end: string;
  activityCodeId?: string;
  managementUnitId?: string;
  notes?: string;
}

/** One reason an item was refused, as sent in the 400 body's `details`. */
export interface ItemProblem {
  /** Position of the item in `assignments`. */
  index: number;
  /** The item's id when it had a string id, else null. */
  id: string | null;
  fieldName: string;
  message: string;
}

/** Outcome of checking a PUT body. `itemCount` is what the request log records, 0 when the shape is wrong. */
export type BodyCheck =
  | { ok: true; assignments: Assignment[]; itemCount: number }
  | { ok: false; status: 400 | 413; message: string; details: ItemProblem[]; itemCount: number };

/** Limits of item fields, as documented in docs/reference/input-rows.md. */
export const ASSIGNMENT_LIMITS = { maxIdLength: 128, maxNotesLength: 1000, maxShiftHours: 24 } as const;

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Parses an ISO-8601 date-time that carries an offset or Z into ms epoch; null when malformed or out of range.
 * Hand-rolled because `Date.parse` accepts local times and silently rolls over impossible dates.
 */
export function parseIsoDateTimeWithOffset(value: string): number | null {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) =>
    Number(part ?? 0),
  ) as [number, number, number, number, number, number];
  const fractionMs = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8] !== 'Z') {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 18 || offsetMins > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) + fractionMs - offsetMinutes * 60_000;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks one item; pushes every problem found (not just the first) so the caller can fix all at once. */
function checkItem(
  item: unknown,
  index: number,
  users: ReadonlySet<string> | undefined,
  problems: ItemProblem[],
): void {
  if (!isRecord(item)) {
    problems.push({ index, id: null, fieldName: '', message: 'assignment must be an object' });
    return;
  }
  const id = typeof item.id === 'string' ? item.id : null;
  const report = (fieldName: string, message: string) => problems.push({ index, id, fieldName, message });

  if (!isNonEmptyString(item.id) || item.id.length > ASSIGNMENT_LIMITS.maxIdLength) {
    report('id', `id must be a non-empty string of at most ${ASSIGNMENT_LIMITS.maxIdLength} characters`);
  }
  if (!isNonEmptyString(item.userId)) report('userId', 'userId must be a non-empty string');
  else if (users && !users.has(item.userId)) report('userId', `user ${item.userId} not found`); // names the item, as real APIs do

  const start = typeof item.start === 'string' ? parseIsoDateTimeWithOffset(item.start) : null;
  const end = typeof item.end === 'string' ? parseIsoDateTimeWithOffset(item.end) : null;
  if (start === null) report('start', 'start must be an ISO-8601 date-time with an offset or Z');
  if (end === null) report('end', 'end must be an ISO-8601 date-time with an offset or Z');
  if (start !== null && end !== null) {
    if (end <= start) report('end', 'end must be after start');
    else if (end - start > ASSIGNMENT_LIMITS.maxShiftHours * 3_600_000) {
      report('end', `end must be at most ${ASSIGNMENT_LIMITS.maxShiftHours} hours after start`);
    }
  }
  for (const field of ['activityCodeId', 'managementUnitId'] as const) {
    if (item[field] !== undefined && typeof item[field] !== 'string') report(field, `${field} must be a string`);
  }
  if (
    item.notes !== undefined &&
    (typeof item.notes !== 'string' || item.notes.length > ASSIGNMENT_LIMITS.maxNotesLength)
  ) {
    report('notes', `notes must be a string of at most ${ASSIGNMENT_LIMITS.maxNotesLength} characters`);
  }
}

function toAssignment(item: Record<string, unknown>): Assignment {
  const assignment: Assignment = {
    id: item.id as string,
    userId: item.userId as string,
    start: item.start as string,
    end: item.end as string,
  };
  if (typeof item.activityCodeId === 'string') assignment.activityCodeId = item.activityCodeId;
  if (typeof item.managementUnitId === 'string') assignment.managementUnitId = item.managementUnitId;
  if (typeof item.notes === 'string') assignment.notes = item.notes;
  return assignment;
}

/**
 * Validates a raw PUT body `{ "assignments": [...] }`. All or nothing: one bad item refuses the whole request,
 * with a reason per bad item.
 */
export function validateAssignmentsBody(
  rawBody: string,
  options: { maxAssignments: number; users?: ReadonlySet<string> },
): BodyCheck {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { ok: false, status: 400, message: 'The request body is not valid JSON', details: [], itemCount: 0 };
  }
  if (!isRecord(body) || !Array.isArray(body.assignments)) {
    return {
      ok: false,
      status: 400,
      message: 'The request body must be an object with an array "assignments"',
      details: [],
      itemCount: 0,
    };
  }
  const items: unknown[] = body.assignments;
  if (items.length === 0) {
    return {
      ok: false,
      status: 400,
      message: 'assignments must hold at least one assignment',
      details: [],
      itemCount: 0,
    };
  }
  if (items.length > options.maxAssignments) {
    return {
      ok: false,
      status: 413,
      message: `At most ${options.maxAssignments} assignments per request; got ${items.length}`,
      details: [],
      itemCount: items.length,
    };
  }
  const problems: ItemProblem[] = [];
  const seenIds = new Set<string>();
  items.forEach((item, index) => {
    checkItem(item, index, options.users, problems);
    if (isRecord(item) && typeof item.id === 'string' && item.id !== '') {
      if (seenIds.has(item.id)) {
        problems.push({ index, id: item.id, fieldName: 'id', message: 'duplicate assignment id in this request' });
      }
      seenIds.add(item.id);
    }
  });
  if (problems.length > 0) {
    return {
      ok: false,
      status: 400,
      message: `${new Set(problems.map((p) => p.index)).size} of ${items.length} assignments are invalid; none was applied`,
      details: problems,
      itemCount: items.length,
    };
  }
  return {
    ok: true,
    assignments: items.map((item) => toAssignment(item as Record<string, unknown>)),
    itemCount: items.length,
  };
}

/** True when two assignments with the same id carry the same data (an idempotent repeat). */
export function sameAssignment(a: Assignment, b: Assignment): boolean {
  return (
    a.userId === b.userId &&
    a.start === b.start &&
    a.end === b.end &&
    a.activityCodeId === b.activityCodeId &&
    a.managementUnitId === b.managementUnitId &&
    a.notes === b.notes
  );
}
