/** Reads a tenant's client secret from where the tenants file says it is. Only the worker calls this. */
import { readFileSync } from 'node:fs';
import type { TenantSettings } from '../../contracts/tenants';

export function readClientSecret(tenant: TenantSettings, env: NodeJS.ProcessEnv = process.env): string {
  const source = tenant.secretSource;
  if ('env' in source) {
    const value = env[source.env];
    if (!value)
      throw new Error(`tenant ${tenant.id}: environment variable ${source.env} (its client secret) is not set`);
    return value;
  }
  try {
    const value = readFileSync(source.file, 'utf8').replace(/\r?\n$/, '');
    if (!value) throw new Error('file is empty');
    return value;
  } catch (error) {
    throw new Error(
      `tenant ${tenant.id}: cannot read its client secret from ${source.file}: ${(error as Error).message}`,
    );
  }
}
