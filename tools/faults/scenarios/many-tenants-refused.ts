/**
 * 28. A job of 5,000 tenants whose every assignment is refused, each with a reason of its own: the job's history
 * stays far below Temporal's limits (each tenant's result in it is counts and a few ranges; the job continues as
 * new when its history would grow past its bound), and `report` still lists every assignment with its reason.
 */
import { eventBytes, eventTypeName, jobHistories, TEMPORAL_LIMITS } from '../../harness/histories';
import type { AssignmentRow } from '../../harness/world';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { rowsFor } from './common';

export interface ManyTenantsRefusedParams {
  tenants: number;
  perTenant: number;
  /**
   * The job's history bound and places, lowered at CI size so that the job continues as new there too (defaults
   * 8,000 events, 200 tenants at once: a job of fewer tenants starts them all in its first run).
   */
  jobHistoryEventLimit?: number;
  maxActiveTenants?: number;
}

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

export const manyTenantsRefused: Scenario<ManyTenantsRefusedParams> = {
  id: 28,
  title: '5,000 tenants, every assignment refused with its own reason: the job’s history stays bounded',
  full: { tenants: 5_000, perTenant: 2 },
  ci: { tenants: 150, perTenant: 2, jobHistoryEventLimit: 300, maxActiveTenants: 30 },
  run: (suite, params) => {
    const names = Array.from({ length: params.tenants }, (_, i) => `r${i + 1}`);
    return inScene(
      suite,
      'many tenants refused',
      // Only user-1 exists in each: every row names another user, and each refusal names its user.
      { orgs: names.map((name) => org(name, { throttle: null, users: ['user-1'], faults: { latencyMs: 10 } })) },
      async (scene) => {
        const rows: AssignmentRow[] = rowsFor(scene.world, names, params.perTenant, 'x').map((row, i) => ({
          ...row,
          userId: `ghost-${i}`,
        }));
        await scene.readyWorker();
        const startedAt = Date.now();
        const input = await scene.startJob(rows, {
          ...(params.maxActiveTenants && { maxActiveTenants: params.maxActiveTenants }),
          ...(params.jobHistoryEventLimit && { tuning: { jobHistoryEventLimit: params.jobHistoryEventLimit } }),
        });
        const measured = await measureJob(scene, input.jobId, rows, {}, 3_600_000);
        const jobSeconds = (Date.now() - startedAt) / 1000;
        const { figures, result, failures } = measured;
        const ownReason = failures.filter((f) => f.reason.message.includes(`user ${f.assignment.userId} `)).length;

        // The job's runs only (its tenants' histories are bounded on their own, see scenario 16).
        const runs = await jobHistories(scene.world.client, { jobId: input.jobId, tenants: [] });
        const sizes = await Promise.all(
          runs.map(async ({ runId, history }) => {
            const events = history.events ?? [];
            const bytes = events.map(eventBytes);
            const results = events
              .map((event, i) => ({ type: eventTypeName(event), bytes: bytes[i]! }))
              .filter((event) => event.type === 'CHILD_WORKFLOW_EXECUTION_COMPLETED');
            // The history's size as the server counts it (and limits it), not as JSON.
            const description = await scene.world.client.workflow.getHandle(input.jobId, runId).describe();
            return {
              events: events.length,
              bytes: Number(description.raw.workflowExecutionInfo?.historySizeBytes ?? 0),
              largest: Math.max(...bytes),
              largestResult: Math.max(0, ...results.map((event) => event.bytes)),
            };
          }),
        );
        const totalEvents = sizes.reduce((sum, run) => sum + run.events, 0);
        const mostEvents = Math.max(...sizes.map((run) => run.events));
        const mostBytes = Math.max(...sizes.map((run) => run.bytes));
        const largest = Math.max(...sizes.map((run) => run.largest));
        const largestResult = Math.max(...sizes.map((run) => run.largestResult));
        const total = rows.length;

        return {
          ...figures,
          runs: 1,
          did: [
            `One job of ${params.tenants} tenants × ${params.perTenant} assignments, every one naming a user the ` +
              'tenant does not have; the API refuses each item with a message naming its user; one worker process' +
              (params.jobHistoryEventLimit
                ? `; the job's history bound lowered to ${params.jobHistoryEventLimit} events and its places to ` +
                  `${params.maxActiveTenants ?? 200} tenants at once, so that it continues as new at this size too.`
                : ', the job’s history bound and places at their defaults (8,000 events, 200 tenants at once).'),
          ],
          checks: [
            check(
              'the job completes',
              result.status === 'completed-with-failures' && result.failed === total && result.applied === 0,
              `status ${result.status}, ${result.applied} applied, ${result.failed} failed of ${total}`,
            ),
            check(
              '`report` lists every assignment with its own reason',
              failures.length === total && ownReason === total && figures.lost === 0,
              `${failures.length} listed, ${ownReason} with a message naming their own user, ${figures.lost} lost`,
            ),
            check(
              'the job continued as new, each run far below Temporal’s limits',
              runs.length > 1 &&
                mostEvents < TEMPORAL_LIMITS.historyWarnEvents &&
                mostBytes < TEMPORAL_LIMITS.historyWarnBytes &&
                largest < TEMPORAL_LIMITS.payloadBytes,
              `${runs.length} runs; at most ${mostEvents} events (warning at ${TEMPORAL_LIMITS.historyWarnEvents}, ` +
                `limit ${TEMPORAL_LIMITS.historyEvents}) and ${kb(mostBytes)} (warning at ` +
                `${kb(TEMPORAL_LIMITS.historyWarnBytes)}) a run; largest event ${kb(largest)} (the input; limit ` +
                `${kb(TEMPORAL_LIMITS.payloadBytes)})`,
            ),
            check(
              'a tenant’s result in the job’s history is small (counts and a few ranges)',
              largestResult < 8 * 1024,
              `largest ${(largestResult / 1024).toFixed(1)} KB`,
            ),
          ],
          notes: [
            `${totalEvents} job events over ${runs.length} runs: ${(totalEvents / params.tenants).toFixed(1)} per ` +
              `tenant. The job took ${jobSeconds.toFixed(0)} s (${(params.tenants / jobSeconds).toFixed(1)} ` +
              'tenants a second).',
          ],
        };
      },
    );
  },
};
