/**
 * What a run asks of the Temporal server, read from the dev server's Prometheus metrics before and after it: the
 * frontend's requests by operation (polls, task completions, heartbeats, signals, updates, starts) and the writes
 * and reads it made to its database. Divided by the run's writes, it says what one write costs the server, for the
 * product beside the Temporal ceiling of the same shape.
 */
import { round } from './results';

/** Counts by operation at one moment: `frontend` requests and `persistence` calls. */
export interface ServerCounts {
  frontend: Map<string, number>;
  persistence: Map<string, number>;
  /** The server process's CPU time so far, ms, where it can be read. */
  cpuMs?: number;
}

/** A run's server cost per write: frontend requests by operation, their total, and database calls. */
export interface ServerCostPerWrite {
  /** The server process's CPU time per write, ms: what bounds the writes a second on a machine it saturates. */
  cpuMs?: number;
  /** Frontend requests of every operation, per write. */
  requests: number;
  /** Database calls (reads and writes) the server made, per write. */
  persistence: number;
  /** The operations, per write, largest first (those under 0.05 a write are left out). */
  byOperation: Record<string, number>;
  /** The database calls by operation, per write, the same way. */
  persistenceByOperation: Record<string, number>;
}

export async function readServerCounts(server: {
  metricsUrl?: string;
  cpuMs(): number | undefined;
}): Promise<ServerCounts> {
  const response = await fetch(server.metricsUrl!);
  if (!response.ok) throw new Error(`${server.metricsUrl} answered ${response.status}`);
  const cpuMs = server.cpuMs();
  return { ...parseServerCounts(await response.text()), ...(cpuMs !== undefined && { cpuMs }) };
}

/** Pure: the counters of the `default` namespace in Prometheus' text format. */
export function parseServerCounts(text: string): ServerCounts {
  const frontend = new Map<string, number>();
  const persistence = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(service_requests|persistence_requests)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const value = Number(match[3]);
    const counts = match[1] === 'persistence_requests' ? persistence : frontend;
    const counted =
      match[1] === 'persistence_requests' || (labels.service_name === 'frontend' && labels.namespace === 'default');
    if (counted && labels.operation) counts.set(labels.operation, (counts.get(labels.operation) ?? 0) + value);
  }
  return { frontend, persistence };
}

/** Pure: what happened between two readings, per write. */
export function costPerWrite(before: ServerCounts, after: ServerCounts, writes: number): ServerCostPerWrite {
  const per = (count: number) => round(count / Math.max(1, writes), 2);
  const split = (now: Map<string, number>, then: Map<string, number>) => {
    const operations = [...now].map(([operation, count]) => ({ operation, count: count - (then.get(operation) ?? 0) }));
    const byOperation: Record<string, number> = {};
    for (const { operation, count } of operations.sort((a, b) => b.count - a.count))
      if (per(count) >= 0.05) byOperation[operation] = per(count);
    return { total: per(operations.reduce((sum, { count }) => sum + count, 0)), byOperation };
  };
  const requests = split(after.frontend, before.frontend);
  const persistence = split(after.persistence, before.persistence);
  return {
    ...(before.cpuMs !== undefined && after.cpuMs !== undefined && { cpuMs: per(after.cpuMs - before.cpuMs) }),
    requests: requests.total,
    persistence: persistence.total,
    byOperation: requests.byOperation,
    persistenceByOperation: persistence.byOperation,
  };
}
