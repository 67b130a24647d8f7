/** docs/PERFORMANCE.md, written whole by each full run of `npm run bench`. Pure. */
import type { Measurement } from '../results';
import { scenarioIdeal, totalRequests, type Scenario } from '../scenarios';
import type { TargetCheck } from '../targets';
import { percent, scenarioLabel, seconds } from './format';
import { costTable, failureNotes, resultsTable, startupTable, targetsTable, tenantTimesTable } from './tables';

export interface RunInfo {
  /** ISO date and time the run started. */
  date: string;
  command: string;
  durationMs: number;
  machine: { cores: number; cpuModel: string; memoryGb: number; node: string; os: string };
  /** Scenarios whose rows come from a later partial run (stand-alone rows, see main.ts), and that run. */
  later?: { scenario: string; date: string; command: string }[];
}

function throttleText(scenario: Scenario): string {
  const limits = [...new Set(scenario.tenants.map((t) => (t.throttle ? `${t.throttle.refillPerSecond}/s` : 'none')))];
  const bursts = [...new Set(scenario.tenants.flatMap((t) => (t.throttle ? [t.throttle.burst] : [])))];
  return bursts.length === 0 ? 'unthrottled' : `burst ${bursts.join(', ')}, refill ${limits.join(', ')}`;
}

function scenarioLine(scenario: Scenario): string {
  const ideal = scenarioIdeal(scenario);
  const tenants = scenario.tenants.length;
  const assignments = [...new Set(scenario.tenants.map((t) => t.assignments.toLocaleString('en-US')))].join(', ');
  if (scenario.profile)
    return (
      `- **(${scenario.id}) ${scenario.title}**: ${scenario.summary} ` +
      `_${tenants} tenant${tenants === 1 ? '' : 's'} × ${assignments} assignments, batch size ${scenario.batchSize}, ` +
      `orgs of the \`${scenario.profile}\` profile; ideal from the requests made (below the table)._`
    );
  return (
    `- **(${scenario.id}) ${scenario.title}**: ${scenario.summary} ` +
    `_${tenants} tenant${tenants === 1 ? '' : 's'} × ${assignments} assignments, batch size ${scenario.batchSize}, ` +
    `${totalRequests(scenario).toLocaleString('en-US')} PUTs, ${throttleText(scenario)}, ` +
    `${scenario.concurrency} in flight per tenant, latency ${scenario.latencyMs} ms; ` +
    `ideal ${(ideal.idealMs / 1000).toFixed(2)} s${ideal.throttleBound ? '' : ' (latency bound; no ratio)'}._`
  );
}

const SYSTEMS_TEXT = `- **wfm-bulk**: the product as it is in the tree: a Temporal dev server (headless, in memory, a fresh one for
  each scenario, shared by the scenario's systems), one worker
  process (\`worker/main.ts\`, as deployed), the job started through the client code
  (\`tools/harness/world.ts\` \`startJobFromRows\`). No \`ratePerSecond\` in the tenants file: limits are learned from 429s
  alone.
- **wfm-bulk (rate configured)**: the same with the simulator's limit in the tenants file (\`ratePerSecond\` = the
  refill; \`burst\` = the bucket size, where the tenants file has that field).
- **wfm-bulk (Genesys writer)** (in (a) and (g)): the same with every tenant on the \`genesys-schedule-update\`
  writer, each batch one asynchronous schedule update (read, upload URL, gzip upload, update, completion on the
  notification channel, read back), processed in 200 ms; 50 rows a batch in (a). Its requests are those platform
  calls: no ratio to the PUT ideal in (a); in (g) a ratio to the ideal of its own requests.
- **forum**: the forum thread's algorithm as written (\`tools/bench/baselines/forum.ts\`): per tenant, all tenants at
  once, groups of 5 concurrent PUTs under \`Promise.all\`, a 429 sleeps \`Retry-After\` (default 5 s) and retries
  once without looking at the answer, errors logged and dropped, 200 ms between groups. It honours the scenario's
  batch size (1 in (a), (e), (f): exactly as written), so that (b) and (d) compare like with like.
- **p-limit loop**: a plain in-process loop (\`tools/bench/baselines/plimit.ts\`): per tenant \`p-limit\` (the scenario's
  concurrency) over the batches, each PUT retried while 429 (its own \`Retry-After\`) or 5xx / network error
  (exponential backoff with jitter), at most 20 attempts. Nothing holds a tenant's other requests during a
  \`Retry-After\` window.
- **temporal-ceiling** (in (c) and (e)): the same shape with nothing in it (\`tools/bench/ceiling/\`): a parent
  workflow, a child per tenant keeping the scenario's concurrency of activities in flight on the tenant's own queue,
  Workers with wfm-bulk's slots and pollers, in a worker process of its own on the same dev server. Its activities do
  no request: in (e) they return at once; in (c) each waits for its turn under the scenario's throttle (the burst,
  then one per refill), as a write waits at wfm-bulk's gate when the limit is known. So it is Temporal's own cost of
  the scenario's shape, and the fastest this machine runs it; wfm-bulk is measured as a share of it.

The systems run one after another, each against a fresh simulator of the same configuration in the bench process;
the baselines each in a child process (\`node --import tsx\`), as the product's worker is.`;

const COLUMNS_TEXT = `- **makespan**: wfm-bulk: the job workflow's start to its close (Temporal's own timestamps), so input
  validation and the claim-check upload before the start are not in it; baselines: from before the first token
  request to the last answer, timed in their process.
- **ideal**: per tenant, its PUTs at the simulator's limit: the burst at once, then one per refill
  (\`idealDurationSeconds\` of \`tools/simulator/throttle.ts\`; piecewise in (f), the drop timed from the first PUT); the
  job's is its slowest tenant's. Where that is 0 (every PUT fits in the burst, or no throttle) the ideal shown is
  the latency bound PUTs × latency ÷ concurrency and there is **no ratio**: a ratio to it would measure
  orchestration overhead, which (e) reports as activities per second. In (g): the requests the run made, at the
  \`genesys\` profile's fixed windows (below the table).
- **ratio**: makespan ÷ ideal.
- **> N**: the run was stopped unfinished after N s (1.5 × ideal + 20 s, and at least 60 PUTs a second's worth,
  so that one slow run cannot eat the time budget); its ratio is at least the one shown, its other figures are
  those at that moment (activities/s: PUTs answered 2xx by then ÷ N), and nothing counts as lost.
- **requests**: requests the simulator received, retries included (PUTs; the Genesys writer's platform calls, its
  uploads not counted); **429 share**: those answered 429 ÷ requests.
- **violations**: PUTs that arrived while the tenant's \`Retry-After\` window was open (25 ms grace for requests
  already on the wire).
- **lost**: input assignments − distinct assignments the simulator holds at the end.
- **peak conc.**: most PUTs of one tenant in flight at once, the maximum over tenants.
- **activities/s**: wfm-bulk: completed \`putBatch\` activities (one per batch) ÷ makespan; temporal-ceiling: its
  activities ÷ its makespan.
- **peak RSS**: wfm-bulk: the worker process's high-water mark (\`VmHWM\`) during the job; it is reset once the
  worker is ready, so bundling the workflow code at start-up is not counted. Baselines and temporal-ceiling: their
  process's \`maxRSS\` over its whole life.
- **first→last PUT**: arrival of the first PUT to arrival of the last one at the simulator.`;

/** The Genesys writer's requests a batch and the ideal they allow, for each scenario of a profile's orgs. */
function profileNote(rows: readonly Measurement[], scenarios: readonly Scenario[]): string {
  return scenarios
    .filter((scenario) => scenario.profile)
    .flatMap((scenario) =>
      rows
        .filter((row) => row.scenario === scenario.id && row.requests !== null && row.batches)
        .map(
          (row) =>
            `(${scenario.id}): ${row.requests!.toLocaleString('en-US')} platform requests for ` +
            `${row.batches!.toLocaleString('en-US')} batches (${(row.requests! / row.batches!).toFixed(1)} a batch), ` +
            `${percent(row.share429)} answered 429; the ideal, ${seconds(row.idealMs)} s, is the fastest the ` +
            "profile's 300 requests a minute allow the busiest tenant's requests (its 429s left out).",
        ),
    )
    .join('\n\n');
}

/** Where rows come from a later partial run than the one named above the table. */
function laterNote(run: RunInfo, scenarios: readonly Scenario[]): string {
  return (run.later ?? [])
    .map(
      (entry) =>
        `Rows of ${scenarioLabel(entry.scenario, scenarios)} from a later run: **${entry.date}**, \`${entry.command}\`.`,
    )
    .join(' ');
}

/** The worker's memory before any job, which the table's peak RSS leaves out. */
function startupNote(rows: readonly Measurement[]): string {
  const peaks = rows.flatMap((row) => (row.startupRssMb ? [row.startupRssMb] : []));
  if (peaks.length === 0) return '';
  return (
    `Before its job, each wfm-bulk worker process had already peaked at ${Math.min(...peaks)}–${Math.max(...peaks)} ` +
    'MB (start-up, bundling the workflow code included); the peak RSS column starts counting after that.'
  );
}

/** Spawn to ready of a worker process, compiled and from sources (`tools/bench/startup.ts`); none without rows. */
function startupSection(rows: readonly Measurement[]): string[] {
  const table = startupTable(rows);
  if (!table) return [];
  return [
    '## Worker start-up',
    '',
    'From spawning a worker process to its ready line ("worker: … serves"), connected to the dev server with its',
    'Workers created, and its RSS at that moment; median of several starts of each, after one uncounted start',
    "(which builds the sources' workflow bundle cache). Compiled: `npm run build`, then plain node on dist/ with the",
    'prebuilt workflow bundle; sources: tsx, as `npm run worker`.',
    '',
    table,
    '',
  ];
}

/** Where the makespans of (c) and (e) go, beside the ceiling's; none without measured rows. */
function timeSection(rows: readonly Measurement[], scenarios: readonly Scenario[]): string[] {
  const table = tenantTimesTable(rows, scenarios);
  if (!table) return [];
  return [
    '## Where the time goes',
    '',
    "When the tenants began writing, from the job's start (their first PUT at the simulator; the ceiling's first",
    "no-op's turn), and how long one tenant's writes then took, first to last. A makespan is about the last tenant's",
    "first write plus one tenant's writing.",
    '',
    table,
    '',
    "- **A tenant, once writing, keeps the API's pace**: in (c) its 25 writes take about the ideal (the burst, then",
    "  one a second), as the ceiling's do. What wfm-bulk adds to (c)'s makespan is the time before its tenants write.",
    "- **A tenant's start-up**: the ceiling's tenant starts with its child workflow and writes. A wfm-bulk tenant",
    "  first runs its tenant workflow and the lease's (started by the first job that needs it), the join, the hold",
    "  on the claims queue, the holder's login, claim and view, and the tenant's Worker: about six workflow tasks and",
    '  two activities before the first write, where the ceiling has one workflow task. A hundred tenants start at',
    '  once and both cores are busy until the last has started (195-199 % CPU, sampled each second of a (c) run), so',
    "  that start-up work, not the writes, sets the last tenant's first write.",
    "- **The orchestration Worker's polls, measured and not adopted**: a new workflow's first task comes on the",
    "  shared queue, to which the SDK's default gives 2 of its 10 polls (8 wait on the worker's own sticky queue), and",
    '  with 200 workflows starting at once in (c) those first tasks queued for seconds (up to 11-13 s). All 10 polls on',
    '  the shared queue (`nonStickyToStickyPollRatio: 1`), measured with `npm run bench -- --only c --systems',
    '  "wfm-bulk (rate configured)"`: (c) took 32.5-39.6 s in 6 runs (median 36.8 s; the last tenant\'s first write',
    '  10.7-17.8 s) against 36.6-59.8 s in 11 runs with the default (median 48.2 s; 14.9-38.1 s; the full run above',
    '  68.8 and 71.8 s), and a full run with it had (c) at 0.69 of its ceiling (36.4 s against 24.9 s, the ceiling',
    '  with the same polls). But one CI run of',
    '  fault scenario 21 (a process stalled past the lease timeout) then never finished within 300 s, and three runs',
    '  of it alone did not show why; the default stays until that is understood. A ratio of 0.5 gave 36.5-48.0 s (4',
    '  runs), autoscaling polls 39.6-52.9 s (4 runs), a second workflow thread 49.9 s (1 run).',
    '',
  ];
}

/** What a write costs Temporal and the worker, beside the ceiling; none without measured rows. */
function costSection(rows: readonly Measurement[], scenarios: readonly Scenario[]): string[] {
  const table = costTable(rows, scenarios);
  if (!table) return [];
  return [
    '## Cost per write',
    '',
    "What one write (one `putBatch` activity; one no-op for the ceiling) cost, from the dev server's Prometheus",
    "metrics and the processes' CPU time read before and after each run (`tools/bench/server-requests.ts`): the",
    "server's CPU, the worker process's CPU during the job, the frontend's requests (polls, completions, heartbeats,",
    "signals, updates) with the heartbeats and workflow task completions among them, and the server's database calls.",
    'On this machine the dev server and the worker share two cores, so their CPU per write, times the writes, bounds',
    'the makespan whatever the pacing allows.',
    '',
    table,
    '',
    'Where the difference to the ceiling goes, from these figures and from V8 profiles of the worker',
    '(`node --prof` on the worker process of a (c) run, main thread and workflow thread apart):',
    '',
    "- **(e), one write's own cost**: the server's requests and workflow tasks per write match the ceiling's (the same",
    "  polls, completions and workflow tasks); the worker's extra is about 1-2 ms a write: the request itself, the gate",
    "  and the claim-check read. The rest of both workers' time is the SDK's (its native bridge and task pipelines, the",
    "  workflow thread's activations).",
    "- **(c), 100 tenants, 25 writes each**: the server's extra is each tenant's fixed cost (its lease workflow, the",
    "  join, the hold, the holder's login, claim and view, search attributes; see the start-up above), spread over only",
    "  25 writes a tenant, and the leases' heartbeats (each holder renews every fifth of the lease timeout and the SDK",
    '  beats besides: about one heartbeat per write at this size). The heartbeats are not what costs: sending a fifth',
    "  fewer (the SDK's beat every 8 s instead of 3 s, 0.82 heartbeats a write against 1.03) left the server's CPU per",
    '  write and the makespan as they were (two runs each). Paced completions come one at a time, so the ceiling also',
    "  needs about one workflow task per write. The worker's extra is the same fixed cost on its side (100 lease",
    '  workflows, 100 holds renewing, 100 tenant Workers created when their leases are claimed, where the ceiling',
    '  creates its Workers before it starts the clock, though creating 100 costs only about 0.1 s of CPU).',
    "- **The worker's threads in (c)** (`node --cpu-prof` of the worker process during a run, its last 40 s): the main",
    "  thread was busy 44 % of the time, the workflow thread 38 %. The product's own code is a few per cent of either",
    "  (the activities' code 2.5 % of the main thread's time; the workflows' code about 4 % of the workflow thread's).",
    "  The largest single cost is the SDK's own: 35 % of the workflow thread's busy time is its promise hook, which",
    '  records a stack trace for every promise a workflow creates (for the stack-trace query; it cannot be turned',
    '  off), and the ceiling pays it too, for fewer promises.',
    '- On these two cores the server and the worker together use both cores during (c), so what a write costs them is',
    '  the makespan, and a run that goes slower costs more per write (the holds renew by the second, not by the write).',
    '  Runs of one day on the same code: (c) 36.6 to 71.8 s (its ceiling 26 to 33 s), (e) 17 to 28 s (its ceiling 11 to',
    "  19 s): one run's share of the ceiling swings from 0.4 to 0.7 in (c), from 0.5 to 0.8 in (e).",
    '',
  ];
}

export function performanceDoc(
  rows: readonly Measurement[],
  scenarios: readonly Scenario[],
  checks: readonly TargetCheck[],
  run: RunInfo,
): string {
  const { machine } = run;
  return [
    '# Performance',
    '',
    `Written by \`npm run bench\` (\`tools/bench/main.ts\`); do not edit by hand. Last run: **${run.date}**, ` +
      `\`${run.command}\`, ${(run.durationMs / 60_000).toFixed(1)} minutes.`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGb} GB, ${machine.os}, Node.js ` +
      `${machine.node}. The dev server, the simulator, the worker and the bench share those cores.`,
    '',
    '## Results',
    '',
    laterNote(run, scenarios),
    '',
    resultsTable(rows, scenarios),
    '',
    failureNotes(rows),
    '',
    profileNote(rows, scenarios),
    '',
    startupNote(rows),
    '',
    '![makespan ÷ ideal per scenario and system](performance.svg)',
    '',
    ...startupSection(rows),
    '## Targets',
    '',
    targetsTable(checks),
    '',
    'The bench reports figures, not causes: a missed target is for profiling.',
    '',
    ...timeSection(rows, scenarios),
    ...costSection(rows, scenarios),
    '## One worker process here; limits hold across several',
    '',
    'Every wfm-bulk run above uses one worker process, so that its figures measure the product and not the',
    "scheduling of processes on two cores. A tenant's limits hold the same on several: each tenant of a job is",
    'served by one process at a time, whose gate alone decides cooldown, probe and pace',
    '([pacing.md](pacing.md#one-lease-per-tenant)), and a process that dies hands its tenants over. The fault suite proves it with figures',
    '([RELIABILITY.md](RELIABILITY.md), scenario 9: three processes, limits learned from 429s alone, the busiest',
    'SIGKILLed, no request inside a Retry-After window). Several processes add throughput where one process is the',
    'bound (many tenants at once, (c) and (e)), not speed for one tenant, whose API is its bound.',
    '',
    '## Scenarios',
    '',
    ...scenarios.map(scenarioLine),
    '',
    'All assignments of a tenant go to one schedule, so PUTs per tenant are exactly ⌈assignments ÷ batch size⌉ (in',
    '(g), batches: one update each).',
    '',
    '## Systems',
    '',
    SYSTEMS_TEXT,
    '',
    '## Columns',
    '',
    COLUMNS_TEXT,
    '',
    '## Running it',
    '',
    '```sh',
    'npm run bench                  # every scenario at full size: writes results/bench/latest.json, this file,',
    '                               # docs/performance.svg (under 15 minutes on 2 cores)',
    'npm run bench -- --only a,c    # some scenarios; --quick: smoke sizes (seconds per run)',
    'npm run bench -- --only c --systems wfm-bulk,temporal-ceiling   # some systems of them, for profiling',
    'npm run bench -- --render      # writes the published files again from the last full run (.data/bench/full.json)',
    '```',
    '',
    'Partial (`--only`, `--systems`) and `--quick` runs print the table and write `.data/bench/partial.json` only, so the figures',
    'published here come from one full run (whose every figure is also kept in `.data/bench/full.json`), except the',
    'stand-alone rows (start-up, (g)) of a later full-size `--only` run, named above the table. Full',
    'sizes were chosen to fit 15 minutes on this 2-core machine: the throttles of (c) and (d) are scaled, (e) and (f)',
    'are small, and a run that exceeds its time limit is stopped (see the columns); each scenario says how.',
    '',
  ].join('\n');
}
