/**
 * The simulated asynchronous schedule-update API (Genesys Cloud's business-unit schedules and notifications), all
 * registered by one call from the server so the rest of the simulator only knows this entry point.
 */
import type { FastifyInstance } from 'fastify';
import type { SimulatorState } from '../state';
import { registerBuScheduleAdminRoutes } from './admin-routes';
import { registerBusinessUnitRoutes } from './bu-routes';
import { registerNotificationRoutes } from './notification-routes';
import { registerUploadRoute } from './upload-route';
import { attachChannelSockets } from './websocket';
import { registerWfmScheduleRoutes } from './wfm-routes';

/** Registers every route of the schedule-update API and its WebSocket endpoint; `shutdown` stops their timers. */
export function registerBuScheduleApi(app: FastifyInstance, state: SimulatorState, shutdown: AbortSignal): void {
  registerWfmScheduleRoutes(app, state);
  registerBusinessUnitRoutes(app, state);
  registerUploadRoute(app, state);
  registerNotificationRoutes(app, state);
  registerBuScheduleAdminRoutes(app, state);
  attachChannelSockets(app, state, shutdown);
  // Pending updates and open sockets would otherwise outlive the server.
  shutdown.addEventListener('abort', () => state.disposeBuSchedules(), { once: true });
}

export { BuScheduleRuntime, type UpdateOperation, type ScheduleEventBody } from './runtime';
export {
  buScheduleSettingsSchema,
  buScheduleFaultsSchema,
  SCHEDULE_EDIT_SCOPE,
  SCHEDULE_VIEW_SCOPE,
  PUBLISHED_SCHEDULE_VIEW_SCOPE,
  type VersionCheck,
  type BuScheduleSettings,
  type BuScheduleSettingsInput,
  type BuScheduleFaults,
  type BuScheduleFaultsInput,
} from './settings';
export type { ScheduleApiStats, UploadRefusal } from './stats';
export type { ContentRefusalCounts } from './content-checks';
export type { BusinessUnitDescription } from './business-units';
export { BUSINESS_UNIT_PATH } from './bu-routes';
export type { ScheduleSnapshot } from './store';
export type { ChannelSnapshot } from './channels';
export type { UpdateErrorReason } from './processing';
export { schedulesTopic } from './views';
export { SCHEDULE_PATH, DOWNLOADS_PREFIX } from './wfm-routes';
export { CHANNELS_PATH } from './notification-routes';
export { UPLOADS_PREFIX, UPLOAD_HEADERS } from './uploads';
export { CHANNELS_PREFIX } from './channels';
