/**
 * What `wfm-bulk plan` says of an input: each row's class (contracts/plan-classes.ts), per tenant and row by row.
 * Rows of PUT tenants are classed here, since a PUT has nothing to read against; rows of Genesys tenants take the
 * class their plan job recorded where a job records a failure. The report is a failure report of every row, so it
 * is a valid input again, like `wfm-bulk report`'s.
 */
import type { StoredItem } from '../../contracts/assignment';
import type { FailureReason } from '../../contracts/failures';
import type { InputFormat } from '../../contracts/job';
import { LANDING_CLASSES, PLAN_CLASSES } from '../../contracts/plan-classes';
import type { TenantSettings } from '../../contracts/tenants';
import type { Writer } from '../../contracts/writers';
import type { ParsedInput, ParsedRow } from '../input';
import { storedItemOf } from '../input/normalize';
import type { FailedAssignment } from './failures';
import { formatReport } from './report';

/** A row of the input with its class, and the item it is (for the report). */
export interface PreviewRow {
  line: number;
  tenantId: string;
  id: string;
  class: string;
  message: string;
  item: StoredItem;
}

export interface PreviewTenant {
  tenantId: string;
  writer: Writer;
  /** Rows per class, landing classes first, then refusals by name. */
  classes: Record<string, number>;
}

export interface Preview {
  /** The plan job of the Genesys tenants' rows; undefined when the input has none. */
  jobId: string | undefined;
  tenants: PreviewTenant[];
  /** Every row, in input order. */
  rows: PreviewRow[];
}

/** Whether the plan runs a job for the tenant's rows: only the Genesys writer reads before it writes. */
export function readsBeforeWriting(settings: TenantSettings | undefined): boolean {
  return settings?.writer === 'genesys-schedule-update';
}

/** The rows whose class a plan job finds out: a tenant's that reads its schedules first. */
export function plannedRows(parsed: ParsedInput, tenants: ReadonlyMap<string, TenantSettings>): ParsedInput {
  return { ...parsed, rows: parsed.rows.filter(({ row }) => readsBeforeWriting(tenants.get(row.tenantId))) };
}

/** The key a row's class is found by: the id is unique within a tenant (the input's own check). */
const rowKey = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;

/** The plan job's classes (its failures), by row. */
export function classesByRow(failures: readonly FailedAssignment[]): Map<string, FailureReason> {
  return new Map(failures.map((failure) => [rowKey(failure.tenantId, failure.assignment.id), failure.reason]));
}

/**
 * A row of a Genesys tenant the plan job did not class: it counted the row applied, which a plan never does. A
 * worker older than `plan` ignores `dryRun` and writes; this says so rather than calling the row fine.
 */
const UNCLASSED: FailureReason = {
  code: 'not-classified',
  message:
    'the plan job counted this row applied instead of classing it: a worker without plan support may have written it',
};

export function previewOf(
  parsed: ParsedInput,
  tenants: ReadonlyMap<string, TenantSettings>,
  jobId: string | undefined,
  jobClasses: ReadonlyMap<string, FailureReason>,
): Preview {
  const rows = parsed.rows.map((parsedRow) => previewRow(parsedRow, tenants, jobClasses));
  const byTenant = new Map<string, PreviewRow[]>();
  for (const row of rows) {
    const tenantRows = byTenant.get(row.tenantId);
    if (tenantRows) tenantRows.push(row);
    else byTenant.set(row.tenantId, [row]);
  }
  return {
    jobId,
    tenants: [...byTenant].map(([tenantId, tenantRows]) => ({
      tenantId,
      writer: tenants.get(tenantId)?.writer ?? 'put',
      classes: countClasses(tenantRows),
    })),
    rows,
  };
}

function previewRow(
  parsedRow: ParsedRow,
  tenants: ReadonlyMap<string, TenantSettings>,
  jobClasses: ReadonlyMap<string, FailureReason>,
): PreviewRow {
  const { tenantId, item } = storedItemOf(parsedRow);
  const reason = readsBeforeWriting(tenants.get(tenantId))
    ? (jobClasses.get(rowKey(tenantId, item.assignment.id)) ?? UNCLASSED)
    : // The PUT writer's own words for it in a plan job (activities/writers/put.ts).
      { code: PLAN_CLASSES.wouldPut, message: `would go in a PUT to schedule ${item.scheduleId}` };
  // The class is the code alone, so a report's failureCode is the class; an HTTP status goes with the message.
  const { status } = reason;
  const message =
    status === undefined || reason.message.includes(String(status))
      ? reason.message
      : `${reason.message} (HTTP ${status})`;
  return { line: item.line, tenantId, id: item.assignment.id, class: reason.code, message, item };
}

function countClasses(rows: readonly PreviewRow[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.class, (counts.get(row.class) ?? 0) + 1);
  const order = (name: string) => {
    const landing = LANDING_CLASSES.indexOf(name);
    return landing >= 0 ? landing : LANDING_CLASSES.length;
  };
  const names = [...counts.keys()].sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(names.map((name) => [name, counts.get(name)!]));
}

export function wouldLand(row: Pick<PreviewRow, 'class'>): boolean {
  return LANDING_CLASSES.includes(row.class);
}

/** Every row in the input's format, its class and message as `failureCode` and `failureMessage`. */
export function previewReport(rows: readonly PreviewRow[], format: InputFormat): string {
  return formatReport(
    rows.map(({ tenantId, class: code, message, item }): FailedAssignment => ({
      ...item,
      tenantId,
      reason: { code, message },
    })),
    format,
  );
}
