/** The shapes of the fault suite: what a scenario reports and what the runner writes to results/faults/latest.json. */
import type { Cleanup } from '../harness/cleanup';
import type { Ledger } from './ledger';

/** One thing a scenario verified. */
export interface Check {
  what: string;
  ok: boolean;
  /** The figures behind the verdict, so a reader can judge it. */
  detail: string;
}

/** Assignment counts of a scenario, summed over its jobs. */
export interface Figures {
  /** Input assignments. */
  assignments: number;
  /** Distinct input assignments the simulator holds. */
  applied: number;
  /** Input assignments the job reports failed, each with a reason. */
  failedWithReason: number;
  /** Input assignments neither applied nor reported failed: must be 0. */
  lost: number;
  /** Re-sends of already applied assignments (simulator `repeatedAssignmentPuts`): harmless, idempotent. */
  duplicatePuts: number;
  /** Requests sent while a Retry-After window was open. */
  violations: number;
}

export const NO_FIGURES: Figures = {
  assignments: 0,
  applied: 0,
  failedWithReason: 0,
  lost: 0,
  duplicatePuts: 0,
  violations: 0,
};

export function addFigures(a: Figures, b: Figures): Figures {
  return {
    assignments: a.assignments + b.assignments,
    applied: a.applied + b.applied,
    failedWithReason: a.failedWithReason + b.failedWithReason,
    lost: a.lost + b.lost,
    duplicatePuts: a.duplicatePuts + b.duplicatePuts,
    violations: a.violations + b.violations,
  };
}

/** What a scenario's body returns. */
export interface ScenarioOutcome extends Figures {
  /** Jobs run (or, for the bad-input corpus, files tried). */
  runs: number;
  /** What was done, one sentence per item. */
  did: string[];
  checks: Check[];
  /** Leaks of a secret or token into this scenario's histories and logs. */
  secretsFound: number;
  /** Uses of one tenant's token on another tenant's data, by the simulator's count. */
  crossOrgTokenUses: number;
  /** Findings and figures worth a sentence in the docs. */
  notes: string[];
}

/** One row of results/faults/latest.json. Figures are null when the scenario broke before it could measure them. */
export type ScenarioResult = {
  scenario: string;
  id: number;
  seconds: number;
  passed: boolean;
  error?: string;
  /** For a scenario that did not finish in its time: where its jobs, tenants and processes stood then. */
  where?: string;
} & { [K in keyof Figures | 'runs' | 'secretsFound' | 'crossOrgTokenUses']: number | null } & Pick<
    ScenarioOutcome,
    'did' | 'checks' | 'notes'
  >;

/** What every scenario gets from the runner (or from a test). */
export interface Suite {
  /** The Temporal frontend for scenarios that do not run a server of their own. */
  address: string;
  /** Evidence gathered for the suite-wide checks (secrets, isolation). */
  ledger: Ledger;
  /** Things to stop if the run is interrupted (each scenario also stops its own). */
  cleanup: Cleanup;
  /** Seed of the run's random choices (kill moments), recorded with the results. */
  seed: number;
  log(line: string): void;
  /**
   * When the running scenario must be over (epoch ms): a scene still running then stops with where it stands, so a
   * hang reads as a diagnosis rather than a test runner's bare timeout.
   */
  deadlineAt?: number;
  /** Logs of the suite's own processes (its dev server), searched by the secrets scenario. */
  logs?: Record<string, () => string>;
}

export interface Scenario<P> {
  id: number;
  /** Short title for the table. */
  title: string;
  /** Parameters of the full run (`npm run faults`) and of the CI-sized subset (`test/faults`). */
  full: P;
  ci: P;
  run(suite: Suite, params: P): Promise<ScenarioOutcome>;
}

export function check(what: string, ok: boolean, detail: string): Check {
  return { what, ok, detail };
}
