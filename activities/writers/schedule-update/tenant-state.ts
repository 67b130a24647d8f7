/**
 * What the Genesys writer keeps per tenant in this process, from the tenant's first batch until the tenant's runtime
 * closes (idle, or the process stopping): the schedules' locks, the business units' facts and the notification
 * channel. The facts and locks go with the runtime (the writer keys this by it); the channel is closed with it.
 */
import type { TenantRuntime } from '../../tenant-runtime';
import { BusinessUnits } from './business-units';
import { KeyedLocks } from './keyed-locks';
import { ScheduleEvents } from './schedule-events';

export class ScheduleUpdateTenant {
  /** One update at a time per schedule (see `keyed-locks.ts`). */
  readonly scheduleLocks = new KeyedLocks();
  /** Time zones, activity codes, agents and week listings of the tenant's business units, read once a while. */
  readonly businessUnits = new BusinessUnits();
  private events: ScheduleEvents | undefined;

  /** Closed with the tenant's runtime. */
  constructor(private readonly tenant: TenantRuntime) {
    tenant.onClose(() => this.close());
  }

  /** The tenant's notification channel in this process, opened on first use. */
  get scheduleEvents(): ScheduleEvents {
    return (this.events ??= new ScheduleEvents(this.tenant.settings.id, this.tenant.log, () =>
      this.tenant.channelOpened(),
    ));
  }

  /** Lets go of what keeps connections open (the notification channel). */
  close(): void {
    this.events?.close();
  }
}
