/**
 * A Worker of `spin` workflows in a process of its own, stopped by SIGTERM (the SDK's own shutdown). With
 * `STOP_RACE_BACKLOG=1` it takes fewer tasks than the queue offers, so a poll is almost always in flight.
 */
import { NativeConnection, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.STOP_RACE_ADDRESS! });
  const backlog = process.env.STOP_RACE_BACKLOG === '1';
  const worker = await Worker.create({
    connection,
    taskQueue: 'stop-race',
    identity: process.env.STOP_RACE_IDENTITY!,
    workflowsPath: require.resolve('./workflow'),
    ...(backlog && {
      maxCachedWorkflows: 10,
      maxConcurrentWorkflowTaskExecutions: 4,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 4 },
    }),
  });
  console.log('ready');
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
