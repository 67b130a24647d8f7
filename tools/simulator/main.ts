/**
 * CLI: `tsx tools/simulator/main.ts [--port <n>] [--host <h>] [--config <file>]`.
 * Prints the listen URL and every org's credentials, then runs until SIGINT/SIGTERM. Exit code 2 on bad arguments
 * or an invalid config file.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SimulatorConfigError, parseSimulatorConfig, type SimulatorConfig } from './config';
import { startSimulator } from './index';

/** Port used when `--port` is not given. */
const DEFAULT_PORT = 8787;
const USAGE = 'usage: tsx tools/simulator/main.ts [--port <n>] [--host <h>] [--config <file.json>]';

class UsageError extends Error {}

async function loadConfig(file: string | undefined): Promise<SimulatorConfig> {
  if (file === undefined) return parseSimulatorConfig({});
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseSimulatorConfig(json, file);
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0..65535, got "${value}"`);
  return port;
}

function describeOrgs(config: SimulatorConfig): string[] {
  const lines: string[] = [];
  for (const org of config.orgs) {
    const limits = org.throttle;
    const throttle = !limits
      ? 'unthrottled'
      : 'fixedWindow' in limits
        ? `${limits.fixedWindow.requests} per ${limits.fixedWindow.windowSeconds} s window`
        : `burst ${limits.burst}, refill ${limits.refillPerSecond}/s`;
    const login = org.loginThrottle
      ? `; login throttle per client burst ${org.loginThrottle.burst}, refill ${org.loginThrottle.refillPerSecond}/s`
      : '';
    lines.push(`org ${org.id}: schedules ${org.schedules.join(', ')}; throttle ${throttle}${login}`);
    for (const client of org.clients) {
      lines.push(
        `  client ${client.clientId} secret ${client.clientSecret} scopes ${client.scopes.join(' ') || '(none)'}`,
      );
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, host: { type: 'string' }, config: { type: 'string' } },
    strict: true,
  });
  const config = await loadConfig(values.config);
  const simulator = await startSimulator(config, { port: parsePort(values.port), host: values.host });
  console.log(`wfm-bulk API simulator listening on ${simulator.url}`);
  console.log(
    `token URL ${simulator.url}/oauth/token; admin ${simulator.url}/__admin/stats; seed ${simulator.state.config.seed}`,
  );
  for (const line of describeOrgs(config)) console.log(line);

  const stop = (signal: string) => {
    console.log(`${signal} received, shutting down`);
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof SimulatorConfigError || error instanceof UsageError) {
    console.error(error.message);
    if (error instanceof UsageError) console.error(USAGE);
    process.exit(2);
  }
  if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
