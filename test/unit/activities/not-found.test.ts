/** Only a 404 that says the schedule is unknown skips the rest of that schedule. */
import { describe, expect, it } from 'vitest';
import { saysScheduleUnknown } from '../../../activities/writers/put';

describe('a 404 for an unknown schedule', () => {
  it('is one whose not-found code comes with a message naming the schedule', () => {
    expect(saysScheduleUnknown({ code: 'not.found', message: 'Schedule s-1 was not found' }, 's-1')).toBe(true);
    expect(saysScheduleUnknown({ code: 'not.found', message: 'The requested schedule does not exist' }, 's-1')).toBe(
      true,
    );
    expect(saysScheduleUnknown({ code: 'wfm.schedule.not.found', message: 'gone' }, 's-1')).toBe(true);
  });

  it('is not any other 404: a gateway’s page, a user or a path not found', () => {
    expect(saysScheduleUnknown(undefined, 's-1')).toBe(false);
    expect(saysScheduleUnknown({ code: 'not.found', message: 'User u-7 was not found' }, 's-1')).toBe(false);
    expect(saysScheduleUnknown({ code: 'resource.missing', message: 'Schedule s-1' }, 's-1')).toBe(false);
  });
});
