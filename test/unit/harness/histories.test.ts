import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { lostWorkflowTasks, updateAcceptedAt } from '../../../tools/harness/histories';

const { EventType, TimeoutType } = temporal.api.enums.v1;
type Event = temporal.api.history.v1.IHistoryEvent;

const { HistoryEvent } = temporal.api.history.v1;
/** `fromObject` turns plain seconds into the Long the type wants. */
const at = (ms: number) => ({ seconds: Math.floor(ms / 1_000), nanos: (ms % 1_000) * 1e6 });
const event = (fields: Record<string, unknown>): Event => HistoryEvent.fromObject(fields);
const started = (eventId: number, ms: number, identity: string): Event =>
  event({
    eventId,
    eventTime: at(ms),
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    workflowTaskStartedEventAttributes: { identity },
  });
const timedOut = (eventId: number, ms: number, startedEventId: number, timeoutType: number): Event =>
  event({
    eventId,
    eventTime: at(ms),
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
    workflowTaskTimedOutEventAttributes: { startedEventId, timeoutType },
  });
const accepted = (eventId: number, ms: number, name: string): Event =>
  event({
    eventId,
    eventTime: at(ms),
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    workflowExecutionUpdateAcceptedEventAttributes: { acceptedRequest: { input: { name } } },
  });

describe('history readings', () => {
  it('finds the workflow tasks a worker took and never finished, not those never taken', () => {
    const history = {
      events: [
        started(3, 1_000, 'worker-a'),
        started(7, 2_007, 'worker-a'),
        timedOut(8, 12_007, 7, TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE),
        // A sticky task no one took: its schedule-to-start timeout is not a lost task.
        timedOut(9, 15_000, 0, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START),
        started(11, 15_003, 'worker-b'),
      ],
    };
    expect(lostWorkflowTasks(history)).toEqual([{ identity: 'worker-a', startedAt: 2_007, timedOutAt: 12_007 }]);
    expect(lostWorkflowTasks({ events: [started(3, 1_000, 'worker-a')] })).toEqual([]);
  });

  it('dates the first acceptance of an update by name from a moment on', () => {
    const history = {
      events: [accepted(5, 1_000, 'claimLease'), accepted(9, 3_000, 'joinLease'), accepted(12, 4_000, 'claimLease')],
    };
    expect(updateAcceptedAt(history, 'claimLease', 2_000)).toBe(4_000);
    expect(updateAcceptedAt(history, 'claimLease', 0)).toBe(1_000);
    expect(updateAcceptedAt(history, 'claimLease', 5_000)).toBeUndefined();
  });
});
