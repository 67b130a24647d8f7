/**
 * A plain in-process retry loop, what a careful script would do without Temporal: per tenant, p-limit over the
 * batches; each PUT retried while it gets 429 (waiting its Retry-After) or 5xx / a network error (exponential
 * backoff with jitter), at most `maxAttempts` times; a new token after a 401. Each request waits out only its
 * own Retry-After: nothing holds the tenant's other requests, which is the difference from the product.
 */
import pLimit from 'p-limit';
import { fetchToken, putAssignments, sleep, type ApiAnswer } from './api';
import { batchesOf, runBaselineProcess, type BaselineInput, type BaselineTenant } from './child';

/** Retry-After as seconds or an HTTP-date; 1 s when absent or unreadable. */
function retryAfterMs(answer: ApiAnswer): number {
  const header = answer.headers.get('retry-after');
  if (header === null) return 1000;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - Date.now());
}

function backoffMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
}

async function runTenant(input: BaselineInput, tenant: BaselineTenant, logError: (line: string) => void) {
  let token = fetchToken(input.loginUrl, tenant.clientId, tenant.clientSecret);
  const limit = pLimit(input.concurrency);

  async function putWithRetries(scheduleId: string, batch: object[]): Promise<void> {
    let lastProblem = '';
    for (let attempt = 1; attempt <= input.maxAttempts; attempt++) {
      let waitMs = 0;
      try {
        const answer = await putAssignments(input.apiBaseUrl, await token, scheduleId, batch);
        if (answer.status >= 200 && answer.status < 300) return;
        if (answer.status === 429) waitMs = retryAfterMs(answer);
        else if (answer.status >= 500) waitMs = backoffMs(attempt);
        else if (answer.status === 401) token = fetchToken(input.loginUrl, tenant.clientId, tenant.clientSecret);
        else return logError(`${tenant.id}: HTTP ${answer.status} for a batch of ${batch.length}, not retried`);
        lastProblem = `HTTP ${answer.status}`;
      } catch (error) {
        waitMs = backoffMs(attempt);
        lastProblem = String(error);
      }
      if (attempt < input.maxAttempts) await sleep(waitMs);
    }
    logError(`${tenant.id}: gave up on a batch of ${batch.length} after ${input.maxAttempts} attempts: ${lastProblem}`);
  }

  const puts = tenant.schedules.flatMap((schedule) =>
    batchesOf(schedule.assignments, input.batchSize).map((batch) =>
      limit(() => putWithRetries(schedule.scheduleId, batch)),
    ),
  );
  await Promise.all(puts);
}

runBaselineProcess((input, logError) =>
  Promise.all(input.tenants.map((tenant) => runTenant(input, tenant, logError))).then(() => undefined),
);
