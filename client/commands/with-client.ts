import type { Command } from 'commander';
import { connectClient, type ClientContext } from '../temporal';

/** Runs `fn` with a connected client (the `--profile` of the command line applies) and closes it after. */
export async function withClient<T>(command: Command, fn: (context: ClientContext) => Promise<T>): Promise<T> {
  const { profile } = command.optsWithGlobals<{ profile?: string }>();
  const context = await connectClient(profile ? { profile } : {});
  try {
    return await fn(context);
  } finally {
    await context.close();
  }
}
