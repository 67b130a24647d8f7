import { describe, expect, it } from 'vitest';
import { TokenCache, type AccessToken } from '../../../activities/auth/token-cache';

/** A fake login service: hands out numbered tokens with the given lifetime, resolving when told to. */
function fakeLogin(lifetimeMs: number, clock: { now: number }) {
  let issued = 0;
  const pending: ((token: AccessToken) => void)[] = [];
  return {
    get issued() {
      return issued;
    },
    fetch: () =>
      new Promise<AccessToken>((resolve) => {
        issued++;
        const value = `token-${issued}`;
        pending.push(() => resolve({ value, issuedAt: clock.now, expiresAt: clock.now + lifetimeMs, scopes: [] }));
      }),
    answerAll() {
      for (const answer of pending.splice(0)) answer(undefined as never);
    },
  };
}

describe('TokenCache', () => {
  it('makes one token request for many concurrent callers', async () => {
    const clock = { now: 0 };
    const login = fakeLogin(300_000, clock);
    const cache = new TokenCache(login.fetch, { now: () => clock.now });
    const callers = Array.from({ length: 50 }, () => cache.get());
    login.answerAll();
    const tokens = await Promise.all(callers);
    expect(new Set(tokens.map((t) => t.value))).toEqual(new Set(['token-1']));
    expect(login.issued).toBe(1);
    expect(cache.fetches).toBe(1);
  });

  it('serves the cached token, refreshes in the background near expiry, and never serves an expired one', async () => {
    const clock = { now: 0 };
    const login = fakeLogin(300_000, clock);
    const cache = new TokenCache(login.fetch, { now: () => clock.now });
    const first = cache.get();
    login.answerAll();
    expect((await first).value).toBe('token-1');

    clock.now = 200_000; // well before the refresh point (last tenth: 270 s)
    expect((await cache.get()).value).toBe('token-1');
    expect(login.issued).toBe(1);

    clock.now = 275_000; // inside the last tenth: still served, a refresh starts once
    expect((await cache.get()).value).toBe('token-1');
    expect((await cache.get()).value).toBe('token-1');
    expect(login.issued).toBe(2);
    login.answerAll();
    await Promise.resolve();
    expect((await cache.get()).value).toBe('token-2');

    clock.now = 275_000 + 300_000; // token-2 has expired: callers wait for a new one
    const waiting = cache.get();
    login.answerAll();
    expect((await waiting).value).toBe('token-3');
  });

  it('drops a token after a 401 only if it is still the cached one', async () => {
    const clock = { now: 0 };
    const login = fakeLogin(300_000, clock);
    const cache = new TokenCache(login.fetch, { now: () => clock.now });
    const getting = cache.get();
    login.answerAll();
    const refused = await getting;

    // Fifty activities report the same refused token: one refresh.
    for (let i = 0; i < 50; i++) cache.invalidate(refused);
    const next = cache.get();
    login.answerAll();
    const fresh = await next;
    expect(fresh.value).toBe('token-2');
    cache.invalidate(refused); // a late report of the old token does not drop the new one
    expect((await cache.get()).value).toBe('token-2');
    expect(login.issued).toBe(2);
  });

  it('passes a failed refresh to every waiting caller and tries again on the next call', async () => {
    let calls = 0;
    const cache = new TokenCache(
      () => {
        calls++;
        if (calls === 1) return Promise.reject(new Error('login down'));
        return Promise.resolve({ value: 'ok', issuedAt: 0, expiresAt: 600_000, scopes: [] });
      },
      { now: () => 0 },
    );
    await expect(Promise.all([cache.get(), cache.get()])).rejects.toThrow('login down');
    expect(calls).toBe(1);
    expect((await cache.get()).value).toBe('ok');
  });
});
