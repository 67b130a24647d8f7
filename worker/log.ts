/**
 * The worker process's log: one line per event, JSON for log collectors or text for a person at a terminal, with
 * the job, tenant and batch an event belongs to where they are known. The process's own lines and the Temporal
 * SDK's (through `worker/runtime.ts`) go through the same formatter, so one parser reads every line.
 *
 * A tiny formatter rather than a logging library: the SDK already filters by level and hands over structured
 * entries, so what is left is a line format and redaction, a few dozen lines with no dependency to keep up.
 *
 * No line ever carries a secret: fields whose name says secret, token, password, authorization… are replaced,
 * and so are bearer/basic credentials and `access_token=`-like pairs inside any text (a login service's answer
 * quoted in an error message, say).
 */
import type { LogFields } from '../activities/log-fields';
import { ENV } from '../config/environment';

export type LogFormat = 'json' | 'text';
export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** One event, before formatting. */
export interface LogRecord {
  time: Date;
  level: LogLevelName;
  msg: string;
  fields?: LogFields;
}

/** `WFM_LOG_FORMAT`: json or text; unset: text on a terminal, JSON otherwise (a file, a pipe, a container's log). */
export function logFormatFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  isTTY = process.stdout.isTTY === true,
): LogFormat {
  const value = env[ENV.WFM_LOG_FORMAT]?.trim().toLowerCase();
  if (!value) return isTTY ? 'text' : 'json';
  if (value !== 'json' && value !== 'text') {
    throw new Error(`WFM_LOG_FORMAT must be json or text, not "${env[ENV.WFM_LOG_FORMAT]}"`);
  }
  return value;
}

export const REDACTED = '[redacted]';
/** Field names whose values are never written. */
const SECRET_KEY = /secret|token|passw(or)?d|authorization|cookie|api[-_]?key|credential|private[-_]?key/i;
/** Credentials inside text: `Bearer x`, `Basic x`, and `access_token=x` / `"client_secret": "x"` pairs. */
const SECRET_IN_TEXT: [RegExp, string][] = [
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [
    /(["']?\b(?:access_token|refresh_token|id_token|client_secret|password|api_key)\b["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
    `$1${REDACTED}`,
  ],
];

export function redactText(text: string): string {
  return SECRET_IN_TEXT.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text);
}

/** A value made safe and plain for a log line: secrets replaced, errors as name and message, depth bounded. */
export function redactValue(value: unknown, key = '', depth = 0, seen = new WeakSet<object>()): unknown {
  if (key && SECRET_KEY.test(key)) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) {
    const type = (value as Error & { type?: unknown }).type;
    return { name: value.name, ...(typeof type === 'string' && { type }), message: redactText(value.message) };
  }
  if (seen.has(value) || depth >= 4) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.slice(0, 20).map((item) => redactValue(item, '', depth + 1, seen));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, k, depth + 1, seen)] as const));
}

/** The job, tenant and batch of an event, from the names the code and the SDK use for them. */
export function eventFields(fields: LogFields = {}): LogFields {
  const { jobId, tenantId, batchIndex, job, tenant, batch, ...rest } = fields;
  const fromWorkflow = workflowIds(fields);
  const named = {
    job: job ?? jobId ?? fromWorkflow.job,
    tenant: tenant ?? tenantId ?? fromWorkflow.tenant,
    batch: batch ?? batchIndex,
  };
  return {
    ...Object.fromEntries(Object.entries(named).filter(([, value]) => value !== undefined)),
    ...rest,
  };
}

/** A job workflow's id is the job id; a tenant workflow's is `<job id>/<tenant id>` (`contracts/names.ts`). */
function workflowIds(fields: LogFields): { job?: string; tenant?: string } {
  const { workflowId, workflowType } = fields;
  if (typeof workflowId !== 'string') return {};
  if (workflowType === 'bulkJob') return { job: workflowId };
  const slash = workflowId.lastIndexOf('/');
  if (workflowType === 'tenantAssignments' && slash > 0) {
    return { job: workflowId.slice(0, slash), tenant: workflowId.slice(slash + 1) };
  }
  return {};
}

/** One line, without its newline. */
export function formatRecord(format: LogFormat, record: LogRecord): string {
  const fields = redactValue(eventFields(record.fields)) as LogFields;
  const msg = redactText(record.msg);
  if (format === 'json')
    return JSON.stringify({ time: record.time.toISOString(), level: record.level, msg, ...fields });
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${textValue(value)}`);
  return [record.time.toISOString(), record.level.toUpperCase().padEnd(5), msg, ...pairs].join(' ');
}

/** Bare when it reads unambiguously, JSON-quoted otherwise. */
function textValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    const { name, message } = value as { name?: unknown; message?: unknown };
    if (typeof name === 'string' && typeof message === 'string') return JSON.stringify(`${name}: ${message}`);
    return JSON.stringify(value);
  }
  // What is left after redactValue: numbers, booleans, null, undefined.
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : 'null';
}

/** Where a process's log goes: every line to one stream, so its order is the order of events. */
export class ProcessLog {
  constructor(
    readonly format: LogFormat,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  log(level: LogLevelName, msg: string, fields?: LogFields, time = new Date()): void {
    this.write(`${formatRecord(this.format, { time, level, msg, ...(fields && { fields }) })}\n`);
  }

  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }
}
