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

/** Hits of `secrets` in `texts` (`[where, text]` pairs), naming where and the secret's first characters only. */
export function findIn(secrets: readonly string[], texts: ReadonlyArray<readonly [string, string]>): string[] {
  const hits: string[] = [];
  for (const [where, text] of texts)
    for (const secret of secrets) if (text.includes(secret)) hits.push(`${where} contains ${secret.slice(0, 6)}…`);
  return hits;
}
