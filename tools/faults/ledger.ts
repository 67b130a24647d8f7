import { NO_FIGURES, addFigures, type Figures } from './types';

/**
 * Evidence kept across the whole run for the suite-wide checks: every secret and token any scenario's
 * simulator knew, every workflow history and log any scenario captured, and the simulator's count of
 * cross-tenant token uses.
 */
export interface Evidence {
  scenario: string;
  /** Client secrets and access tokens issued in the scenario. */
  secrets: string[];
  /** Where → text: decoded workflow histories, worker, CLI and server logs. */
  texts: Map<string, string>;
  /** Jobs whose histories could not be read, with why: the search is incomplete without them. */
  unread: string[];
  crossOrgTokenUses: number;
  /** Jobs whose histories are among the texts. */
  jobs: number;
  /** The scenario's assignment counts, for the suite-wide rows. */
  figures?: Figures;
}

export class Ledger {
  readonly entries: Evidence[] = [];

  add(evidence: Evidence): void {
    this.entries.push(evidence);
  }

  /** Assignment counts summed over every scenario recorded, and their jobs. */
  totals(): Figures & { jobs: number } {
    const figures = this.entries.reduce(
      (sum, entry) => (entry.figures ? addFigures(sum, entry.figures) : sum),
      NO_FIGURES,
    );
    return { ...figures, jobs: this.entries.reduce((sum, entry) => sum + entry.jobs, 0) };
  }

  secrets(): string[] {
    return [...new Set(this.entries.flatMap((entry) => entry.secrets))];
  }

  /** Every text recorded, `[where, text]`, where naming the scenario. */
  texts(): Array<[string, string]> {
    return this.entries.flatMap((entry) =>
      [...entry.texts].map(([where, text]): [string, string] => [`${entry.scenario}: ${where}`, text]),
    );
  }
}

/** What secrets and tokens are made of: base64url (and the `secret-` prefix), so one never spans another character. */
const WORD = /[A-Za-z0-9_-]+/g;

/**
 * Hits of `secrets` in `texts` (`[where, text]` pairs), naming where and the secret's first characters only.
 * One pass over each text: every secret of base64url characters lies inside one run of them, so each run is
 * looked up window by window (a search per secret per text took hours once a run had thousands of both).
 */
export function findIn(secrets: readonly string[], texts: ReadonlyArray<readonly [string, string]>): string[] {
  const hits: string[] = [];
  const others: string[] = [];
  const byLength = new Map<number, Set<string>>();
  for (const secret of secrets) {
    if (!/^[A-Za-z0-9_-]+$/.test(secret)) {
      others.push(secret);
      continue;
    }
    let same = byLength.get(secret.length);
    if (!same) byLength.set(secret.length, (same = new Set()));
    same.add(secret);
  }
  const shortest = Math.min(...byLength.keys());
  for (const [where, text] of texts) {
    const found = new Set<string>();
    for (const [run] of text.matchAll(WORD)) {
      if (run.length < shortest) continue;
      for (const [length, same] of byLength)
        for (let at = 0; at + length <= run.length; at++) {
          const window = run.slice(at, at + length);
          if (same.has(window)) found.add(window);
        }
    }
    for (const secret of others) if (text.includes(secret)) found.add(secret);
    for (const secret of found) hits.push(`${where} contains ${secret.slice(0, 6)}…`);
  }
  return hits;
}
