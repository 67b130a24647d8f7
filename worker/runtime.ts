/**
 * The Temporal runtime of a worker process, installed before the first connection. With a metrics address
 * its Prometheus exporter serves `/metrics`: the SDK's own metrics (`temporal_*`) and the tenants' (`wfm_*`,
 * see `activities/metrics.ts`) on one endpoint.
 */
import { isIP } from 'node:net';
import { DefaultLogger, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import { metricNames } from '../activities/metrics';
import { ENV } from '../config/environment';
import type { LogLevelName, ProcessLog } from './log';

export interface RuntimeSettings {
  /** `ip:port` for the Prometheus endpoint; none = no metrics exporter. */
  metricsAddress?: string;
  /** Least severe SDK log line printed (default WARN: a start-up line per Worker is noise with 100 tenants). */
  logLevel?: LogLevel;
  /** Where the SDK's lines go, formatted like the process's own; the SDK's default format when omitted. */
  log?: ProcessLog;
}

/** Warnings this process's layout causes on purpose, by their start. */
const EXPECTED_WARNINGS = [
  // Once per Worker: tenant Workers run no workflows, the orchestration Worker no activities.
  'No workflows registered, not polling for workflow tasks',
  'No activities registered, not polling for activity tasks',
  // A tenant's hold ends when its workflow completes, which it does without waiting for the hold to report.
  'Activity not found on completion',
];

/** The SDK's logger, without the warnings this process's layout makes on purpose. */
export class WorkerLogger extends DefaultLogger {
  /** @param processLog formats the SDK's lines like the process's own (`worker/log.ts`); default: the SDK's format. */
  constructor(level: LogLevel = 'INFO', processLog?: ProcessLog) {
    super(
      level,
      processLog &&
        ((entry) =>
          processLog.log(
            entry.level.toLowerCase() as LogLevelName,
            entry.message,
            entry.meta,
            new Date(Number(entry.timestampNanos / 1_000_000n)),
          )),
    );
  }

  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (!EXPECTED_WARNINGS.some((expected) => message.startsWith(expected))) super.log(level, message, meta);
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** `WFM_LOG_LEVEL`: TRACE, DEBUG, INFO, WARN (default) or ERROR. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const value = (env[ENV.WFM_LOG_LEVEL] ?? 'WARN').toUpperCase();
  if (!LOG_LEVELS.includes(value as LogLevel)) {
    throw new Error(`WFM_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${env[ENV.WFM_LOG_LEVEL]}"`);
  }
  return value as LogLevel;
}

export interface InstalledRuntime {
  /** Where the metrics are scraped, when an exporter was installed. */
  metricsUrl?: string;
}

/** The SDK core's own log lines go through the process's logger too, so its filter and format apply to them. */
export function forwardedLogging(level: LogLevel) {
  return { forward: {}, filter: { core: level, other: 'ERROR' as const } };
}

/** PUTs take milliseconds to a few seconds; the SDK's default buckets start at 50 ms. */
const REQUEST_DURATION_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000];

/** Installs the process's Temporal runtime; must run before any `NativeConnection` or `Worker` is made. */
export function installRuntime(settings: RuntimeSettings): InstalledRuntime {
  const { metricsAddress } = settings;
  const level = settings.logLevel ?? 'WARN';
  Runtime.install({
    logger: new WorkerLogger(level, settings.log),
    telemetryOptions: {
      logging: forwardedLogging(level),
      ...(metricsAddress && {
        metrics: {
          prometheus: {
            bindAddress: metricsAddress,
            histogramBucketOverrides: { [metricNames.requestDuration]: REQUEST_DURATION_BUCKETS_MS },
          },
        },
      }),
    },
  });
  return metricsAddress ? { metricsUrl: `http://${metricsAddress}/metrics` } : {};
}

/**
 * `WFM_METRICS_ADDRESS`: `ip:port` (`0.0.0.0:9464` for every interface, `[::1]:9464` for IPv6) or a bare port,
 * which binds 127.0.0.1. Unset or empty: no metrics. Throws, naming the variable, on anything else.
 */
export function metricsAddressFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[ENV.WFM_METRICS_ADDRESS]?.trim();
  if (!value) return undefined;
  const match = /^(?:(.+):)?(\d{1,5})$/.exec(value);
  const host = match?.[1] ?? '127.0.0.1';
  const port = Number(match?.[2]);
  // The exporter binds a socket address, not a host name; IPv6 goes in brackets.
  const bracketed = host.startsWith('[') && host.endsWith(']');
  const ipOk = bracketed ? isIP(host.slice(1, -1)) === 6 : isIP(host) === 4;
  if (!match || !ipOk || port < 1 || port > 65_535) {
    throw new Error(`WFM_METRICS_ADDRESS must be ip:port or a port (e.g. 127.0.0.1:9464), not "${value}"`);
  }
  return `${host}:${port}`;
}
