/** Reads and checks the tenants file shared by the client and the worker. */
import { readFileSync } from 'node:fs';
import { resolveTenants, tenantsFileSchema, type TenantSettings } from '../contracts/tenants';
import { ENV } from './environment';
import { ConfigError, describeZodIssues } from './issues';

/** `WFM_TENANTS`, or `tenants.json` in the working directory. */
export function defaultTenantsFile(env: NodeJS.ProcessEnv = process.env): string {
  return env[ENV.WFM_TENANTS] ?? 'tenants.json';
}

export function loadTenantsFile(file: string): Map<string, TenantSettings> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`${file}: cannot read the tenants file: ${(error as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${file}: not valid JSON: ${(error as Error).message}`]);
  }
  const parsed = tenantsFileSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(describeZodIssues(file, parsed.error));
  return resolveTenants(parsed.data);
}
