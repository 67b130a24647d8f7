/**
 * The last look before a request's bytes leave: a request that passed the gate while its process held the lease,
 * then waited for a connection while the proof of the lease ran out, is held back unsent; the API sees nothing.
 * And a new connection waits for the answers already in before its request may be written.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeldBeforeWrite, afterPendingReads, checkBeforeWrite } from '../../../activities/http/check-before-write';
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

describe('afterPendingReads', () => {
  let server: net.Server;
  let reader: net.Socket;
  let writer: net.Socket;

  beforeAll(async () => {
    const accepted = new Promise<net.Socket>((resolve) => {
      server = net.createServer(resolve);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    reader = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    writer = await accepted;
  });
  afterAll(async () => {
    reader.destroy();
    writer.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  /**
   * Another socket's answer (a 429, say) is in the kernel's buffer when a new connection is ready: which does the
   * process get to first? The new connection is ready inside a timer callback here, with the answer already there.
   */
  async function orderWith(wrap: (connector: buildConnector.connector) => buildConnector.connector) {
    const order: string[] = [];
    reader.once('data', () => order.push('answer read'));
    let ready: buildConnector.Callback | undefined;
    const connector = wrap((_options, callback) => {
      ready = callback;
    });
    connector({ hostname: '127.0.0.1', host: '127.0.0.1', protocol: 'http:', port: '1', servername: '' }, () =>
      order.push('connection handed over'),
    );
    await new Promise<void>((resolve) => {
      setTimeout(() => {
        writer.write('x');
        const until = Date.now() + 20; // the answer reaches the reader's buffer meanwhile
        while (Date.now() < until);
        ready!(null, reader);
        setTimeout(resolve, 20);
      }, 1);
    });
    return order;
  }

  it('hands a new connection over only after the answers already in have been read', async () => {
    expect(await orderWith(afterPendingReads)).toEqual(['answer read', 'connection handed over']);
  });

  it('(undici alone hands it over first, which is what it mends)', async () => {
    expect(await orderWith((connector) => connector)).toEqual(['connection handed over', 'answer read']);
  });
});
