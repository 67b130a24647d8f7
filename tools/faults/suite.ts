/** Running one scenario into a result row: timing, the pass verdict, and a row even when it breaks. */
import { Cleanup } from '../harness/cleanup';
import { Ledger } from './ledger';
import type { Scenario, ScenarioOutcome, ScenarioResult, Suite } from './types';

/** A scene that had not finished by its deadline, with where it stood. */
export class Overdue extends Error {
  constructor(
    message: string,
    readonly where: string,
  ) {
    super(message);
    this.name = 'Overdue';
  }
}

export function createSuite(address: string, options: { seed?: number; log?: (line: string) => void } = {}): Suite {
  return {
    address,
    ledger: new Ledger(),
    cleanup: new Cleanup(),
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
    log: options.log ?? ((line) => console.log(line)),
  };
}

/** Passed: no check failed, nothing lost, no secret found, no token crossed tenants. */
export function passed(outcome: ScenarioOutcome): boolean {
  return (
    outcome.checks.every((c) => c.ok) &&
    outcome.lost === 0 &&
    outcome.secretsFound === 0 &&
    outcome.crossOrgTokenUses === 0
  );
}

/** Runs `scenario`; with `timeoutMs`, a scene that has not finished by then stops and reports where it stood. */
export async function runScenario<P>(
  suite: Suite,
  scenario: Scenario<P>,
  params: P,
  options: { timeoutMs?: number } = {},
): Promise<ScenarioResult> {
  const started = Date.now();
  const name = `${scenario.id}. ${scenario.title}`;
  suite.log(`scenario ${name} …`);
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  try {
    const deadlineAt = options.timeoutMs === undefined ? undefined : started + options.timeoutMs;
    const outcome = await scenario.run({ ...suite, deadlineAt }, params);
    const result: ScenarioResult = {
      scenario: name,
      id: scenario.id,
      seconds: seconds(),
      passed: passed(outcome),
      ...outcome,
    };
    suite.log(
      `scenario ${name}: ${result.passed ? 'passed' : 'FAILED'} in ${result.seconds} s` +
        outcome.checks
          .filter((c) => !c.ok)
          .map((c) => `\n  ✗ ${c.what}: ${c.detail}`)
          .join(''),
    );
    return result;
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const where = error instanceof Overdue ? error.where : undefined;
    suite.log(`scenario ${name}: BROKE after ${seconds()} s: ${message}${where ? `\n${where}` : ''}`);
    return {
      scenario: name,
      id: scenario.id,
      seconds: seconds(),
      passed: false,
      error: message.split('\n').slice(0, 6).join('\n'),
      where,
      runs: null,
      assignments: null,
      applied: null,
      failedWithReason: null,
      lost: null,
      duplicatePuts: null,
      violations: null,
      secretsFound: null,
      crossOrgTokenUses: null,
      did: [],
      checks: [],
      notes: [],
    };
  } finally {
    await suite.cleanup.runAll();
  }
}
