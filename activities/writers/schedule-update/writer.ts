/**
 * The Genesys writer (`writer: "genesys-schedule-update"`): a batch becomes updates of its schedule until the batch's
 * rows are in it (`write-schedule-batch.ts`). What it keeps per tenant (`tenant-state.ts`) lives here, keyed by the
 * tenant's runtime, so it lives and closes with that runtime.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { BatchOutcome } from '../../../contracts/batch';
import { failureTypes } from '../../../contracts/names';
import type { TenantRequests } from '../../http/gated-request';
import type { TenantRuntime } from '../../tenant-runtime';
import type { Writer, WriterBatch } from '../writer';
import { ScheduleUpdateTenant } from './tenant-state';
import { previewScheduleBatch } from './preview';
import { writeScheduleBatch } from './write-schedule-batch';

export class ScheduleUpdateWriter implements Writer {
  private readonly tenants = new WeakMap<TenantRuntime, ScheduleUpdateTenant>();

  async write(requests: TenantRequests, { input, scheduleId, rows, progress }: WriterBatch): Promise<BatchOutcome> {
    const { businessUnitId, weekId } = rows[0]!;
    if (businessUnitId === undefined)
      throw ApplicationFailure.nonRetryable(
        `tenant ${input.tenantId} writes through genesys-schedule-update, but the stored rows of schedule ` +
          `${scheduleId} name no businessUnitId (was the job started with another tenants file?)`,
        failureTypes.inputUnavailable,
      );
    const batch = {
      businessUnitId,
      scheduleId,
      ...(weekId !== undefined && { weekId }),
      rows: rows.map((item, offset) => ({ offset, assignment: item.assignment })),
    };
    const genesys = this.stateOf(requests.tenant);
    if (input.dryRun === true) return previewScheduleBatch(batch, requests, genesys);
    return writeScheduleBatch(batch, requests, genesys, progress);
  }

  private stateOf(tenant: TenantRuntime): ScheduleUpdateTenant {
    const existing = this.tenants.get(tenant);
    if (existing) return existing;
    const state = new ScheduleUpdateTenant(tenant);
    this.tenants.set(tenant, state);
    return state;
  }
}
