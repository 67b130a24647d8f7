/**
 * 8. The corpus of bad input files (test/fixtures/bad-inputs, its manifest naming each file's first issue)
 * through the real `wfm-bulk start`: each must be refused with that issue as `file:line: field: message`,
 * exit code 2, and no workflow may start.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { runCli } from '../../harness/cli';
import { PROJECT_ROOT } from '../../paths';
import { generatedBadInputs } from '../../../test/fixtures/bad-inputs/generated';
import { inScene, org } from '../scene';
import { NO_FIGURES, check, type Scenario } from '../types';

export interface BadInputParams {
  /** Files to try, by name; all of the corpus when omitted. */
  files?: string[];
}

const CORPUS = path.join(PROJECT_ROOT, 'test', 'fixtures', 'bad-inputs');
const NOT_CASES = new Set(['expected.json', 'generated.ts']);
/** CLI processes at once: each spends most of its second loading TypeScript. */
const PARALLEL = 3;

interface ExpectedIssue {
  line: number;
  field?: string;
  messageIncludes: string;
}

function manifest(): { knownTenants: string[]; files: Record<string, ExpectedIssue[]> } {
  return JSON.parse(readFileSync(path.join(CORPUS, 'expected.json'), 'utf8')) as ReturnType<typeof manifest>;
}

export function corpusFiles(): string[] {
  const committed = readdirSync(CORPUS).filter((name) => !NOT_CASES.has(name));
  return [...committed, ...Object.keys(generatedBadInputs)].sort();
}

/** The issue as the CLI prints it, up to where the message's expected words may start. */
function expectedStart(file: string, issue: ExpectedIssue): string {
  const where = issue.line > 0 ? `${file}:${issue.line}` : file;
  return `wfm-bulk: ${where}: ${issue.field === undefined ? '' : `${issue.field}: `}`;
}

async function jobExists(client: Client, jobId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(jobId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

async function inPool<T, R>(
  items: readonly T[],
  size: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: size }, lane));
  return results;
}

export const badInputs: Scenario<BadInputParams> = {
  id: 8,
  title: 'bad input files through `wfm-bulk start`',
  full: {},
  ci: {
    files: [
      'csv-formula-cell.csv',
      'json-missing-comma.json',
      'ndjson-duplicate-across-lines.ndjson',
      'empty.csv',
      'utf16.csv',
      'huge-line.ndjson',
    ],
  },
  run: (suite, params) =>
    inScene(suite, 'bad inputs', { orgs: ['acme', 'globex', 'initech'].map((name) => org(name)) }, async (scene) => {
      const { world } = scene;
      const expected = manifest();
      // The corpus names the tenants acme, globex and initech: the world's tenants file under those names.
      const tenantsFile = path.join(world.dir, 'bad-input-tenants.json');
      const tenants = JSON.parse(await readFile(world.tenantsFile, 'utf8')) as { tenants: Array<{ id: string }> };
      for (const tenant of tenants.tenants) tenant.id = tenant.id.slice(0, -world.suffix.length - 1);
      await writeFile(tenantsFile, JSON.stringify(tenants));

      const files = params.files ?? corpusFiles();
      const startedAt = new Date();
      const runs = await inPool(files, PARALLEL, async (name, index) => {
        const generate = generatedBadInputs[name];
        const file = generate ? path.join(world.dir, name) : path.join(CORPUS, name);
        if (generate) await writeFile(file, generate());
        const jobId = `bad-input-${world.suffix}-${index + 1}`;
        const run = await runCli(['start', file, '--tenants', tenantsFile, '--job-id', jobId], world.env);
        scene.addLog(`output of \`wfm-bulk start ${name}\``, () => run.stdout + run.stderr);
        return { name, file, jobId, run, started: await jobExists(world.client, jobId) };
      });

      const verdicts = runs.map(({ name, file, run, started }) => {
        const first = expected.files[name]?.[0];
        const firstLine = run.stderr.split('\n')[0] ?? '';
        const named =
          first !== undefined &&
          firstLine.startsWith(expectedStart(file, first)) &&
          firstLine.includes(first.messageIncludes);
        return { name, ok: run.code === 2 && named && !started, run, firstLine, started, first };
      });
      const wrong = verdicts.filter((v) => !v.ok);
      const describe = (v: (typeof verdicts)[number]) =>
        `${v.name}: exit ${v.run.code}, ${v.started ? 'a workflow started, ' : ''}first line "${v.firstLine}"` +
        (v.first
          ? `, wanted "${expectedStart(path.basename(v.name), v.first)}…${v.first.messageIncludes}…"`
          : ', not in the manifest');
      // Visibility as the Web UI sees it: no job started while the corpus ran.
      const query = `WorkflowType = 'bulkJob' AND StartTime >= '${startedAt.toISOString()}'`;
      const listed: string[] = [];
      for await (const workflow of world.client.workflow.list({ query })) listed.push(workflow.workflowId);
      const puts = Object.values(scene.stats()).reduce((sum, o) => sum + o.putRequests, 0);

      return {
        ...NO_FIGURES,
        runs: files.length,
        did: [
          `${files.length} bad input files${params.files ? ' of the corpus' : ' (the whole corpus, generated ones included)'} ` +
            `each through \`wfm-bulk start <file> --tenants … --job-id <known id>\` as a child process (${PARALLEL} at a time), ` +
            "against the suite's Temporal server and a tenants file knowing acme, globex and initech.",
          `Then Temporal visibility was asked for \`${query.replace(startedAt.toISOString(), '<scenario start>')}\`.`,
        ],
        checks: [
          check(
            'each file refused with exit code 2, its expected first issue as file:line: field: message, no workflow',
            wrong.length === 0,
            wrong.length === 0
              ? `${files.length}/${files.length} as expected (per file: code 2; first stderr line names the manifest's line and field and contains its message; describe(job id) = not found)`
              : wrong.map(describe).join('; '),
          ),
          check(
            'visibility lists no bulkJob started during the scenario',
            listed.length === 0,
            `${listed.length} listed${listed.length ? `: ${listed.join(', ')}` : ''}`,
          ),
          check('the API received no request', puts === 0, `${puts} PUTs`),
        ],
        notes: [],
      };
    }),
};
