/**
 * The assignment and the input row: one zod schema each, used by the client to validate a whole input file
 * before anything starts, and by the worker to read what the client stored.
 */
import { z } from 'zod';
import { weekIdSchema } from './writers';

const MAX_SHIFT_MS = 24 * 60 * 60 * 1000;

/** Tenant ids become part of task queue names and workflow ids, so they keep to a safe alphabet. */
export const tenantIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

/**
 * Text that a spreadsheet would run as a formula when the report is opened ("=HYPERLINK(...)") is refused
 * on the way in, so failure reports written back to CSV stay inert.
 */
function text(max: number) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !/^[=+\-@\t\r]/.test(value), 'must not start with =, +, -, @ or a control character');
}

const offsetDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with an offset' });

const assignmentShape = {
  id: text(128).describe(
    'The caller’s idempotency key, unique within a tenant (up to 128 characters): the API applies an assignment with ' +
      'the same id once, so a batch sent again changes nothing.',
  ),
  userId: text(128).describe('The agent the shift is for (up to 128 characters).'),
  start: offsetDateTime.describe('Start of the shift: ISO 8601 with an offset, like `2026-12-07T08:00:00+01:00`.'),
  end: offsetDateTime.describe('End of the shift: ISO 8601 with an offset, after `start` and at most 24 h after it.'),
  activityCodeId: text(128)
    .optional()
    .describe('The activity code of the shift; required by the `genesys-schedule-update` writer.'),
  managementUnitId: text(128).optional().describe('The agent’s management unit, passed through to the API.'),
  notes: z
    .string()
    .max(1000, 'must be at most 1000 characters')
    // Free text may start with "-", but not with what a spreadsheet runs as a formula.
    .refine((value) => !/^[=+@\t\r]/.test(value), 'must not start with =, +, @ or a control character')
    .optional()
    .describe('Free text, up to 1,000 characters.'),
};

function checkShiftSpan(value: { start: string; end: string }, ctx: z.RefinementCtx): void {
  const span = Date.parse(value.end) - Date.parse(value.start);
  // An unreadable date has its own issue already; "end must be after start" would only mislead.
  if (Number.isNaN(span)) return;
  if (!(span > 0)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
  else if (span > MAX_SHIFT_MS)
    ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be at most 24 h after start' });
}

export const assignmentSchema = z.object(assignmentShape).strict().superRefine(checkShiftSpan);

export type Assignment = z.infer<typeof assignmentSchema>;

/** One row of an input file: an assignment plus where it goes. */
export const inputRowSchema = z
  .object({
    tenantId: tenantIdSchema.describe('The tenant the row goes to: an `id` of the tenants file.'),
    scheduleId: text(128).describe('The schedule the assignment goes to (up to 128 characters).'),
    businessUnitId: text(128)
      .optional()
      .describe('The schedule’s business unit; required by the `genesys-schedule-update` writer.'),
    weekId: weekIdSchema
      .optional()
      .describe(
        'The schedule’s week, its `weekDate` (`yyyy-MM-dd`), for the `genesys-schedule-update` writer. Optional: ' +
          'left out, it is derived from the shift’s start in the business unit’s time zone and first day of the week.',
      ),
    ...assignmentShape,
    // Written by `wfm-bulk report` next to each failed row; ignored on the way in, so a report can be re-run.
    failureCode: z.string().optional().describe('Written by `wfm-bulk report`; ignored on the way in.'),
    failureMessage: z.string().optional().describe('Written by `wfm-bulk report`; ignored on the way in.'),
  })
  .strict()
  .describe(
    'One row of an input file (CSV with a header row, a JSON array or NDJSON): one assignment and where it goes. ' +
      'Text cells may not start with `=`, `+`, `-`, `@` or a control character (`notes` may start with `-`), so ' +
      'reports opened in a spreadsheet stay inert; unknown columns are refused.',
  )
  .superRefine(checkShiftSpan);

export type InputRow = z.infer<typeof inputRowSchema>;

/** What the client stores per tenant, one per line (NDJSON), sorted by schedule so batches never mix schedules. */
export interface StoredItem {
  /** Line of the input file the row came from, so reports can point back at it. */
  line: number;
  scheduleId: string;
  /** Where a Genesys schedule lives: business unit and week; absent for the PUT writer. */
  businessUnitId?: string;
  weekId?: string;
  assignment: Assignment;
}
