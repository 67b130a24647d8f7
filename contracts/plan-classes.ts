/**
 * What `wfm-bulk plan` says of a row, beside the reasons a write would fail with (`overlaps-existing-shift`,
 * `unknown-activity-code`, `outside-schedule`, `agent-not-in-business-unit`, `not-whole-minutes`, or the
 * platform's own). A plan job records each row's class where a job records a failure (`JobOptions.dryRun`).
 */
export const PLAN_CLASSES = {
  /** A Genesys row whose shift the writer would add. */
  wouldAdd: 'would-add',
  /** A Genesys row whose shift is in the schedule already: the writer counts it applied and sends nothing. */
  alreadyPresent: 'already-present',
  /** A row of a PUT tenant: it would go in a PUT as it is (the plan reads nothing of such a tenant's API). */
  wouldPut: 'would-put',
} as const;

/** Classes of rows a plan expects to land (or to be there already). */
export const LANDING_CLASSES: readonly string[] = [
  PLAN_CLASSES.wouldAdd,
  PLAN_CLASSES.alreadyPresent,
  PLAN_CLASSES.wouldPut,
];
