import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgStats, RunningSimulator } from '../../tools/simulator';
import { admin, basic, formUrlEncode, postToken, rawBasic, requestToken, start } from './helpers';

type Stats = { orgs: Record<string, OrgStats>; unattributed: { tokenRequests: number } };

/** Characters RFC 6749 §2.3.1 makes a client encode (the separator, space, plus, percent, form delimiters), and é. */
const TRICKY_SECRET = ': +%&=é';

/** Label, configured client id and secret, and the raw `id:secret` a client that forgot to encode them sends. */
const MALFORMED: Array<[string, string, string, string]> = [
  ['a lone %', 'lone-pct', '%', 'lone-pct:%'],
  ['a % with one hex digit', 'one-hex', '%3', 'one-hex:%3'],
  ['a % with non-hex digits', 'non-hex', '%zz', 'non-hex:%zz'],
  ['an escape that is not UTF-8', 'not-utf8', '\uFFFD', 'not-utf8:%C3'],
  ['a malformed escape in the client id', 'pct%id', 'x', 'pct%id:x'],
];

describe('POST /oauth/token: form-urlencoded client credentials (RFC 6749 §2.3.1)', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await start({
      orgs: [
        {
          id: 'a',
          schedules: ['a-s1'],
          throttle: null,
          clients: [
            { clientId: 'a-client', clientSecret: TRICKY_SECRET },
            { clientId: 'a spaced+client', clientSecret: 'a+b c' },
            // Secrets a lenient decoder (URLSearchParams keeps a malformed escape as is) would let in sent raw.
            ...MALFORMED.map(([, clientId, clientSecret]) => ({ clientId, clientSecret })),
          ],
        },
      ],
    });
  });
  afterAll(() => sim.close());

  const stats = async () => (await admin<Stats>(sim, 'GET', '/stats')).body;

  it('accepts a secret with : + % & = é sent form-urlencoded', async () => {
    expect(formUrlEncode(TRICKY_SECRET)).toBe('%3A+%2B%25%26%3D%C3%A9');
    const response = await requestToken(sim, 'a-client', TRICKY_SECRET);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ token_type: 'bearer' });
  });

  it('decodes %20 like +, lower-case escapes, and the client id as well as the secret', async () => {
    expect((await postToken(sim, rawBasic('a-client', '%3a%20%2b%25%26%3d%c3%a9'))).status).toBe(200);
    expect(basic('a spaced+client', 'a+b c')).toBe(rawBasic('a+spaced%2Bclient', 'a%2Bb+c'));
    expect((await requestToken(sim, 'a spaced+client', 'a+b c')).status).toBe(200);
    expect((await postToken(sim, rawBasic('a%20spaced%2bclient', 'a%2bb%20c'))).status).toBe(200);
  });

  it('refuses credentials sent raw, unencoded, where that differs, with 401 invalid_client', async () => {
    const before = await stats();
    // Raw `%&=` is a malformed escape; the client id still names the org, so the request counts for it.
    const malformed = await postToken(sim, rawBasic('a-client', TRICKY_SECRET));
    expect(malformed.status).toBe(401);
    expect(await malformed.json()).toMatchObject({
      error: 'invalid_client',
      description: 'client authentication failed',
    });
    // Raw `+` reads as a space: a wrong secret.
    expect((await postToken(sim, rawBasic(formUrlEncode('a spaced+client'), 'a+b c'))).status).toBe(401);
    // Raw `+` in the id: an unknown client, which no org can be blamed for.
    expect((await postToken(sim, rawBasic('a spaced+client', formUrlEncode('a+b c')))).status).toBe(401);

    const after = await stats();
    expect(after.orgs.a?.tokenRequests).toBe((before.orgs.a?.tokenRequests ?? 0) + 2);
    expect(after.orgs.a?.tokensIssued).toBe(before.orgs.a?.tokensIssued);
    expect(after.unattributed.tokenRequests).toBe(before.unattributed.tokenRequests + 1);
  });

  it.each(MALFORMED)('refuses %s with 401 invalid_client', async (_label, clientId, clientSecret, raw) => {
    const response = await postToken(sim, `Basic ${Buffer.from(raw).toString('base64')}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    expect((await requestToken(sim, clientId, clientSecret)).status).toBe(200); // the same, encoded
  });

  it('splits at the first ":" before decoding, so an encoded ":" belongs to its part', async () => {
    // The secret's own ':' arrives as %3A; a raw ':' after the first one is kept in the secret too.
    expect((await postToken(sim, rawBasic('a-client', `%3A${formUrlEncode(' +%&=é')}`))).status).toBe(200);
    expect((await postToken(sim, rawBasic('a-client', `:${formUrlEncode(' +%&=é')}`))).status).toBe(200);
    expect((await postToken(sim, rawBasic('a-client%3A', formUrlEncode(' +%&=é')))).status).toBe(401);
  });
});
