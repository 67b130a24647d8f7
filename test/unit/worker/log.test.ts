/**
 * The worker's log lines: JSON or text, the job, tenant and batch of an event wherever the code or the SDK knows
 * them, and never a secret, whichever field or text it hides in.
 */
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { inputLogFields } from '../../../worker/activity-log-fields';
import { formatRecord, logFormatFromEnv, ProcessLog, REDACTED, redactText } from '../../../worker/log';
import { WorkerLogger } from '../../../worker/runtime';

const time = new Date('2026-12-02T03:04:05.678Z');

describe('worker log format', () => {
  it('writes one JSON object per line with time, level, msg, then job, tenant and batch', () => {
    const line = formatRecord('json', {
      time,
      level: 'warn',
      msg: 'Activity failed',
      fields: { activityType: 'putBatch', tenantId: 'acme', jobId: 'wfm-1', batchIndex: 3, attempt: 2 },
    });
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed).toEqual({
      time: '2026-12-02T03:04:05.678Z',
      level: 'warn',
      msg: 'Activity failed',
      job: 'wfm-1',
      tenant: 'acme',
      batch: 3,
      activityType: 'putBatch',
      attempt: 2,
    });
    expect(Object.keys(parsed).slice(0, 6)).toEqual(['time', 'level', 'msg', 'job', 'tenant', 'batch']);
  });

  it("takes job and tenant from a workflow's id where nothing else names them", () => {
    const tenant = formatRecord('json', {
      time,
      level: 'info',
      msg: 'x',
      fields: { workflowId: 'wfm-1/acme', workflowType: 'tenantAssignments' },
    });
    expect(JSON.parse(tenant)).toMatchObject({ job: 'wfm-1', tenant: 'acme' });
    const job = formatRecord('json', {
      time,
      level: 'info',
      msg: 'x',
      fields: { workflowId: 'wfm-1', workflowType: 'bulkJob', tenantId: 'globex' },
    });
    expect(JSON.parse(job)).toMatchObject({ job: 'wfm-1', tenant: 'globex' });
  });

  it('never writes a secret: secret-named fields, credentials in text, nested and in errors', () => {
    const line = formatRecord('json', {
      time,
      level: 'error',
      msg: 'login failed: {"access_token":"tok-123","token_type":"bearer"} sent Authorization: Bearer tok-456',
      fields: {
        clientSecret: 'shh-1',
        taskToken: 'CiQw',
        headers: { authorization: 'Basic c2VjcmV0', accept: 'json' },
        error: ApplicationFailure.retryable('refused: client_secret=shh-2&grant_type=client_credentials', 'X'),
        note: 'password: hunter2',
      },
    });
    for (const secret of ['tok-123', 'tok-456', 'shh-1', 'shh-2', 'CiQw', 'c2VjcmV0', 'hunter2']) {
      expect(line).not.toContain(secret);
    }
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      clientSecret: REDACTED,
      headers: { authorization: REDACTED, accept: 'json' },
      error: { name: 'ApplicationFailure', type: 'X' },
    });
    expect(redactText('grant_type=client_credentials')).toBe('grant_type=client_credentials');
  });

  it('reads as text on a terminal: time, level, message, then key=value pairs', () => {
    const line = formatRecord('text', {
      time,
      level: 'warn',
      msg: 'Activity failed',
      fields: { jobId: 'wfm-1', tenantId: 'acme', batchIndex: 0, error: new Error('HTTP 503 busy') },
    });
    expect(line).toBe(
      '2026-12-02T03:04:05.678Z WARN  Activity failed job=wfm-1 tenant=acme batch=0 error="Error: HTTP 503 busy"',
    );
  });

  it('chooses JSON unless on a terminal, and refuses an unknown WFM_LOG_FORMAT', () => {
    expect(logFormatFromEnv({}, false)).toBe('json');
    expect(logFormatFromEnv({}, true)).toBe('text');
    expect(logFormatFromEnv({ WFM_LOG_FORMAT: 'TEXT' }, false)).toBe('text');
    expect(logFormatFromEnv({ WFM_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(() => logFormatFromEnv({ WFM_LOG_FORMAT: 'xml' }, false)).toThrow(/WFM_LOG_FORMAT/);
  });

  it("routes the SDK's lines through the same formatter, filtered by level", () => {
    const lines: string[] = [];
    const logger = new WorkerLogger('WARN', new ProcessLog('json', (line) => lines.push(line)));
    logger.info('not shown');
    logger.warn('Activity failed', { workflowId: 'wfm-1/acme', workflowType: 'tenantAssignments', batchIndex: 4 });
    logger.warn('No activities registered, not polling for activity tasks'); // expected by this layout: dropped
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', job: 'wfm-1', tenant: 'acme', batch: 4 });
  });

  it("takes an activity's job, tenant and batch from its input", () => {
    expect(inputLogFields([{ jobId: 'j', tenantId: 't', batchIndex: 2, itemsRef: 'r' }])).toEqual({
      jobId: 'j',
      tenantId: 't',
      batchIndex: 2,
    });
    expect(inputLogFields([])).toEqual({});
    expect(inputLogFields(['text'])).toEqual({});
  });
});
