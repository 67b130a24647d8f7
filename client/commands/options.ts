/** Option parsing shared by commands: numbers with bounds, and the tenants file. */
import { InvalidArgumentError } from 'commander';
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
