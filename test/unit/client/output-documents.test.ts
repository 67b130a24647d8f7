/** The JSON documents of `-o json` hold to their schemas with every optional part present and absent. */
import { describe, expect, it } from 'vitest';
import { jobDocumentSchema, planDocumentSchema } from '../../../client/output/documents';
import { jobDocument, planOf } from '../../../client/output/to-documents';
import type { JobView } from '../../../client/jobs/view';
import { DEFAULT_JOB_OPTIONS } from '../../../contracts/job-options';

const running: JobView = {
  jobId: 'job-1',
  execution: 'RUNNING',
  status: 'running',
  paused: false,
  cancelRequested: false,
  total: 10,
  applied: 3,
  failed: 1,
  startTime: new Date('2026-12-02T03:00:00Z'),
  tenants: [
    {
      tenantId: 'acme',
      status: 'cooling-down',
      total: 10,
      applied: 3,
      failed: 1,
      inFlight: 2,
      throttled: 4,
      cooldownUntil: Date.parse('2026-12-02T03:01:00Z'),
      limits: { concurrency: 5, ratePerSecond: 2.5 },
      stopReason: { status: 403, code: 'missing-scope', message: 'no' },
      pacing: { mode: 'learned', ratePerSecond: 8.1, estimatedPerSecond: 8, burst: 10 },
      worker: 'w1',
    },
    { tenantId: 'globex', status: 'waiting', total: 0, applied: 0, failed: 0, inFlight: 0, throttled: 0 },
  ],
};

describe('JSON documents', () => {
  it('a job: every key present, absent values null, times ISO', () => {
    const document = jobDocumentSchema.parse(jobDocument(running, undefined));
    expect(document).toMatchObject({ kind: 'job', version: 1, closeTime: null, stale: null, links: null });
    expect(document.tenants[0]).toMatchObject({
      cooldownUntil: '2026-12-02T03:01:00.000Z',
      limits: { concurrency: 5, ratePerSecond: 2.5, burst: null },
      stopReason: { status: 403, code: 'missing-scope', message: 'no' },
      pacing: { mode: 'learned', ratePerSecond: 8.1, estimatedPerSecond: 8, burst: 10, cooldownUntil: null },
    });
    expect(document.tenants[1]).toMatchObject({ limits: null, stopReason: null, pacing: null, worker: null });
    const closed = { ...running, execution: 'COMPLETED', status: 'completed' as const, closeTime: new Date() };
    expect(jobDocumentSchema.parse(jobDocument(closed, { job: 'j', tenants: 't' })).links).toEqual({
      job: 'j',
      tenants: 't',
    });
  });

  it('a plan', () => {
    const plan = planOf({ file: 'a.csv', format: 'csv', rows: 3 }, DEFAULT_JOB_OPTIONS, [
      {
        tenantId: 'acme',
        items: [],
        total: 3,
        scheduleSizes: [2, 1],
        batchCount: 2,
        limits: { concurrency: 5, burst: 4 },
      },
    ]);
    const document = planDocumentSchema.parse({ kind: 'plan', version: 1, retryOf: null, plan });
    expect(document.plan.tenants).toEqual([
      {
        tenantId: 'acme',
        total: 3,
        schedules: 2,
        batches: 2,
        limits: { concurrency: 5, ratePerSecond: null, burst: 4 },
      },
    ]);
  });
});
