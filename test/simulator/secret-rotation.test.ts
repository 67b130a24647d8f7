import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UnknownEntityError, type RunningSimulator, type SimulatorConfig } from '../../tools/simulator';
import { admin, assignment, putItems, requestToken, start, tokenFor, twoOrgConfig } from './helpers';

type Rotated = { orgId: string; clientId: string; revoked: number };

describe('POST /__admin/orgs/:orgId/clients/:clientId/secret', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await start(twoOrgConfig());
  });
  beforeEach(async () => {
    await admin(sim, 'POST', '/reset');
  });
  afterAll(() => sim.close());

  const rotate = (orgId: string, clientId: string, body?: unknown) =>
    admin<Rotated>(sim, 'POST', `/orgs/${orgId}/clients/${clientId}/secret`, body);

  it('refuses the old secret and accepts the new one from then on; issued tokens keep working by default', async () => {
    const token = await tokenFor(sim, 'a');
    const rotated = await rotate('a', 'a-client', { clientSecret: 'n3w: +%&=é' });
    expect(rotated).toEqual({ status: 200, body: { orgId: 'a', clientId: 'a-client', revoked: 0 } });

    const old = await requestToken(sim, 'a-client', 'a-secret');
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({ error: 'invalid_client' });
    expect((await requestToken(sim, 'a-client', 'n3w: +%&=é')).status).toBe(200);
    expect((await putItems(sim, token, 'a-s1', [assignment('x1')])).status).toBe(200);
    expect((await requestToken(sim, 'b-client', 'b-secret')).status).toBe(200); // other orgs untouched

    const config = (await admin<SimulatorConfig>(sim, 'GET', '/config')).body;
    expect(config.orgs.find((o) => o.id === 'a')?.clients[0]?.clientSecret).toBe('n3w: +%&=é');
  });

  it("revokes every token the org was issued so far with revokeTokens: true, and only the org's", async () => {
    const first = await tokenFor(sim, 'a');
    const second = await tokenFor(sim, 'a');
    const other = await tokenFor(sim, 'b');
    const rotated = await rotate('a', 'a-client', { clientSecret: 'fresh', revokeTokens: true });
    expect(rotated).toEqual({ status: 200, body: { orgId: 'a', clientId: 'a-client', revoked: 2 } });

    for (const token of [first, second])
      expect((await putItems(sim, token, 'a-s1', [assignment('x')])).status).toBe(401);
    expect((await putItems(sim, other, 'b-s1', [assignment('x')])).status).toBe(200);
    const fresh = (await (await requestToken(sim, 'a-client', 'fresh')).json()) as { access_token: string };
    expect((await putItems(sim, fresh.access_token, 'a-s1', [assignment('x')])).status).toBe(200);
  });

  it('answers 404 for an unknown org, an unknown client and a client of another org', async () => {
    const unknownOrg = await rotate('ghost', 'a-client', { clientSecret: 'x' });
    expect(unknownOrg).toEqual({ status: 404, body: { error: 'not_found', message: 'unknown org "ghost"' } });
    for (const [orgId, clientId] of [
      ['a', 'ghost'],
      ['a', 'b-client'],
    ] as const) {
      const response = await rotate(orgId, clientId, { clientSecret: 'x' });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: 'not_found', message: `client "${clientId}" is not in org "a"` });
    }
    expect((await requestToken(sim, 'b-client', 'b-secret')).status).toBe(200);
  });

  it.each([
    ['no body', undefined, '(root)'],
    ['no clientSecret', { revokeTokens: true }, 'clientSecret'],
    ['an empty clientSecret', { clientSecret: '' }, 'clientSecret'],
    ['a revokeTokens that is not a boolean', { clientSecret: 'x', revokeTokens: 'yes' }, 'revokeTokens'],
    ['an unknown field', { clientSecret: 'x', secret: 'y' }, 'secret'],
  ])('answers 400 naming the field for %s, and keeps the secret', async (_label, body, field) => {
    const response = await admin<{ error: string; problems: string[] }>(
      sim,
      'POST',
      '/orgs/a/clients/a-client/secret',
      body,
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('bad_request');
    expect(response.body.problems.join('\n')).toContain(field);
    expect((await requestToken(sim, 'a-client', 'a-secret')).status).toBe(200);
  });

  it('works in process as state.setClientSecret, and a reset restores the configured secret', async () => {
    const token = await tokenFor(sim, 'b');
    expect(sim.state.setClientSecret('b', 'b-client', 'in-process')).toBe(0);
    expect((await requestToken(sim, 'b-client', 'b-secret')).status).toBe(401);
    expect((await requestToken(sim, 'b-client', 'in-process')).status).toBe(200);
    expect((await putItems(sim, token, 'b-s1', [assignment('x')])).status).toBe(200);

    expect(sim.state.setClientSecret('b', 'b-client', 'again', { revokeTokens: true })).toBe(2);
    expect((await putItems(sim, token, 'b-s1', [assignment('x')])).status).toBe(401);
    expect(() => sim.state.setClientSecret('b', 'nobody', 'x')).toThrow(UnknownEntityError);
    expect(() => sim.state.setClientSecret('b', 'b-client', '')).toThrow();

    await admin(sim, 'POST', '/reset');
    expect((await requestToken(sim, 'b-client', 'again')).status).toBe(401);
    expect((await requestToken(sim, 'b-client', 'b-secret')).status).toBe(200);
  });
});
