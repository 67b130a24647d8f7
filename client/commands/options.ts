/**
 * Option parsing shared by commands: numbers with bounds, job ids, formats, and the tenants file. A bad value
 * exits 2 with commander's message naming the option and, through these, what it allows.
 */
import { InvalidArgumentError } from 'commander';
import type { InputFormat } from '../../contracts/job';
import type { TenantSettings } from '../../contracts/tenants';
import { ConfigError } from '../../config/issues';
import { defaultTenantsFile, loadTenantsFile } from '../../config/tenants-file';
import { CliError } from '../errors';

export function integerIn(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    }
    return parsed;
  };
}

const DURATION_UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `90s`, `45m`, `6h` or `1.5d`, in ms, between `minMs` and `maxMs`. */
export function durationIn(minMs: number, maxMs: number) {
  return (value: string): number => {
    const match = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(value.trim());
    const ms = match ? Math.round(Number(match[1]) * DURATION_UNITS_MS[match[2]!]!) : NaN;
    if (!(ms >= minMs && ms <= maxMs)) {
      throw new InvalidArgumentError(
        `must be a duration like 90m, 6h or 2d, from ${formatMs(minMs)} to ${formatMs(maxMs)}`,
      );
    }
    return ms;
  };
}

function formatMs(ms: number): string {
  const [unit, size] = Object.entries(DURATION_UNITS_MS)
    .reverse()
    .find(([, size]) => ms % size === 0) ?? ['s', 1_000];
  return `${ms / size}${unit}`;
}

export function positiveNumber(max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0 || parsed > max)
      throw new InvalidArgumentError(`must be a number above 0, at most ${max}`);
    return parsed;
  };
}

export function loadTenants(file: string | undefined): Map<string, TenantSettings> {
  try {
    return loadTenantsFile(file ?? defaultTenantsFile());
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

export function jobIdArgument(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(value)) {
    throw new InvalidArgumentError('must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  return value;
}

export const INPUT_FORMATS: readonly InputFormat[] = ['csv', 'json', 'ndjson'];

export function formatArgument(value: string): InputFormat {
  const format = INPUT_FORMATS.find((known) => known === value);
  if (!format) throw new InvalidArgumentError(`must be one of ${INPUT_FORMATS.join(', ')}`);
  return format;
}
