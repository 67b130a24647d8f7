/**
 * The `User-Agent` of every request to a tenant's API: the product and version, the worker process, and the lease
 * epoch it wrote under. The platform's support can tell our requests apart by it, and the simulator checks with it
 * that no process ever writes under a lease older than one already seen.
 */
import { packageVersion } from '../../config/version';

let version: string | undefined;

/** `wfm-bulk/<version> (worker host-123-ab12; lease 1765000000000)`; lease `-` for a run begun before the lease. */
export function userAgent(workerId: string, epoch: number | undefined): string {
  version ??= packageVersion(__dirname);
  return `wfm-bulk/${version} (worker ${workerId}; lease ${epoch ?? '-'})`;
}

/** The worker and lease epoch a `User-Agent` of ours names, if it is one of ours. */
export function parseUserAgent(header: string | undefined): { worker: string; epoch?: number } | undefined {
  const match = /^wfm-bulk\/\S+ \(worker (\S+); lease (\d+|-)\)$/.exec(header ?? '');
  if (!match) return undefined;
  return { worker: match[1]!, ...(match[2] !== '-' && { epoch: Number(match[2]) }) };
}
