/**
 * Org profiles: `genesys` makes an org behave as a real Genesys Cloud org where the simulator's own defaults are
 * kinder or simpler (a bucket instead of fixed windows, `scope` in token answers, edit good for reads). Applied when
 * the config is parsed, to the fields the org's config leaves out, so `GET /__admin/config` shows what is in force.
 */
import type { OrgThrottleLimits } from './config';
import { buScheduleSettingsSchema, type BuScheduleSettings } from './schedules/settings';

/** The profiles an org may name. */
export const ORG_PROFILES = ['genesys'] as const;
export type OrgProfile = (typeof ORG_PROFILES)[number];

/** Genesys Cloud counts an org's API requests in one-minute windows of 300. */
export const GENESYS_THROTTLE: OrgThrottleLimits = { fixedWindow: { requests: 300, windowSeconds: 60 } };

/** Default throttle: about 50 requests, then 429, as in the forum report; 8/s afterwards. */
export const DEFAULT_THROTTLE = { burst: 50, refillPerSecond: 8 } as const;

/** The org fields a profile fills in. */
interface ProfiledFields {
  profile?: OrgProfile | undefined;
  throttle?: OrgThrottleLimits | null | undefined;
  rateLimitHeaders?: boolean | undefined;
  tokenResponseScope?: boolean | undefined;
  buSchedules?: BuScheduleSettings | undefined;
}

/** The fields as in force: the org's own where set, else the profile's, else the simulator's defaults. */
export function applyProfile(org: ProfiledFields) {
  const genesys = org.profile === 'genesys';
  const throttle: OrgThrottleLimits | null =
    org.throttle !== undefined ? org.throttle : structuredClone(genesys ? GENESYS_THROTTLE : DEFAULT_THROTTLE);
  const buSchedules: BuScheduleSettings | undefined = genesys
    ? {
        ...(org.buSchedules ?? buScheduleSettingsSchema.parse({})),
        // Reads need a view permission; `versionCheck` is strict unless set (its default anyway).
        editGrantsRead: org.buSchedules?.editGrantsRead ?? false,
      }
    : org.buSchedules;
  // Fields neither the org nor a profile sets stay absent, so a plain org's config reads as it was written.
  return {
    throttle,
    ...(genesys && { rateLimitHeaders: true, tokenResponseScope: false }),
    ...(org.rateLimitHeaders !== undefined && { rateLimitHeaders: org.rateLimitHeaders }),
    ...(org.tokenResponseScope !== undefined && { tokenResponseScope: org.tokenResponseScope }),
    ...(buSchedules !== undefined && { buSchedules }),
  };
}
