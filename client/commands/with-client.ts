import type { Command } from 'commander';
import { connectClient, type ClientContext } from '../temporal';
import { connectionOverrides } from './connection';

/** Runs `fn` with a connected client (the command line's connection flags apply) and closes it after. */
export async function withClient<T>(command: Command, fn: (context: ClientContext) => Promise<T>): Promise<T> {
  const context = await connectClient(connectionOverrides(command));
  try {
    return await fn(context);
  } finally {
    await context.close();
  }
}
