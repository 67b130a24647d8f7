/**
 * The Genesys writer's preview (`wfm-bulk plan`): a batch read against the live schedule, each row classified as
 * the writer would treat it — `would-add`, `already-present`, or refused with the reason it would fail with — and
 * nothing written. Every read goes through the tenant's gate like a job's. The classes come back where failures
 * do (one reason per row), so the job's failure log is the plan's record, bounded however many rows it holds.
 */
import type { BatchOutcome } from '../../../contracts/batch';
import type { FailureReason } from '../../../contracts/failures';
import { PLAN_CLASSES } from '../../../contracts/plan-classes';
import type { TenantRequests } from '../../http/gated-request';
import { locate, refusedRows, type ScheduleBatch } from './locate';
import { planRound } from './plan';
import { Refused, ScheduleApi } from './schedule-api';
import type { ScheduleUpdateTenant } from './tenant-state';
import { outcome, refusedOutcome } from './write-schedule-batch';

export async function previewScheduleBatch(
  batch: ScheduleBatch,
  requests: TenantRequests,
  genesys: ScheduleUpdateTenant,
): Promise<BatchOutcome> {
  const api = new ScheduleApi(requests);
  const classes = new Map<number, FailureReason>();
  try {
    const unit = await genesys.businessUnits.of(batch.businessUnitId, api);
    const located = await locate(batch, unit, genesys, api);
    for (const { offset, reason } of located.outside) classes.set(offset, reason);
    const place = located.place;
    if (!place) return planned(classes);
    const state = await api.readState(
      place,
      located.rows.map((row) => row.assignment.userId),
    );
    const { refused, unit: judgedOn } = await refusedRows(located, place, state, unit, genesys, api);
    for (const [offset, reason] of refused) classes.set(offset, reason);
    const plan = planRound(
      located.rows.filter((row) => !refused.has(row.offset)),
      state,
      (code) => judgedOn.activityCodes.get(code)?.paid ?? true,
    );
    for (const offset of plan.present)
      classes.set(offset, {
        code: PLAN_CLASSES.alreadyPresent,
        message: `the shift is in schedule ${place.scheduleId} already`,
      });
    for (const { offset, reason } of plan.refused) classes.set(offset, reason);
    for (const offset of plan.sending)
      classes.set(offset, {
        code: PLAN_CLASSES.wouldAdd,
        message: `would add the shift to schedule ${place.scheduleId} (week ${place.weekId}) at version ${state.version}`,
      });
    return planned(classes);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    return refusedOutcome(error, batch.rows, new Set(), classes);
  }
}

/** Every row's class, as the failures of a batch that applied nothing. */
function planned(classes: ReadonlyMap<number, FailureReason>): BatchOutcome {
  return outcome(new Set(), classes);
}
