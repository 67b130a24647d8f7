/** The harness world on the test run's shared dev server, with the workflow bundle built once for the run. */
import { inject } from 'vitest';
import { createWorld as createHarnessWorld, type World, type WorldOptions } from '../../tools/harness/world';

export {
  assignmentRows,
  genesysRows,
  GENESYS_WEEK,
  type AssignmentRow,
  type GenesysRow,
  type StartOptions,
  type World,
} from '../../tools/harness/world';

export function createWorld(options: Partial<WorldOptions> = {}): Promise<World> {
  const storeEnv = inject('testStoreEnv');
  return createHarnessWorld({
    address: inject('temporalAddress'),
    workflowBundleCode: inject('workflowBundleCode'),
    ...(storeEnv && { storeEnv }),
    ...options,
  });
}
