/**
 * The claim-check store as a command opens it: the same store as the workers' (`WFM_STORE_URL` or `WFM_STORE_DIR`),
 * with its troubles told as the CLI tells any: a setting it cannot read is bad configuration (exit 2), a store it
 * cannot reach a failure whose message names the store (exit 4), neither with a stack trace.
 */
import type { BlobStore } from '../store/blob-store';
import { openStore } from '../store/open-store';
import { CliError, EXIT } from './errors';

export function openCommandStore(env: NodeJS.ProcessEnv = process.env): BlobStore {
  try {
    return openStore(env);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.usage);
  }
}

/** The store's id, recorded with each job so workers can tell they share it (`activities/store-identity.ts`). */
export async function commandStoreIdentity(store: BlobStore): Promise<string> {
  try {
    return await store.identity();
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.unexpected);
  }
}
