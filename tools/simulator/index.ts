import { setMaxListeners } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { parseSimulatorConfig, type SimulatorConfigInput } from './config';
import { buildServer } from './server';
import { SimulatorState } from './state';
import type { Clock } from './throttle';

export {
  simulatorConfigSchema,
  faultSettingsSchema,
  throttleLimitsSchema,
  orgThrottleSchema,
  fixedWindowLimitsSchema,
  defaultSimulatorConfig,
  parseSimulatorConfig,
  generateOrgs,
  SimulatorConfigError,
  WRITE_SCOPE,
  DEFAULT_SCOPES,
  DEFAULT_THROTTLE,
  type SimulatorConfig,
  type SimulatorConfigInput,
  type OrgConfig,
  type OrgConfigInput,
  type ClientConfig,
  type FaultSettings,
  type FaultSettingsInput,
  type ThrottleLimits,
  type FixedWindowLimits,
  type OrgThrottleLimits,
  type OrgThrottleInput,
} from './config';
export { ORG_PROFILES, GENESYS_THROTTLE, type OrgProfile } from './profile';
export {
  TokenBucketThrottle,
  FixedWindowThrottle,
  idealDurationSeconds,
  retryAfterSecondsFor,
  type Clock,
  type RequestThrottle,
  type ThrottleDecision,
  type ThrottleSnapshot,
  type BucketSnapshot,
  type FixedWindowSnapshot,
} from './throttle';
export { SimulatorState, UnknownEntityError, type SimulatorStats, type OrgRuntime } from './state';
export type { OrgStats, RequestRecord, RequestOutcome } from './stats';
export type { IssuedToken } from './tokens';
export type { Assignment, ItemProblem } from './validation';
export type { PlatformErrorBody } from './errors';
export { ERROR_CODES, rateLimitMessage } from './errors';
export { ASSIGNMENTS_PATH } from './assignment-routes';
export { ADMIN_PREFIX } from './admin-routes';
export {
  buScheduleSettingsSchema,
  buScheduleFaultsSchema,
  schedulesTopic,
  SCHEDULE_EDIT_SCOPE,
  SCHEDULE_VIEW_SCOPE,
  PUBLISHED_SCHEDULE_VIEW_SCOPE,
  SCHEDULE_PATH,
  BUSINESS_UNIT_PATH,
  CHANNELS_PATH,
  CHANNELS_PREFIX,
  UPLOADS_PREFIX,
  UPLOAD_HEADERS,
  DOWNLOADS_PREFIX,
  type BuScheduleSettings,
  type BuScheduleSettingsInput,
  type BuScheduleFaults,
  type BuScheduleFaultsInput,
  type ScheduleApiStats,
  type ScheduleSnapshot,
  type ChannelSnapshot,
  type UpdateOperation,
  type UpdateErrorReason,
  type UploadRefusal,
  type ScheduleEventBody,
  type BusinessUnitDescription,
  type ContentRefusalCounts,
  type VersionCheck,
} from './schedules';

/** Where and how to run the simulator. */
export interface StartSimulatorOptions {
  /** TCP port; default 0 = any free port (read it from the result). */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (the admin endpoints have no auth, so keep it on loopback). */
  host?: string;
  /** Clock for token expiry, throttle and timestamps, ms epoch; default `Date.now`. Latency faults use real timers. */
  clock?: Clock;
}

/** A listening simulator. */
export interface RunningSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** The live state behind the HTTP endpoints (same operations as `/__admin`). */
  state: SimulatorState;
  /** The fastify instance, for `inject` in tests. */
  app: FastifyInstance;
  /** Stops listening and destroys every open socket, hung ones included. */
  close(): Promise<void>;
}

function baseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Validates the config (throws SimulatorConfigError naming each bad field) and starts listening. */
export async function startSimulator(
  config: SimulatorConfigInput = {},
  options: StartSimulatorOptions = {},
): Promise<RunningSimulator> {
  const state = new SimulatorState(parseSimulatorConfig(config), options.clock);
  const shutdown = new AbortController();
  // Every request held for its latency or a hang listens to this one signal: hundreds at once is normal.
  setMaxListeners(0, shutdown.signal);
  const app = buildServer(state, shutdown.signal);
  app.addHook('preClose', (done) => {
    shutdown.abort(); // wakes sleeping latency and hang timers so their sockets go now
    done();
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  let closing: Promise<void> | undefined;
  return {
    url: baseUrl(host, port),
    port,
    state,
    app,
    close: () => {
      closing ??= app.close().then(() => app.server.closeAllConnections());
      return closing;
    },
  };
}
