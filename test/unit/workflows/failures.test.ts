/**
 * What a tenant workflow reads from a batch that ended without an answer: the record its attempts left, which the
 * batch's next activity takes up (a Genesys update already started is awaited, not started again).
 */
import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState, TimeoutFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { lastRecordOf } from '../../../workflows/failures';

const activityFailure = (cause: Error) =>
  new ActivityFailure('activity failed', 'putBatch', '7', RetryState.TIMEOUT, 'worker', cause);

describe('lastRecordOf', () => {
  const record = { scheduleId: 's1', pending: { operationId: 'op-1', offsets: [0, 1] } };

  it('reads the last heartbeat of an activity that timed out', () => {
    expect(lastRecordOf(activityFailure(new TimeoutFailure('heartbeat', record, 'HEARTBEAT')))).toEqual(record);
    expect(lastRecordOf(activityFailure(new TimeoutFailure('not picked up', record, 'SCHEDULE_TO_START')))).toEqual(
      record,
    );
  });

  it('finds none where no attempt beat, or the activity ended otherwise', () => {
    expect(lastRecordOf(activityFailure(new TimeoutFailure('heartbeat', undefined, 'HEARTBEAT')))).toBeUndefined();
    expect(lastRecordOf(activityFailure(new CancelledFailure('cancelled')))).toBeUndefined();
    expect(lastRecordOf(activityFailure(ApplicationFailure.create({ message: 'LeaseNotHeld' })))).toBeUndefined();
    expect(lastRecordOf(new Error('anything else'))).toBeUndefined();
  });
});
