/**
 * Requests on connections opened together reach a busy server's handlers rounds apart, one accept per round: their
 * arrival is when the server began accepting them, not when it got round to each.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AcceptBacklog } from '../../tools/simulator/accept-backlog';

describe('AcceptBacklog', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  /** A server whose every round is 15 ms of other work; returns what it read, when, and the arrival judged. */
  async function busyServer() {
    const backlog = new AcceptBacklog(Date.now);
    const reads: { text: string; readAt: number; arrival: number }[] = [];
    const server = net.createServer((socket) => {
      socket.on('data', (data) => {
        const readAt = Date.now();
        reads.push({ text: data.toString(), readAt, arrival: backlog.arrival(socket, readAt) });
      });
    });
    backlog.watch(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const busy = setInterval(() => {
      const until = Date.now() + 15;
      while (Date.now() < until);
    }, 1);
    const clients: net.Socket[] = [];
    cleanups.push(() => {
      clearInterval(busy);
      clients.forEach((client) => client.destroy());
      server.close();
    });
    const connect = (text: string) =>
      new Promise<net.Socket>((resolve) => {
        const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', () => {
          client.write(text);
          resolve(client);
        });
        clients.push(client);
      });
    return { reads, connect };
  }

  it('dates the first requests of connections opened together from when the server began accepting them', async () => {
    const { reads, connect } = await busyServer();
    await Promise.all(['a', 'b', 'c', 'd'].map(connect));
    await expect.poll(() => reads.length, { timeout: 2_000 }).toBe(4);
    // Read a busy round or more apart (one accept per round), all dated by the first accept.
    const [first] = reads;
    expect(reads.every((read) => read.arrival === first!.arrival && read.arrival <= read.readAt)).toBe(true);
    expect(Math.max(...reads.map((read) => read.readAt))).toBeGreaterThanOrEqual(first!.arrival + 15);
  });

  it('dates a later request on an accepted connection by when it was read', async () => {
    const { reads, connect } = await busyServer();
    const client = await connect('first');
    await expect.poll(() => reads.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.write('later');
    await expect.poll(() => reads.length).toBe(2);
    expect(reads[1]!.arrival).toBe(reads[1]!.readAt);
  });
});
