/** What a log line is about (`jobId`, `tenantId`, `batchIndex`, …), for the worker's structured log (`worker/log.ts`). */
export type LogFields = Record<string, unknown>;
