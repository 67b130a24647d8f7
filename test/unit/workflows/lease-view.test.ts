import { describe, expect, it } from 'vitest';
import type { LeaseView } from '../../../contracts/lease';
import { LeaseViewState } from '../../../workflows/tenant/lease-view';

const directive = { revision: 1, limits: { concurrency: 4 } };
const view = (seq: number, queue?: string, share = 2): LeaseView => ({
  seq,
  ...(queue && { holder: { epoch: seq, taskQueue: queue, worker: queue } }),
  share,
  directive,
});

describe('LeaseViewState', () => {
  it('takes newer views only, and says when the holder moved', () => {
    const state = new LeaseViewState();
    expect(state.holder).toBeUndefined();
    expect(state.follow(view(3, 'a'))).toEqual({ ignored: false, movedTo: 'a' });
    expect(state.follow(view(2, 'b'))).toEqual({ ignored: true });
    expect(state.holder?.taskQueue).toBe('a');
    expect(state.follow(view(4, 'a', 1))).toEqual({ ignored: false }); // the same holder: nothing moves
    expect(state.share).toBe(1);
    expect(state.follow(view(5))).toEqual({ ignored: false }); // between two holders
    expect(state.holder).toBeUndefined();
    expect(state.follow(view(6, 'b'))).toEqual({ ignored: false, movedTo: 'b' });
  });

  it('stops sending to a holder that turned a batch away until a newer view comes', () => {
    const state = new LeaseViewState();
    state.follow(view(3, 'a'));
    expect(state.turnedAway('elsewhere')).toBe(false);
    expect(state.turnedAway('a')).toBe(true);
    expect(state.holder).toBeUndefined();
    state.follow(view(3, 'a')); // the same view again (a join's answer): still not trusted
    expect(state.holder).toBeUndefined();
    state.follow(view(4, 'a'));
    expect(state.holder?.taskQueue).toBe('a');
  });

  it('names no holder once the lease refused the tenant', () => {
    const state = new LeaseViewState();
    state.follow({ ...view(3, 'a'), refused: { code: 'login-failed', message: 'no login' } });
    expect(state.holder).toBeUndefined();
    expect(state.refused?.code).toBe('login-failed');
  });
});
