/**
 * One real Temporal dev server and one workflow bundle for the whole test run; each test file connects to
 * the server and builds its own Workers, simulator and store. With `WFM_TEST_STORE=s3`, one S3-compatible server
 * too (SeaweedFS, `tools/s3/server.ts`), whose bucket every world uses as its store instead of a folder.
 */
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startS3Server } from '../../tools/s3/server';
import { startDevServer } from '../../tools/temporal/dev-server';
import { PROJECT_ROOT } from '../../tools/paths';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundleCode: string;
    /** The store every world uses (`WFM_TEST_STORE=s3`); undefined: a folder per world. */
    testStoreEnv: Record<string, string> | undefined;
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
  const store = process.env.WFM_TEST_STORE;
  if (store !== 's3') {
    if (store) throw new Error(`WFM_TEST_STORE must be s3 or unset, not "${store}"`);
    project.provide('testStoreEnv', undefined);
    return () => server.stop();
  }
  const s3 = await startS3Server().catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  project.provide('testStoreEnv', s3.env());
  return async () => {
    await s3.stop();
    await server.stop();
  };
}
