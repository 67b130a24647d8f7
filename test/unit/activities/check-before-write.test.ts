/**
 * The last look before a request's bytes leave: a request that passed the gate while its process held the lease,
 * then waited for a connection while the proof of the lease ran out, is held back unsent; the API sees nothing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeldBeforeWrite, checkBeforeWrite } from '../../../activities/http/check-before-write';
import { LeaseFence } from '../../../pacing/fence';

describe('checkBeforeWrite with the lease fence', () => {
  let server: http.Server;
  let url: string;
  let received = 0;
  /** Every connection takes 150 ms to open: the request waits for it after passing the gate. */
  const slowConnections = new Agent({
    connect: (options, callback) => {
      const connect = buildConnector({});
      setTimeout(() => connect(options, callback), 150);
    },
  });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      received++;
      req.resume();
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await slowConnections.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (fence: LeaseFence, epoch: number) =>
    request(url, {
      method: 'PUT',
      body: '{}',
      dispatcher: checkBeforeWrite(slowConnections, () => fence.mayWrite(epoch)),
    });

  it('holds a request back when the proof of the lease ran out while it waited for a connection', async () => {
    const fence = new LeaseFence();
    fence.hold('hold', 5, Date.now() + 50);
    expect(fence.mayWrite(5)).toBe(true);
    await expect(send(fence, 5)).rejects.toBeInstanceOf(HeldBeforeWrite);
    expect(received).toBe(0);
  });

  it('holds back a request written for an epoch this process no longer holds', async () => {
    const fence = new LeaseFence();
    fence.hold('hold', 5, Date.now() + 60_000);
    const pending = send(fence, 5);
    fence.hold('next', 6, Date.now() + 60_000);
    await expect(pending).rejects.toBeInstanceOf(HeldBeforeWrite);
    expect(received).toBe(0);
  });

  it('lets it go while the lease is proven', async () => {
    const fence = new LeaseFence();
    fence.hold('hold', 5, Date.now() + 60_000);
    const response = await send(fence, 5);
    await response.body.text();
    expect(response.statusCode).toBe(200);
    expect(received).toBe(1);
  });
});
