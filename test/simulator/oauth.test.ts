import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedToken, OrgStats, RunningSimulator } from '../../tools/simulator';
import { FakeClock, admin, assignment, putItems, requestToken, start, tokenFor, twoOrgConfig } from './helpers';

describe('POST /oauth/token and bearer checks', () => {
  const clock = new FakeClock();
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await start(
      twoOrgConfig({
        tokenTtlSeconds: 600,
        orgs: [
          { id: 'a', schedules: ['a-s1'], throttle: null, tokenTtlSeconds: 300 },
          {
            id: 'b',
            schedules: ['b-s1'],
            throttle: null,
            clients: [{ clientId: 'b-reader', clientSecret: 'pw', scopes: ['wfm:schedule:view'] }],
          },
        ],
      }),
      { clock: clock.now },
    );
  });
  afterAll(() => sim.close());

  it('issues an opaque bearer token with ttl and scopes for valid Basic credentials', async () => {
    const response = await requestToken(sim, 'a-client', 'a-secret');
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/) as unknown,
      token_type: 'bearer',
      expires_in: 300, // org override
      scope: 'wfm:schedule:write wfm:schedule:edit wfm:schedule:view', // the default scopes
    });
    expect(body).not.toHaveProperty('refresh_token');
    const reader = (await (await requestToken(sim, 'b-reader', 'pw')).json()) as Record<string, unknown>;
    expect(reader.expires_in).toBe(600); // global default
    expect(reader.scope).toBe('wfm:schedule:view');
  });

  it('refuses a wrong secret, an unknown client and a missing header with 401 invalid_client', async () => {
    const wrongSecret = await requestToken(sim, 'a-client', 'nope');
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({ error: 'invalid_client' });
    expect((await requestToken(sim, 'ghost', 'x')).status).toBe(401);
    const noHeader = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(noHeader.status).toBe(401);
    expect(await noHeader.json()).toMatchObject({
      error: 'invalid_client',
      description: expect.any(String) as unknown,
    });
  });

  it('refuses another grant type with 400 unsupported_grant_type', async () => {
    const response = await requestToken(sim, 'a-client', 'a-secret', 'password');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('counts token requests and issued tokens per org', async () => {
    const { body } = await admin<{ orgs: Record<string, OrgStats>; unattributed: { tokenRequests: number } }>(
      sim,
      'GET',
      '/stats',
    );
    expect(body.orgs.a?.tokenRequests).toBe(3); // ok, wrong secret, wrong grant
    expect(body.orgs.a?.tokensIssued).toBe(1);
    expect(body.unattributed.tokenRequests).toBe(2); // unknown client, no header
  });

  it('answers 401 bad.credentials for a missing, unknown or expired token', async () => {
    const token = await tokenFor(sim, 'a');
    expect((await putItems(sim, token, 'a-s1', [assignment('x1')])).status).toBe(200);

    for (const bad of [undefined, 'not-a-token']) {
      const response = await putItems(sim, bad, 'a-s1', [assignment('x1')]);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'bad.credentials', status: 401, details: [], errors: [] });
    }

    clock.advance(299_999);
    expect((await putItems(sim, token, 'a-s1', [assignment('x1')])).status).toBe(200);
    clock.advance(1);
    expect((await putItems(sim, token, 'a-s1', [assignment('x1')])).status).toBe(401);
    const fresh = await tokenFor(sim, 'a');
    expect((await putItems(sim, fresh, 'a-s1', [assignment('x1')])).status).toBe(200);
  });

  it('refuses revoked tokens and issues new valid ones afterwards', async () => {
    const old = await tokenFor(sim, 'a');
    const revoke = await admin<{ revoked: number }>(sim, 'POST', '/orgs/a/revoke-tokens');
    expect(revoke.status).toBe(200);
    expect(revoke.body.revoked).toBeGreaterThanOrEqual(1);
    expect((await putItems(sim, old, 'a-s1', [assignment('r1')])).status).toBe(401);
    const tokens = await admin<IssuedToken[]>(sim, 'GET', '/tokens');
    expect(tokens.body.find((t) => t.token === old)).toMatchObject({ orgId: 'a', clientId: 'a-client', revoked: true });
    const fresh = await tokenFor(sim, 'a');
    expect((await putItems(sim, fresh, 'a-s1', [assignment('r1')])).status).toBe(200);
  });

  it('answers 403 missing.any.permissions naming the scope, evaluated live against the client', async () => {
    const reader = (await (await requestToken(sim, 'b-reader', 'pw')).json()) as { access_token: string };
    const refused = await putItems(sim, reader.access_token, 'b-s1', [assignment('p1')]);
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { code: string; message: string };
    expect(body.code).toBe('missing.any.permissions');
    expect(body.message).toContain('wfm:schedule:write');

    const token = await tokenFor(sim, 'a');
    expect((await putItems(sim, token, 'a-s1', [assignment('p2')])).status).toBe(200);
    const removal = await admin(sim, 'PUT', '/orgs/a/clients/a-client/scopes', { scopes: [] });
    expect(removal.status).toBe(200);
    expect((await putItems(sim, token, 'a-s1', [assignment('p2')])).status).toBe(403);
    await admin(sim, 'PUT', '/orgs/a/clients/a-client/scopes', { scopes: ['wfm:schedule:write'] });
    expect((await putItems(sim, token, 'a-s1', [assignment('p2')])).status).toBe(200);

    const stats = await admin<{ orgs: Record<string, OrgStats> }>(sim, 'GET', '/stats');
    expect(stats.body.orgs.a?.status403).toBe(1);
    expect(stats.body.orgs.b?.status403).toBe(1);
  });

  it('answers 404 for an unknown client in the scopes endpoint', async () => {
    const response = await admin<{ message: string }>(sim, 'PUT', '/orgs/a/clients/ghost/scopes', { scopes: [] });
    expect(response.status).toBe(404);
    expect(response.body.message).toContain('ghost');
  });
});
