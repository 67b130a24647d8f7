/**
 * `npm run doc-sizes`: the size of every document, grouped as hand-written, generated reference (docs/reference/,
 * `npm run reference`) and generated reports (`npm run faults`, `npm run bench`), with totals and the limits the
 * hand-written docs keep to. CI prints it; a limit exceeded exits 1, naming it, so the docs stay a size a reader
 * finishes.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../tools/paths';

/** Written by the fault suite and the bench from results/. */
export const GENERATED_REPORTS = ['docs/RELIABILITY.md', 'docs/PERFORMANCE.md'];

const KB = 1024;

/** The limits, in bytes: a file's own, and the hand-written docs' in all. */
export const LIMITS = {
  'README.md': 12 * KB,
  'docs/operations.md': 15 * KB,
  handWritten: 90 * KB,
} as const;

export interface DocGroups {
  handWritten: string[];
  reference: string[];
  reports: string[];
}

const markdownIn = (folder: string) =>
  existsSync(path.join(PROJECT_ROOT, folder))
    ? readdirSync(path.join(PROJECT_ROOT, folder))
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `${folder}/${name}`)
    : [];

/** Every document, by group, as paths from the project root. */
export function docGroups(): DocGroups {
  const docs = markdownIn('docs');
  return {
    handWritten: [
      'README.md',
      ...docs.filter((file) => !GENERATED_REPORTS.includes(file)),
      'tools/simulator/README.md',
    ].filter((file) => existsSync(path.join(PROJECT_ROOT, file))),
    reference: markdownIn('docs/reference'),
    reports: GENERATED_REPORTS.filter((file) => existsSync(path.join(PROJECT_ROOT, file))),
  };
}

const sizeOf = (file: string) => statSync(path.join(PROJECT_ROOT, file)).size;
const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;

/** What went over its limit, for the exit code. */
const exceeded: string[] = [];

function limitNote(bytes: number, limit: number | undefined, what: string): string {
  if (limit === undefined) return '';
  if (bytes > limit) exceeded.push(`${what}: ${kb(bytes)}, limit ${kb(limit)}`);
  return bytes <= limit ? `  (limit ${kb(limit)}: within)` : `  (limit ${kb(limit)}: OVER by ${kb(bytes - limit)})`;
}

function printGroup(title: string, files: string[], totalLimit?: number): void {
  const width = Math.max(...files.map((file) => file.length), 'total'.length);
  console.log(title);
  let total = 0;
  for (const file of files) {
    const bytes = sizeOf(file);
    total += bytes;
    const limit = LIMITS[file as keyof typeof LIMITS];
    console.log(
      `  ${file.padEnd(width)}  ${String(bytes).padStart(7)} B  ${kb(bytes).padStart(8)}${limitNote(bytes, limit, file)}`,
    );
  }
  console.log(
    `  ${'total'.padEnd(width)}  ${String(total).padStart(7)} B  ${kb(total).padStart(8)}${limitNote(total, totalLimit, title)}`,
  );
  console.log('');
}

function main(): void {
  const groups = docGroups();
  console.log('Document sizes (1 KB = 1024 bytes)\n');
  printGroup(
    'Hand-written (README.md, docs/*.md but the generated reports, tools/simulator/README.md)',
    groups.handWritten,
    LIMITS.handWritten,
  );
  printGroup('Generated reference (docs/reference/, npm run reference)', groups.reference);
  printGroup('Generated reports (npm run faults, npm run bench)', groups.reports);
  if (exceeded.length > 0) {
    console.error(`over the limit: ${exceeded.join('; ')}`);
    process.exitCode = 1;
  }
}

if (require.main === module) main();
