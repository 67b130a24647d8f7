/**
 * Row validation with the contract's schema, then the checks that need all rows: ids unique per tenant,
 * tenants known.
 */
import { inputRowSchema } from '../../contracts/assignment';
import type { Writer } from '../../contracts/writers';
import type { IssueCollector } from './issues';
import type { ParsedRow, RawRecord } from './types';
import { didYouMean, plural, quote, quoteList } from './wording';
import { describeZodIssues } from './zod-issues';

/** Lines listed for a tenant that is not known, besides the first. */
const UNKNOWN_TENANT_LINES = 5;

export interface ValidateOptions {
  knownTenants?: ReadonlySet<string> | undefined;
  /** Each tenant's writer: rows are checked for the fields their writer needs. */
  writers?: ReadonlyMap<string, Writer> | undefined;
  /** Fields reported once for the whole file (missing CSV columns): not repeated per row. */
  missingFields?: ReadonlySet<string> | undefined;
}

/** Who a row is for, as far as it could be read: the file-wide checks use it even when other fields are wrong. */
interface RowKey {
  line: number;
  tenantId: string;
  id?: string;
}

/** The rows that pass the schema; every problem of the others goes to `issues`. */
export function validateRecords(
  records: readonly RawRecord[],
  issues: IssueCollector,
  options: ValidateOptions = {},
): ParsedRow[] {
  const rows: ParsedRow[] = [];
  const keys: RowKey[] = [];
  for (const record of records) {
    if (issues.full) break;
    const result = inputRowSchema.safeParse(record.value);
    if (result.success) {
      rows.push({ line: record.line, row: result.data });
      keys.push({ line: record.line, tenantId: result.data.tenantId, id: result.data.id });
      continue;
    }
    for (const problem of describeZodIssues(result.error.issues, record.value, options.missingFields)) {
      issues.add(record.line, problem.message, problem.field);
    }
    const key = readableKey(record);
    if (key) keys.push(key);
  }
  checkUniqueIds(keys, issues);
  if (options.writers) checkWriterFields(rows, options.writers, issues);
  if (options.knownTenants) checkTenantsKnown(keys, options.knownTenants, issues);
  return rows;
}

/** Tenant and id of an invalid row, each only if valid by itself. */
function readableKey({ line, value }: RawRecord): RowKey | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { tenantId, id } = value as Record<string, unknown>;
  const tenant = inputRowSchema.shape.tenantId.safeParse(tenantId);
  if (!tenant.success) return undefined;
  const key = inputRowSchema.shape.id.safeParse(id);
  return key.success ? { line, tenantId: tenant.data, id: key.data } : { line, tenantId: tenant.data };
}

/** The id is the idempotency key within a tenant: a second row with it would silently overwrite the first. */
function checkUniqueIds(keys: readonly RowKey[], issues: IssueCollector): void {
  const firstLine = new Map<string, number>();
  for (const { line, tenantId, id } of keys) {
    if (id === undefined) continue;
    // NUL cannot occur in decoded input, so it separates tenant and id unambiguously.
    const key = `${tenantId}\u0000${id}`;
    const first = firstLine.get(key);
    if (first === undefined) firstLine.set(key, line);
    else issues.add(line, `duplicate id ${quote(id)} for tenant ${tenantId}, first on line ${first}`, 'id');
  }
}

/** One issue per unknown tenant (at its first row), not one per row: a misspelt tenant may have thousands. */
function checkTenantsKnown(keys: readonly RowKey[], known: ReadonlySet<string>, issues: IssueCollector): void {
  const unknown = new Map<string, { lines: number[]; count: number }>();
  for (const { line, tenantId } of keys) {
    if (known.has(tenantId)) continue;
    const seen = unknown.get(tenantId) ?? { lines: [], count: 0 };
    if (seen.lines.length <= UNKNOWN_TENANT_LINES) seen.lines.push(line);
    seen.count++;
    unknown.set(tenantId, seen);
  }
  const knownList = known.size === 0 ? 'the tenants file lists none' : quoteList([...known].sort(), 5);
  for (const [tenant, { lines, count }] of unknown) {
    const message = `unknown tenant ${quote(tenant)}${didYouMean(tenant, known)}; known tenants: ${knownList}`;
    issues.add(lines[0] ?? 0, message + alsoOnLines(lines, count), 'tenantId');
  }
}

/** "; 12 rows, also on lines 4, 9, 15, …" */
function alsoOnLines(lines: readonly number[], count: number): string {
  if (count < 2) return '';
  return `; ${plural(count, 'row')}, also on lines ${lines.slice(1).join(', ')}${count > lines.length ? ', …' : ''}`;
}

/**
 * Fields a Genesys schedule update cannot do without: the schedule's business unit and the shift's activity code.
 * The week may be left out: the writer derives it from the shift's start in the business unit's calendar.
 */
const GENESYS_FIELDS = ['businessUnitId', 'activityCodeId'] as const;

/**
 * Rows of tenants written through Genesys' schedule update: each names its business unit and activity code, and
 * all rows of one schedule agree on business unit and on week, given or not (a schedule lives in one place).
 */
function checkWriterFields(
  rows: readonly ParsedRow[],
  writers: ReadonlyMap<string, Writer>,
  issues: IssueCollector,
): void {
  const placeOf = new Map<string, { line: number; place: string }>();
  for (const { line, row } of rows) {
    if (writers.get(row.tenantId) !== 'genesys-schedule-update') continue;
    const missing = GENESYS_FIELDS.filter((field) => row[field] === undefined);
    for (const field of missing)
      issues.add(
        line,
        `${field} is required for tenant ${row.tenantId}, whose writer is genesys-schedule-update`,
        field,
      );
    if (missing.length > 0) continue;
    const place = `business unit ${quote(row.businessUnitId!)}, ${row.weekId === undefined ? 'no week given' : `week ${row.weekId}`}`;
    const key = `${row.tenantId}\u0000${row.scheduleId}`;
    const first = placeOf.get(key);
    if (!first) placeOf.set(key, { line, place });
    else if (first.place !== place)
      issues.add(
        line,
        `schedule ${quote(row.scheduleId)} is in ${place} here but in ${first.place} on line ${first.line}`,
        'businessUnitId',
      );
  }
}
