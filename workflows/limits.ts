import type { TenantLimits } from '../contracts/tenants';

/** Limits after a `setLimits` change: given fields replace, omitted ones stay. */
export function mergeLimits(current: TenantLimits, change: Partial<TenantLimits>): TenantLimits {
  const ratePerSecond = change.ratePerSecond ?? current.ratePerSecond;
  const burst = change.burst ?? current.burst;
  return {
    concurrency: change.concurrency ?? current.concurrency,
    ...(ratePerSecond !== undefined && { ratePerSecond }),
    ...(burst !== undefined && { burst }),
  };
}
