/**
 * 16. One tenant whose every assignment is refused, each with a message of its own (the API names the user): the
 *     job completes, `report` lists every assignment with its own reason, and payloads and histories stay far
 *     below Temporal's limits (failures past a bound live in the claim-check store, the workflow keeps refs).
 */
import type { AssignmentRow } from '../../harness/world';
import { assignmentRows } from '../../harness/world';
import { TEMPORAL_LIMITS, eventBytes, jobHistories } from '../../harness/histories';
import { measureJob } from '../measure';
import { inScene, org } from '../scene';
import { check, type Scenario } from '../types';
import { openJob } from './common';

export interface ManyFailuresParams {
  items: number;
}

const { payloadBytes: MAX_PAYLOAD_BYTES, historyWarnBytes: HISTORY_WARN_BYTES } = TEMPORAL_LIMITS;

export const manyFailures: Scenario<ManyFailuresParams> = {
  id: 16,
  title: 'every assignment refused, each with its own reason',
  full: { items: 20_000 },
  ci: { items: 3_000 },
  run: (suite, params) =>
    inScene(
      suite,
      'many failures',
      // Only user-1 exists: every row names another user, and each refusal names its user.
      { orgs: [org('refusing', { throttle: null, users: ['user-1'] })], limits: { refusing: { concurrency: 10 } } },
      async (scene) => {
        const tenantId = scene.world.tenant('refusing');
        const rows: AssignmentRow[] = assignmentRows(tenantId, [`${tenantId}-s1`, `${tenantId}-s2`], params.items).map(
          (row, i) => ({ ...row, userId: `ghost-${i}` }),
        );
        const { before, input } = await openJob(scene, rows, { job: { batchSize: 50 } });
        const measured = await measureJob(scene, input.jobId, rows, before);
        const { figures, result, failures } = measured;

        const ownReason = failures.filter((f) => f.reason.message.includes(`user ${f.assignment.userId} `)).length;
        const histories = await jobHistories(scene.world.client, input);
        let largestPayload = 0;
        let largestHistory = 0;
        for (const { history } of histories) {
          const sizes = (history.events ?? []).map(eventBytes);
          largestPayload = Math.max(largestPayload, ...sizes);
          largestHistory = Math.max(
            largestHistory,
            sizes.reduce((sum, size) => sum + size, 0),
          );
        }
        const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
        return {
          ...figures,
          runs: 1,
          did: [
            `One job, one tenant, ${params.items} assignments in batches of 50 (the API's most), every one naming an unknown user; ` +
              'the API refuses each item with a message naming its user; one worker process.',
          ],
          checks: [
            check(
              'the job completes',
              result.status === 'completed-with-failures' && result.failed === params.items,
              `status ${result.status}, ${result.applied} applied, ${result.failed} failed`,
            ),
            check(
              '`report` lists every assignment with its own reason',
              failures.length === params.items && ownReason === params.items && figures.lost === 0,
              `${failures.length} listed, ${ownReason} with a message naming their own user, ${figures.lost} lost`,
            ),
            check(
              'payloads and histories far below the limits',
              largestPayload < MAX_PAYLOAD_BYTES / 10 && largestHistory < HISTORY_WARN_BYTES,
              `largest event ${kb(largestPayload)} (limit ${kb(MAX_PAYLOAD_BYTES)}), largest history ` +
                `${kb(largestHistory)} (warning at ${kb(HISTORY_WARN_BYTES)}), ${histories.length} runs`,
            ),
          ],
          notes: [],
        };
      },
    ),
};
