/**
 * Business units an org's config describes (`buSchedules.businessUnits`): time zone, week start, activity codes and
 * management units with their agents. A described unit's updates are checked against it (see content-checks.ts) and
 * its platform-data routes answer from it; a unit not described stays open, answering from what its schedules hold.
 */
import { z } from 'zod';

/** `startDayOfWeek` values, as the platform spells them. */
export const WEEK_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** Activity code categories of the platform (`BusinessUnitActivityCode.category`). */
export const ACTIVITY_CATEGORIES = [
  'OnQueueWork',
  'Break',
  'Meal',
  'Meeting',
  'OffQueueWork',
  'TimeOff',
  'Training',
  'Unavailable',
  'Unscheduled',
] as const;

/** Ids that appear in URL paths. */
const pathSafeId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._~-]+$/, 'use only letters, digits and . _ ~ -');

/** An IANA time zone name, as `Intl` knows them. */
export const timeZoneSchema = z
  .string()
  .min(1)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'is not an IANA time zone');

const activityCodeSchema = z
  .object({
    id: z.string().min(1).max(128).describe('The `activityCodeId` shifts’ activities name.'),
    name: z.string().min(1).optional().describe('Default: the id.'),
    active: z.boolean().default(true).describe('Only active codes may be used in an update.'),
    category: z.enum(ACTIVITY_CATEGORIES).default('OnQueueWork').describe('The platform’s category of the code.'),
    countsAsPaidTime: z.boolean().default(true).describe('Time of this code is paid (`paid` of the activity).'),
    countsAsWorkTime: z.boolean().default(true).describe('Time of this code counts as work.'),
    defaultCode: z.boolean().default(false).describe('One of the platform’s built-in codes.'),
    lengthInMinutes: z.number().int().min(1).optional().describe('The code’s default length, when it has one.'),
  })
  .strict();

const managementUnitSchema = z
  .object({
    id: pathSafeId.describe('The management unit’s id.'),
    users: z.array(z.string().min(1)).default([]).describe('User ids of the unit’s agents.'),
  })
  .strict();

/** One described business unit. */
export const businessUnitSchema = z
  .object({
    id: pathSafeId.describe('The `businessUnitId` of the routes and of input rows.'),
    name: z.string().min(1).optional().describe('Default: the id.'),
    timeZone: timeZoneSchema.default('UTC').describe('IANA time zone: where its schedules’ weeks start and end.'),
    startDayOfWeek: z.enum(WEEK_DAYS).default('Monday').describe('First day of its weeks (`weekDate`s fall on it).'),
    activityCodes: z.array(activityCodeSchema).default([]).describe('Its activity codes: any other fails an update.'),
    managementUnits: z
      .array(managementUnitSchema)
      .default([])
      .describe('Its management units and their agents: an agent in none fails an update.'),
  })
  .strict()
  .superRefine((unit, ctx) => {
    const codes = new Set<string>();
    unit.activityCodes.forEach((code, index) => {
      if (codes.has(code.id))
        ctx.addIssue({ code: 'custom', path: ['activityCodes', index, 'id'], message: `duplicate code "${code.id}"` });
      codes.add(code.id);
    });
    const unitOf = new Map<string, string>();
    unit.managementUnits.forEach((mu, muIndex) => {
      mu.users.forEach((userId, userIndex) => {
        const other = unitOf.get(userId);
        if (other !== undefined) {
          const message = `user "${userId}" is also in management unit "${other}"`;
          ctx.addIssue({ code: 'custom', path: ['managementUnits', muIndex, 'users', userIndex], message });
        }
        unitOf.set(userId, mu.id);
      });
    });
  });

export type BusinessUnitDescription = z.output<typeof businessUnitSchema>;
export type ActivityCodeDescription = BusinessUnitDescription['activityCodes'][number];

/** A described unit with what the checks look up. */
export interface DescribedBusinessUnit {
  description: BusinessUnitDescription;
  activeCodes: ReadonlySet<string>;
  /** userId → the management unit listing it. */
  managementUnitOf: ReadonlyMap<string, string>;
}

/** The described business units of one org, by id. */
export class BusinessUnitCatalog {
  private readonly units = new Map<string, DescribedBusinessUnit>();

  constructor(descriptions: readonly BusinessUnitDescription[]) {
    for (const description of descriptions) {
      const managementUnitOf = new Map<string, string>();
      for (const mu of description.managementUnits) for (const user of mu.users) managementUnitOf.set(user, mu.id);
      this.units.set(description.id, {
        description,
        activeCodes: new Set(description.activityCodes.filter((code) => code.active).map((code) => code.id)),
        managementUnitOf,
      });
    }
  }

  /** The unit when described; undefined for an open one. */
  get(businessUnitId: string): DescribedBusinessUnit | undefined {
    return this.units.get(businessUnitId);
  }
}
