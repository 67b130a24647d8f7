/**
 * The client-credentials login: credentials encoded per RFC 6749, the secret read at each login (a rotation in
 * its file is picked up), a 429 read as throttling with its Retry-After, wrong credentials as final.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OAuthError, basicCredentials, requestClientCredentialsToken } from '../../../activities/auth/oauth';

describe('client-credentials login', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  /** A login service that accepts `accepted()` as the Basic credentials, or answers `answer` when set. */
  async function loginService(accepted: () => string, answer?: { status: number; headers?: Record<string, string> }) {
    const server = http.createServer((request, response) => {
      if (answer) {
        response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        response.end(JSON.stringify({ status: answer.status, code: 'too.many.requests', message: 'slow down' }));
        return;
      }
      const ok = request.headers.authorization === `Basic ${accepted()}`;
      response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      response.end(ok ? JSON.stringify({ access_token: 'token', expires_in: 60, scope: 'a b' }) : '{}');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('form-urlencodes client id and secret before joining them (RFC 6749 §2.3.1)', () => {
    const decoded = Buffer.from(basicCredentials('my client', 'p:ss+w%rd&é'), 'base64').toString('utf8');
    expect(decoded).toBe('my+client:p%3Ass%2Bw%25rd%26%C3%A9');
    // Plain ids and secrets (the platform's are UUIDs and base64url) are unchanged.
    expect(Buffer.from(basicCredentials('4f1c-9a', 'Ab_c-D9'), 'base64').toString()).toBe('4f1c-9a:Ab_c-D9');
  });

  it('reads the secret at each login, so a rotated secret is used from the next login on', async () => {
    let secret = 'first';
    let serverSecret = 'first';
    const loginUrl = await loginService(() => basicCredentials('c', serverSecret));
    const credentials = { loginUrl, clientId: 'c', clientSecret: () => secret };
    await expect(requestClientCredentialsToken(credentials, 5_000)).resolves.toMatchObject({ scopes: ['a', 'b'] });
    serverSecret = 'second';
    secret = 'second';
    await expect(requestClientCredentialsToken(credentials, 5_000)).resolves.toMatchObject({ value: 'token' });
  });

  it('takes wrong credentials as final', async () => {
    const loginUrl = await loginService(() => 'nothing matches');
    const error = await requestClientCredentialsToken(
      { loginUrl, clientId: 'c', clientSecret: () => 's' },
      5_000,
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ status: 401, final: true, retryAfterMs: undefined });
  });

  it('takes a 429 as throttling with its Retry-After, not as a final refusal', async () => {
    const loginUrl = await loginService(() => '', { status: 429, headers: { 'retry-after': '7' } });
    const error = await requestClientCredentialsToken(
      { loginUrl, clientId: 'c', clientSecret: () => 's' },
      5_000,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 429, final: false, retryAfterMs: 7_000 });
  });

  it('turns a secret that cannot be read into a retryable login error', async () => {
    const loginUrl = await loginService(() => '');
    const unreadable = () => {
      throw new Error('tenant t: cannot read its client secret from /secrets/t: ENOENT');
    };
    const error = await requestClientCredentialsToken(
      { loginUrl, clientId: 'c', clientSecret: unreadable },
      5_000,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ final: false, message: expect.stringContaining('ENOENT') as unknown });
  });
});
