/**
 * One real Temporal dev server and one workflow bundle for the whole test run; each test file connects to
 * the server and builds its own Workers, simulator and store.
 */
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../tools/temporal/dev-server';
import { PROJECT_ROOT } from '../../tools/paths';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundleCode: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startDevServer();
  try {
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.join(PROJECT_ROOT, 'workflows', 'index.ts'),
      logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
    });
    project.provide('temporalAddress', server.address);
    project.provide('workflowBundleCode', code);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return () => server.stop();
}
