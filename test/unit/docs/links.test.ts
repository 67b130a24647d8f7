/**
 * Every relative link of the docs leads somewhere: the file exists and, with a `#fragment`, the heading does. The
 * docs link to each other instead of repeating a fact, so a link that breaks loses the fact for its reader.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT as repoRoot } from '../../../tools/paths';

const documents = [
  'README.md',
  'CHANGELOG.md',
  'tools/simulator/README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  ...readdirSync(join(repoRoot, 'docs/reference'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/reference/${name}`),
];

/** GitHub's anchor of a heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const base = anchorOf(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Relative links `[text](target)` outside code, with the line they are on. */
function linksOf(file: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  let fenced = false;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.startsWith('```')) fenced = !fenced;
      if (fenced) return;
      const prose = text.replace(/`[^`]*`/g, '');
      for (const match of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!;
        if (!/^[a-z]+:/.test(target)) links.push({ target, line: index + 1 });
      }
    });
  return links;
}

describe('the docs', () => {
  it.each(documents)('%s links only to files and headings that exist', (document) => {
    const file = join(repoRoot, document);
    const broken: string[] = [];
    for (const { target, line } of linksOf(file)) {
      const [path, fragment] = target.split('#') as [string, string | undefined];
      const targetFile = path === '' ? file : resolve(dirname(file), path);
      if (!existsSync(targetFile)) broken.push(`${document}:${line}: ${target}: no such file`);
      else if (fragment && targetFile.endsWith('.md') && !anchorsOf(targetFile).has(fragment))
        broken.push(`${document}:${line}: ${target}: no heading #${fragment} in ${relative(repoRoot, targetFile)}`);
    }
    expect(broken).toEqual([]);
  });
});
