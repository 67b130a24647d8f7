import type { FaultSettings } from './config';
import type { SeededRandom } from './prng';

/** What goes wrong with one admitted PUT, decided when it passes the throttle. */
export interface FaultPlan {
  /** Added latency before the request is processed, ms. */
  delayMs: number;
  /** The failure to inject, if any. */
  failure: 'none' | 'server-error' | 'connection-reset' | 'hang';
}

/**
 * Rolls the dice for one request. Always draws two numbers (failure, spike) so the sequence per org stays the
 * same whatever the settings, and one draw picks among the failures so each happens at exactly its own rate.
 */
export function planFaults(settings: FaultSettings, random: SeededRandom): FaultPlan {
  const failureDraw = random.next();
  const spikeDraw = random.next();
  let failure: FaultPlan['failure'] = 'none';
  if (failureDraw < settings.hangRate) failure = 'hang';
  else if (failureDraw < settings.hangRate + settings.connectionResetRate) failure = 'connection-reset';
  else if (failureDraw < settings.hangRate + settings.connectionResetRate + settings.serverErrorRate)
    failure = 'server-error';
  const spikeMs = spikeDraw < settings.latencySpikeRate ? settings.latencySpikeMs : 0;
  return { delayMs: settings.latencyMs + spikeMs, failure };
}
