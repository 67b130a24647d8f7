/** Peak resident memory of a process, from Linux's /proc (VmHWM: the high-water mark of VmRSS). */
import { readFileSync, writeFileSync } from 'node:fs';

/** MB, or null where /proc is not available or the process is gone. */
export function peakRssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}

/**
 * Resets the high-water mark to the current RSS, so a later reading covers the job and not the worker's
 * start-up (bundling the workflow code). Returns false where the kernel does not allow it.
 */
export function resetPeakRss(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Resident memory now (VmRSS), MB; null where /proc is not available or the process is gone. */
export function currentRssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}
