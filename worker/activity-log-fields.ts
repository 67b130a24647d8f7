/**
 * Puts the job, tenant and batch of an activity on every log line made while it runs, the SDK's own included
 * ("Activity failed" with its error): the SDK only knows the workflow id and activity type, the input knows more.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** The fields of an activity's input that say what it works on (`PutBatchInput`, `ServeTenantInput`, …). */
export function inputLogFields(args: readonly unknown[]): Record<string, string | number> {
  const input = args[0];
  if (typeof input !== 'object' || input === null) return {};
  const { jobId, tenantId, batchIndex } = input as Record<string, unknown>;
  return {
    ...(typeof jobId === 'string' && { jobId }),
    ...(typeof tenantId === 'string' && { tenantId }),
    ...(typeof batchIndex === 'number' && { batchIndex }),
  };
}

export const activityLogFields: ActivityInterceptorsFactory = () => {
  let fields: Record<string, string | number> = {};
  return {
    inbound: {
      execute(input, next) {
        fields = inputLogFields(input.args);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes: (attributes, next) => next({ ...attributes, ...fields }),
    },
  };
};
