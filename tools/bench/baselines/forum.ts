/**
 * The forum thread's algorithm as written (shared/origin/forum-thread.txt): per tenant, groups of 5 concurrent
 * PUTs under Promise.all; a 429 sleeps Retry-After (parseInt, default 5 s) and retries ONCE, whatever that
 * retry answers is not looked at; an exception is caught, logged and the group dropped; 200 ms between groups.
 * All tenants run at once, as a partner integration would, each with its own token.
 *
 * One deviation, to compare like with like: each "assign" is a PUT of the scenario's batch size (1 in most
 * scenarios, so exactly as written; the thread's last answer advises 20-30 per request).
 */
import { fetchToken, putAssignments, sleep } from './api';
import { batchesOf, runBaselineProcess, type BaselineInput } from './child';

async function forum(input: BaselineInput, logError: (line: string) => void): Promise<void> {
  await Promise.all(
    input.tenants.map(async (tenant) => {
      const token = await fetchToken(input.loginUrl, tenant.clientId, tenant.clientSecret);
      const api = {
        put: (scheduleId: string, assign: object[]) => putAssignments(input.apiBaseUrl, token, scheduleId, assign),
      };

      async function assignSchedules(scheduleId: string, assignments: object[][], tenantId: string) {
        const batchSize = 5;
        const delayMs = 200;
        for (let i = 0; i < assignments.length; i += batchSize) {
          const batch = assignments.slice(i, i + batchSize);
          try {
            await Promise.all(
              batch.map(async (assign) => {
                const response = await api.put(scheduleId, assign);
                if (response.status === 429) {
                  const retryAfter = parseInt(response.headers.get('Retry-After') ?? '', 10) || 5;
                  await sleep(retryAfter * 1000);
                  return api.put(scheduleId, assign);
                }
                return response;
              }),
            );
          } catch (error) {
            logError(`Batch failed for tenant ${tenantId}: ${String(error)}`);
          }
          await sleep(delayMs); // Stagger batches to respect tenant limits
        }
      }

      for (const schedule of tenant.schedules) {
        await assignSchedules(schedule.scheduleId, batchesOf(schedule.assignments, input.batchSize), tenant.id);
      }
    }),
  );
}

runBaselineProcess(forum);
