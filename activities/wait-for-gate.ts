import type { Context } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { failureTypes } from '../contracts/names';
import type { TenantGate } from './tenant-gate';

/**
 * Longest an attempt waits in the gate. A longer cooldown gives the worker slot back and lets Temporal bring
 * the batch back when it ends, so the activity's start-to-close timeout never has to cover a long window.
 */
export const MAX_GATE_WAIT_MS = 30_000;

/** Waits until the tenant's gate lets one request go (the activity heartbeats meanwhile). */
export async function waitForGate(gate: TenantGate, context: Context, notBefore?: number): Promise<void> {
  let waited = 0;
  for (;;) {
    const wait = gate.tryTake(notBefore);
    if (wait === 0) return;
    if (waited + wait > MAX_GATE_WAIT_MS) {
      throw ApplicationFailure.create({
        message: `tenant is cooling down or paced for ${wait} ms more; nothing was sent`,
        type: failureTypes.coolingDown,
        nextRetryDelay: wait,
        category: ApplicationFailureCategory.BENIGN,
      });
    }
    await context.sleep(wait);
    waited += wait;
  }
}
