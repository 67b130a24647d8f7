/**
 * No import circle among the product's modules: every `.ts` file of the folders `npm run build` compiles (the
 * `include` of tsconfig.build.json), its relative imports resolved to files, searched depth-first for a way back.
 * `import type` and `export … from` count like any import: a type-only circle is still two modules that cannot be
 * read, moved or tested one without the other. Imports of packages are not followed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { TenantLeaseWorkflow } from '../../../activities/lease-membership';
import { PROJECT_ROOT } from '../../../tools/paths';
import type { tenantLease } from '../../../workflows/lease';

const PRODUCT_FOLDERS = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] }
).include;

/** Project-relative paths (with `/`) of the product's modules. */
function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
    .map((file) => path.posix.join(folder, file.split(path.sep).join('/')));
}

/** The module a relative specifier names: `x.ts`, or `x/index.ts`; undefined when neither exists. */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const stem = base.replace(/\.(js|ts)$/, '');
  return [`${stem}.ts`, `${stem}/index.ts`].find((file) => existsSync(path.join(PROJECT_ROOT, file)));
}

/** Each module's relative imports (static, type-only, re-exports and `import()` alike), resolved. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
    const targets = ts
      .preProcessFile(text, true, true)
      .importedFiles.map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolveRelative(file, specifier))
      .filter((target): target is string => target !== undefined);
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * The cycles a depth-first search meets: each back edge closes one, named from the module it returns to. A cycle
 * is reported once, starting at its smallest file name.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found = new Map<string, string[]>();
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      const seen = state.get(next);
      if (seen === 'open') {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        found.set(rotated.join(' -> '), rotated);
      } else if (seen === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return [...found.values()];
}

function describeCycle(cycle: readonly string[]): string {
  return [...cycle, cycle[0]].join(' -> ');
}

const files = PRODUCT_FOLDERS.flatMap(sourceFiles);
const graph = importGraph(files);

describe('import cycles', () => {
  it('finds the modules and their relative imports', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get('activities/index.ts')).toContain('activities/put-batch.ts');
  });

  it('tells a cycle apart from a diamond', () => {
    const diamond = new Map([
      ['a', ['b', 'c']],
      ['b', ['d']],
      ['c', ['d']],
      ['d', []],
    ]);
    expect(findCycles(diamond)).toEqual([]);
    const circle = new Map([
      ['c', ['a']],
      ['a', ['b']],
      ['b', ['c']],
    ]);
    expect(findCycles(circle)).toEqual([['a', 'b', 'c']]);
  });

  it('keeps the lease workflow signature that activities/ states instead of importing workflows/', () => {
    expectTypeOf<typeof tenantLease>().toEqualTypeOf<TenantLeaseWorkflow>();
  });

  it.each(PRODUCT_FOLDERS)('%s/ has no import cycle', (folder) => {
    const cycles = findCycles(graph).filter((cycle) => cycle.some((file) => file.startsWith(`${folder}/`)));
    expect(cycles.map(describeCycle)).toEqual([]);
  });
});
