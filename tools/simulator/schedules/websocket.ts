/**
 * The WebSocket endpoint behind a channel's `connectUri` (`/__channels/{id}`), on the simulator's own HTTP server.
 * No auth, as on the platform: the URI is the credential. An unknown or expired channel refuses the upgrade with
 * 404. Sockets are dropped by their org's runtime on shutdown (see `registerBuScheduleApi`).
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { SimulatorState } from '../state';
import { CHANNELS_PREFIX } from './channels';

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Serves channel WebSockets on the app's server until `shutdown`. */
export function attachChannelSockets(app: FastifyInstance, state: SimulatorState, shutdown: AbortSignal): void {
  const server = new WebSocketServer({ noServer: true });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://simulator').pathname;
    const channelId = path.startsWith(`${CHANNELS_PREFIX}/`) ? path.slice(CHANNELS_PREFIX.length + 1) : undefined;
    if (!channelId || shutdown.aborted) return refuseUpgrade(socket, '404 Not Found');
    for (const org of state.allOrgs()) {
      const channel = org.buSchedules.channels.find(channelId);
      if (!channel) continue;
      server.handleUpgrade(request, socket, head, (ws) => org.buSchedules.channels.connect(channel, ws));
      return;
    }
    refuseUpgrade(socket, '404 Not Found');
  };
  app.server.on('upgrade', onUpgrade);
  shutdown.addEventListener(
    'abort',
    () => {
      app.server.off('upgrade', onUpgrade);
      server.close();
    },
    { once: true },
  );
}
