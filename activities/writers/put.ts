/**
 * The PUT writer: one batch, one PUT of its assignments to the tenant's `pathTemplate`, plus one more when the API
 * refuses some items, to land the rest.
 */
import type { Assignment } from '../../contracts/assignment';
import { PLAN_CLASSES } from '../../contracts/plan-classes';
import type { BatchOutcome } from '../../contracts/batch';
import type { FailureReason, ItemFailure } from '../../contracts/failures';
import { failureTypes } from '../../contracts/names';
import type { TenantSettings } from '../../contracts/tenants';
import { safeJson, summarize } from '../auth/oauth';
import { Fault, reasonOf, type ApiErrorBody } from '../http/gated-request';
import type { Writer } from './writer';

/**
 * Whether a 404 says the schedule itself is unknown, so its later batches would be refused too: a not-found code
 * whose message names the schedule. Any other 404 (a gateway's, a wrong path) refuses this batch only.
 */
export function saysScheduleUnknown(body: ApiErrorBody | undefined, scheduleId: string): boolean {
  if (typeof body?.code !== 'string' || !/not[._]found/i.test(body.code)) return false;
  const text = `${body.code} ${body.message ?? ''}`;
  return text.includes(scheduleId) || /schedule/i.test(text);
}

export const putWriter: Writer = {
  async write(requests, { input, scheduleId, rows }): Promise<BatchOutcome> {
    // A plan sends nothing: a PUT has no read to check it against.
    if (input.dryRun === true)
      return {
        outcome: 'done',
        applied: 0,
        failures: rows.map((_, offset) => ({
          offset,
          reason: { code: PLAN_CLASSES.wouldPut, message: `would go in a PUT to schedule ${scheduleId}` },
        })),
      };
    const settings = requests.tenant.settings;
    const url = settings.apiBaseUrl + settings.pathTemplate.replace('{scheduleId}', encodeURIComponent(scheduleId));

    // Offsets (within the batch) still to send; items the API refused leave this list with their reason.
    let pending = Array.from({ length: rows.length }, (_, offset) => offset);
    const failures: ItemFailure[] = [];
    // One retry with a fresh token for the whole batch, whatever the number of PUTs it takes.
    const unauthorized = { retried: false };

    while (pending.length > 0) {
      const assignments = pending.map((offset) => rows[offset]!.assignment);
      const call = { method: 'PUT', url, body: toBody(settings, assignments) } as const;
      const response = await requests.send(call, unauthorized);

      if (response.ok) return { outcome: 'done', applied: pending.length, failures };
      const body = safeJson(response.text) as ApiErrorBody | undefined;
      const reason = reasonOf(response.status, body, response.text);
      switch (response.status) {
        case 403:
          return { outcome: 'tenant-forbidden', reason, count: pending.length, failures };
        case 404:
          return {
            outcome: 'rejected',
            reason,
            count: pending.length,
            failures,
            ...(saysScheduleUnknown(body, scheduleId) && { scheduleMissing: true }),
          };
        case 400: {
          const refused = refusedOffsets(body, pending);
          if (refused.size === 0) return { outcome: 'rejected', reason, count: pending.length, failures };
          for (const [offset, itemReason] of refused) failures.push({ offset, reason: itemReason });
          pending = pending.filter((offset) => !refused.has(offset));
          continue;
        }
        default:
          if (response.status >= 500) {
            throw new Fault(
              `API answered ${response.status} for tenant ${input.tenantId}: ${reason.message}`,
              failureTypes.serverError,
            );
          }
          return { outcome: 'rejected', reason, count: pending.length, failures };
      }
    }
    return { outcome: 'done', applied: 0, failures };
  },
};

function toBody(settings: TenantSettings, assignments: Assignment[]): string {
  const renamed = assignments.map((assignment) => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(assignment))
      if (value !== undefined) out[settings.fieldNames[key] ?? key] = value;
    return out;
  });
  return JSON.stringify({ [settings.listField]: renamed });
}

/** Items the API named as invalid, by offset within the batch; `details[].index` counts within what was sent. */
function refusedOffsets(body: ApiErrorBody | undefined, sent: number[]): Map<number, FailureReason> {
  const refused = new Map<number, FailureReason>();
  for (const detail of body?.details ?? []) {
    const offset = typeof detail.index === 'number' ? sent[detail.index] : undefined;
    if (offset === undefined) continue;
    const field = detail.fieldName ? `${detail.fieldName}: ` : '';
    refused.set(offset, {
      status: 400,
      code: 'invalid-item',
      message: summarize(`${field}${detail.message ?? 'invalid'}`),
    });
  }
  return refused;
}
