/**
 * A partial run's start-up rows into results/bench/latest.json, in place. Start-up rows measure no job and share
 * nothing with the other scenarios' runs, so they may be brought up to date alone; every other row of the file
 * stays as the last full run wrote it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RESULTS_DIR } from '../paths';
import { toResultRow, type BenchResult, type Measurement } from './results';

export const LATEST_FILE = path.join(RESULTS_DIR, 'bench', 'latest.json');

/** `existing` with each of `fresh` replacing the row of the same scenario and system, or appended. */
export function mergeRows(existing: readonly BenchResult[], fresh: readonly BenchResult[]): BenchResult[] {
  const key = (row: BenchResult) => `${row.scenario}\u0000${row.system}`;
  const byKey = new Map(fresh.map((row) => [key(row), row]));
  const merged = existing.map((row) => byKey.get(key(row)) ?? row);
  const present = new Set(existing.map(key));
  return [...merged, ...fresh.filter((row) => !present.has(key(row)))];
}

export async function mergeIntoLatest(measurements: readonly Measurement[], file = LATEST_FILE): Promise<void> {
  const existing = JSON.parse(await readFile(file, 'utf8')) as BenchResult[];
  const merged = mergeRows(existing, measurements.map(toResultRow));
  await writeFile(file, `${JSON.stringify(merged, null, 2)}\n`);
}
