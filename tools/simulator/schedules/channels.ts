/**
 * Notification channels of one org and the WebSockets connected to them: the platform's streaming side. Channels
 * belong to the OAuth client that created them (at most `maxChannelsPerClient`; one more evicts the oldest, idle
 * ones first), carry topic subscriptions, and deliver events only to sockets open at that moment: nothing is
 * queued or replayed, as on the platform.
 */
import { randomUUID } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import type { SeededRandom } from '../prng';
import type { Clock } from '../throttle';
import type { BuScheduleSettings } from './settings';
import type { ScheduleApiCounters } from './stats';

/** Path prefix of `connectUri`: the WebSocket endpoint, no auth (the URI is the credential). */
export const CHANNELS_PREFIX = '/__channels';

/** Most topics one channel may hold (the platform's documented limit). */
export const MAX_TOPICS_PER_CHANNEL = 1000;

/** One notification channel. */
export interface Channel {
  id: string;
  clientId: string;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  topics: Set<string>;
  sockets: Set<WebSocket>;
}

/** A channel as the admin listing shows it. */
export interface ChannelSnapshot {
  id: string;
  clientId: string;
  createdAt: number;
  expiresAt: number;
  topics: string[];
  openSockets: number;
}

/** How the server closes sockets. */
export interface ServerCloseOptions {
  /** Send `v2.system.socket_closing` first. */
  notice: boolean;
  /** Drop the TCP connection without a close frame (a network break) instead of closing with 1001. */
  terminate: boolean;
}

/** What the registry needs from its org. */
export interface ChannelContext {
  orgId: string;
  now: Clock;
  counters: () => ScheduleApiCounters;
  settings: () => BuScheduleSettings;
  random: SeededRandom;
}

const HEARTBEAT = JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } });
const PONG = JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'pong' } });

/** True for a client text message `{"message":"ping"}`. */
function isPing(data: RawData, isBinary: boolean): boolean {
  if (isBinary) return false;
  try {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && (parsed as { message?: unknown }).message === 'ping';
  } catch {
    return false;
  }
}

/** The channels and sockets of one org. */
export class ChannelRegistry {
  private readonly channels = new Map<string, Channel>();
  private readonly closedByServer = new WeakSet<WebSocket>();

  constructor(private readonly context: ChannelContext) {}

  /** A new channel for a client; evicts the client's oldest when it already has the most allowed. */
  create(clientId: string): Channel {
    const now = this.context.now();
    const own = [...this.channels.values()].filter((c) => c.clientId === clientId);
    const excess = own.length - this.context.settings().maxChannelsPerClient + 1;
    if (excess > 0) {
      const oldestFirst = own.sort(
        (a, b) => Number(a.sockets.size > 0) - Number(b.sockets.size > 0) || a.lastUsedAt - b.lastUsedAt,
      );
      for (const channel of oldestFirst.slice(0, excess)) {
        this.remove(channel);
        this.context.counters().channelsEvicted++;
      }
    }
    const channel: Channel = {
      id: `streaming-${randomUUID()}`,
      clientId,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + this.context.settings().channelTtlMs,
      topics: new Set(),
      sockets: new Set(),
    };
    this.channels.set(channel.id, channel);
    this.context.counters().channelsCreated++;
    return channel;
  }

  /** A live channel by id (optionally only the given client's); an expired one is removed and not found. */
  find(id: string, clientId?: string): Channel | undefined {
    const channel = this.channels.get(id);
    if (!channel) return undefined;
    if (this.context.now() >= channel.expiresAt) {
      this.remove(channel);
      return undefined;
    }
    if (clientId !== undefined && channel.clientId !== clientId) return undefined;
    channel.lastUsedAt = this.context.now();
    return channel;
  }

  /** Serves a newly connected socket of a channel: heartbeats, ping → pong, bookkeeping on close. */
  connect(channel: Channel, socket: WebSocket): void {
    const counters = this.context.counters;
    channel.sockets.add(socket);
    counters().socketsOpened++;
    const heartbeat = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(HEARTBEAT);
      counters().heartbeatsSent++;
    }, this.context.settings().heartbeatIntervalMs);
    socket.on('message', (data, isBinary) => {
      if (!isPing(data, isBinary) || socket.readyState !== WebSocket.OPEN) return;
      socket.send(PONG);
      counters().pongsSent++;
    });
    socket.on('error', () => socket.terminate());
    socket.once('close', () => {
      clearInterval(heartbeat);
      channel.sockets.delete(socket);
      counters().socketsClosed++;
      if (this.closedByServer.has(socket)) counters().socketsClosedByServer++;
    });
  }

  /**
   * Sends an event to every open socket of every channel subscribed to the topic; returns how many got it. A
   * socket may be closed right after (the `closeSocketRate` fault).
   */
  publish(topicName: string, eventBody: unknown): number {
    const counters = this.context.counters();
    const message = JSON.stringify({ topicName, version: '2', eventBody, metadata: { CorrelationId: randomUUID() } });
    let sent = 0;
    for (const channel of this.channels.values()) {
      if (!channel.topics.has(topicName) || this.context.now() >= channel.expiresAt) continue;
      for (const socket of [...channel.sockets]) {
        if (socket.readyState !== WebSocket.OPEN) continue;
        socket.send(message);
        sent++;
        counters.eventsSent++;
        const faults = this.context.settings().faults;
        if (this.context.random.next() < faults.closeSocketRate) {
          this.closeSocket(channel, socket, { notice: faults.socketClosingNotice, terminate: false });
        }
      }
    }
    if (sent === 0) counters.eventsUndelivered++;
    return sent;
  }

  /** Closes every open socket of the org from the server side; returns how many. */
  closeAll(options: ServerCloseOptions): number {
    let closed = 0;
    for (const channel of this.channels.values()) {
      for (const socket of [...channel.sockets]) {
        if (socket.readyState !== WebSocket.OPEN) continue;
        this.closeSocket(channel, socket, options);
        closed++;
      }
    }
    return closed;
  }

  /** Sockets open now. */
  get openSockets(): number {
    let open = 0;
    for (const channel of this.channels.values()) open += channel.sockets.size;
    return open;
  }

  /** Every live channel, for the admin listing. */
  snapshot(): ChannelSnapshot[] {
    return [...this.channels.values()].map((c) => ({
      id: c.id,
      clientId: c.clientId,
      createdAt: c.createdAt,
      expiresAt: c.expiresAt,
      topics: [...c.topics],
      openSockets: c.sockets.size,
    }));
  }

  /** Drops every socket at once (reset, shutdown); heartbeats stop with them. */
  dispose(): void {
    for (const channel of this.channels.values()) {
      for (const socket of channel.sockets) {
        this.closedByServer.add(socket);
        socket.terminate();
      }
    }
    this.channels.clear();
  }

  private closeSocket(channel: Channel, socket: WebSocket, options: ServerCloseOptions): void {
    this.closedByServer.add(socket);
    if (options.notice) {
      socket.send(JSON.stringify(this.socketClosingMessage(channel)));
      this.context.counters().socketClosingNotices++;
    }
    if (options.terminate) socket.terminate();
    else socket.close(1001, 'closed by the simulator');
  }

  private socketClosingMessage(channel: Channel) {
    const correlationId = randomUUID();
    return {
      topicName: 'v2.system.socket_closing',
      version: '2',
      eventBody: {
        channelId: channel.id,
        systemTopicType: 'socket_closing',
        correlationId,
        organizationId: this.context.orgId,
        oauthClientId: channel.clientId,
        reason: 'simulator',
        message: 'The socket is closing: create a new channel or reconnect.',
      },
      metadata: { CorrelationId: correlationId },
    };
  }

  private remove(channel: Channel): void {
    for (const socket of channel.sockets) this.closeSocket(channel, socket, { notice: false, terminate: false });
    this.channels.delete(channel.id);
  }
}
