/** docs/RELIABILITY.md from the results of a full run: the table, then per scenario what was done and checked. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { resolveTemporalCli } from '../temporal/cli';
import type { ScenarioResult } from './types';

export interface RunInfo {
  date: string;
  command: string;
  seed: number;
  seconds: number;
  machine: string;
  software: string;
}

export function runInfo(fields: Pick<RunInfo, 'command' | 'seed' | 'seconds'>): RunInfo {
  const cpus = os.cpus();
  const cli = resolveTemporalCli();
  let temporal = 'temporal CLI unknown';
  try {
    if (cli) temporal = execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim().split('\n')[0]!;
  } catch {
    // the version is nice to have, not needed
  }
  return {
    ...fields,
    date: new Date().toISOString(),
    machine:
      `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ` +
      `${os.type()} ${os.release()} (shared with other work while it ran)`,
    software: `Node.js ${process.version}, ${temporal}`,
  };
}

type Column =
  | 'runs'
  | 'assignments'
  | 'applied'
  | 'failedWithReason'
  | 'lost'
  | 'duplicatePuts'
  | 'violations'
  | 'secretsFound'
  | 'crossOrgTokenUses'
  | 'seconds';

const COLUMNS: Array<[Column, string]> = [
  ['runs', 'runs'],
  ['assignments', 'assignments'],
  ['applied', 'applied'],
  ['failedWithReason', 'failed with reason'],
  ['lost', 'lost'],
  ['duplicatePuts', 'duplicate PUTs'],
  ['violations', 'Retry-After violations'],
  ['secretsFound', 'secrets found'],
  ['crossOrgTokenUses', 'cross-tenant token uses'],
  ['seconds', 'seconds'],
];

const cell = (value: number | null) => (value === null ? '—' : String(value));

export function renderReliability(run: RunInfo, results: readonly ScenarioResult[]): string {
  const allPassed = results.every((result) => result.passed);
  const lines = [
    '# Reliability',
    '',
    '<!-- Written by `npm run faults` (tools/faults/run.ts) from results/faults/latest.json; edits here are overwritten. -->',
    '',
    'The fault suite runs real jobs (worker processes, a real Temporal dev server, the API simulator) while it breaks',
    'things: it kills workers, the client and the Temporal server, makes the API fail, revokes tokens and scopes,',
    'and feeds the CLI broken files. Every input assignment must end **applied** or **reported failed with a reason**.',
    '',
    `**Last run:** ${run.date.slice(0, 16).replace('T', ' ')} UTC, \`${run.command}\`, ${run.seconds} s, seed ${run.seed} ` +
      `(\`npm run faults -- --seed ${run.seed}\` replays its random moments). **Verdict:** ` +
      (allPassed ? 'every scenario passed.' : 'some scenarios FAILED (see below).'),
    '',
    `**Machine:** ${run.machine}. **Software:** ${run.software}.`,
    '',
    `| scenario | ${COLUMNS.map(([, title]) => title).join(' | ')} | verdict |`,
    `| --- | ${COLUMNS.map(() => '---:').join(' | ')} | --- |`,
    ...results.map(
      (result) =>
        `| ${result.scenario} | ${COLUMNS.map(([key]) => cell(result[key])).join(' | ')} | ${result.passed ? 'passed' : '**FAILED**'} |`,
    ),
    '',
    'What the columns count:',
    '',
    '- **applied**: distinct input assignments the simulator holds at the end (read back from its store).',
    "- **failed with reason**: input assignments the job's report (`wfm-bulk report`, `collectFailures`) lists as",
    "  failed, each with the API's (or the job's) code and message.",
    '- **lost**: input assignments neither applied nor reported failed. It must be 0 everywhere. (It equals',
    '  assignments − applied − failed with reason, plus any assignment that is both, which the scenario notes say.)',
    "- **duplicate PUTs**: assignments sent again after they had been applied (the simulator's",
    '  `repeatedAssignmentPuts`): retries of work whose answer was lost with a killed worker or a failed response.',
    '  The API applies them idempotently (same id = same assignment), so they are harmless; expected above 0 after crashes.',
    '- **Retry-After violations**: requests the simulator received while a `Retry-After` window of the tenant was open.',
    '- **secrets found**: hits of any client secret or any access token the simulator issued in any workflow history',
    "  (payloads decoded) of the scenario's jobs and any log captured (worker processes, CLI, dev server).",
    "- **cross-tenant token uses**: requests with one tenant's token on another tenant's data (simulator",
    '  `crossOrgTokenUses`).',
    '',
    '## Across worker processes and jobs',
    '',
    "A tenant's limits are the organisation's, whichever job writes and whichever process sends, so each tenant has one",
    'lease ([pacing.md](pacing.md#one-lease-per-tenant)): the one process holding it writes for every job, its gate',
    'alone decides cooldown, probe, pace and retry slots, and it writes only while Temporal confirms its lease. Scenario',
    '9 runs three processes on tenants whose limits are learned from 429s alone and kills the busiest: the Retry-After',
    'windows hold across the processes and through the hand-over. Scenario 20 runs three jobs (and then a fourth) on the',
    'same tenants: one process writes each tenant, its cap and windows hold, and the jobs share it fairly. Scenarios 21',
    'and 23 stop a process, and then Temporal itself, past the lease timeout: no process writes for a tenant it lost,',
    'and no tenant is written by two at once (the simulator reads the process and lease epoch of every request from',
    'its User-Agent). Scenario 22 shows a slow login keeping its lease and a login out of reach ending its tenant after',
    "the budget. Scenario 2 does the same as 9 with configured caps; scenario 11 runs 1,000 tenants on one process within Temporal's default limits.",
    '',
    '## Running it',
    '',
    '- `npm run faults`: every scenario at full size (about 25 minutes on 2 cores), then this file and',
    '  `results/faults/latest.json` (one object per scenario with every figure, check and note).',
    '- `npm run faults -- --only 1,3`: some scenarios; `--ci`: every scenario at the CI size; `--seed N`: the same',
    '  random moments (kill points, fault sequence) as an earlier run. These write `results/faults/partial.json` and',
    '  leave this file alone. `--timeout S`: a scenario still running after S seconds stops and prints where its',
    '  workflows, tenants and processes stood (the CI-sized tests do this before their own timeout). `--render`',
    '  writes this file again from `latest.json`.',
    '- `npm test` runs a CI-sized subset (scenarios 1, 5, 6, 7, 8 on a few files, 9, 11 to 16, 19 to 25, and the',
    '  suite-wide 17 and 18) through the same',
    '  scenario code in `test/faults/fault-suite.test.ts`, asserting every check of each.',
    '- The scenarios live in `tools/faults/scenarios/`, one file each; `tools/faults/scene.ts` gives each a fresh simulator,',
    '  store and tenants file on the Temporal server, worker processes started as `npm run worker` would, and the',
    '  evidence for the secret search.',
    '',
  ];
  for (const result of results) {
    lines.push(`## ${result.scenario}`, '');
    if (result.error) lines.push('**The scenario broke before it finished:**', '', '```', result.error, '```', '');
    if (result.did.length > 0) lines.push('**What was done.**', '', ...result.did.map((item) => `- ${item}`), '');
    if (result.checks.length > 0)
      lines.push(
        '**What was checked.**',
        '',
        ...result.checks.map((c) => `- ${c.ok ? '✓' : '✗ **FAILED**'} ${c.what}: ${c.detail}`),
        '',
      );
    if (result.notes.length > 0) lines.push('**Notes.**', '', ...result.notes.map((note) => `- ${note}`), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
