import { sleep } from '@temporalio/workflow';

/** A workflow task every millisecond or so, for as long as it runs: a queue that is never idle. */
export async function spin(): Promise<void> {
  for (;;) await sleep(1);
}
