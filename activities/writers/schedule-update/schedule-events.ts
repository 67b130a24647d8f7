/**
 * How a serving process hears that a tenant's schedule updates ended: one Genesys notification channel per tenant
 * (a client may hold 20), its WebSocket, and a subscription per business unit's schedules topic, made before the
 * first update of that unit is started (the event can beat the answer of `…/update`). Endings are kept a while by
 * operation id, so a waiter that comes after its event still finds it.
 *
 * Events sent while the socket is down are lost (the platform replays nothing), so nothing relies on them alone:
 * a waiter also reads the schedule's version back now and then (`awaitEnding` in `write-schedule-batch.ts`). A
 * silent socket (no heartbeat or pong for two periods), a closed one, or a `v2.system.socket_closing` notice drops
 * the channel; the next update opens a new one. Closed with the tenant's runtime (idle, or the process stopping):
 * then no channel opens any more.
 */
import { WebSocket } from 'undici';
import type { ActivityDeps } from '../../deps';
import type { ScheduleApi } from './schedule-api';
import { channelMessageSchema, scheduleNotificationSchema, type ScheduleNotification } from './platform';

/** A ping every this often; the platform's heartbeat comes every 30 s. */
const PING_EVERY_MS = 30_000;
/** No message for this long: the socket is dead whatever it says. */
const SILENCE_MS = 2 * PING_EVERY_MS + 5_000;
/** How long an ending is kept for a waiter that comes late. */
const KEEP_ENDINGS_MS = 15 * 60_000;
/** How long a socket may take to open. */
const OPEN_TIMEOUT_MS = 15_000;
/** A topic the channel refused (missing permission) is not asked for again before this. */
const REFUSED_TOPIC_RETRY_MS = 10 * 60_000;

type Waiter = (ending: ScheduleNotification | 'lost') => void;

interface Channel {
  id: string;
  socket: WebSocket;
  topics: Set<string>;
  lastMessageAt: number;
  timer: NodeJS.Timeout;
  /** Uncounts the channel from the process's open channels (once). */
  uncount: () => void;
}

export class ScheduleEvents {
  private channel: Channel | undefined;
  /** Opening (or subscribing) under way: one at a time. */
  private busy: Promise<unknown> = Promise.resolve();
  private readonly endings = new Map<string, { ending: ScheduleNotification; at: number }>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly refusedTopics = new Map<string, number>();
  private closed = false;

  /** @param countChannel counts a channel as open in the process; the returned function uncounts it */
  constructor(
    private readonly tenantId: string,
    private readonly log: ActivityDeps['log'],
    private readonly countChannel: () => () => void = () => () => undefined,
  ) {}

  /** Whether the channel is open and subscribed to `topic` now. */
  live(topic: string): boolean {
    return this.channel?.socket.readyState === WebSocket.OPEN && this.channel.topics.has(topic);
  }

  /**
   * Opens the channel and subscribes `topic` if not done yet.
   * @returns whether events of `topic` will arrive; false (logged) when the channel could not be had
   */
  async listen(topic: string, api: ScheduleApi): Promise<boolean> {
    const run = this.busy.then(() => this.open(topic, api));
    this.busy = run.catch(() => undefined);
    try {
      return await run;
    } catch (error) {
      this.log(`tenant ${this.tenantId}: no notification channel (${(error as Error).message}); reading back instead`, {
        tenantId: this.tenantId,
      });
      return false;
    }
  }

  /** How the operation ended, if its event came. */
  ended(operationId: string): ScheduleNotification | undefined {
    return this.endings.get(operationId)?.ending;
  }

  /**
   * Waits for the operation's ending, at most `ms`.
   * @returns the ending; 'lost' if the channel dropped meanwhile; 'timeout'
   */
  wait(operationId: string, ms: number, signal: AbortSignal): Promise<ScheduleNotification | 'lost' | 'timeout'> {
    const known = this.ended(operationId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const waiters = this.waiters.get(operationId) ?? new Set<Waiter>();
      this.waiters.set(operationId, waiters);
      const done = (result: ScheduleNotification | 'lost' | 'timeout') => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        waiters.delete(waiter);
        if (waiters.size === 0) this.waiters.delete(operationId);
        resolve(result);
      };
      const waiter: Waiter = (ending) => done(ending);
      const onAbort = () => done('timeout');
      const timer = setTimeout(() => done('timeout'), ms);
      signal.addEventListener('abort', onAbort, { once: true });
      waiters.add(waiter);
    });
  }

  /** Closes the channel's socket and its ping timer, for good (the tenant's runtime is closing). */
  close(): void {
    this.closed = true;
    this.drop('closed by this process');
  }

  private async open(topic: string, api: ScheduleApi): Promise<boolean> {
    if (this.closed) return false;
    const refusedAt = this.refusedTopics.get(topic);
    if (refusedAt !== undefined && Date.now() - refusedAt < REFUSED_TOPIC_RETRY_MS) return false;
    if (!this.channel || this.channel.socket.readyState !== WebSocket.OPEN) {
      this.drop('reopening');
      this.channel = await this.connect(api);
      // Closed while the socket opened: it goes at once, or it would stay open with nothing to close it.
      if (this.closed) {
        this.drop('closed by this process');
        return false;
      }
    }
    const channel = this.channel;
    if (channel.topics.has(topic)) return true;
    const missing = await api.subscribe(channel.id, topic);
    if (missing.length > 0) {
      this.refusedTopics.set(topic, Date.now());
      this.log(
        `tenant ${this.tenantId}: the platform refused the topic ${topic} (missing ${missing.join(', ')}); reading back instead`,
        { tenantId: this.tenantId },
      );
      return false;
    }
    channel.topics.add(topic);
    return true;
  }

  private async connect(api: ScheduleApi): Promise<Channel> {
    const { id, connectUri } = await api.createChannel();
    const socket = new WebSocket(connectUri);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Not left to open later, unwatched.
        socket.close();
        reject(new Error('the channel did not open in time'));
      }, OPEN_TIMEOUT_MS);
      socket.addEventListener('open', () => (clearTimeout(timer), resolve()), { once: true });
      socket.addEventListener('error', () => (clearTimeout(timer), reject(new Error('the channel did not open'))), {
        once: true,
      });
    });
    const channel: Channel = {
      id,
      socket,
      topics: new Set(),
      lastMessageAt: Date.now(),
      timer: setInterval(() => this.keepAlive(channel), PING_EVERY_MS),
      uncount: this.countChannel(),
    };
    channel.timer.unref();
    socket.addEventListener('message', (event) => this.receive(channel, event.data));
    socket.addEventListener('close', () => {
      if (this.channel === channel) this.drop('closed by the platform');
    });
    return channel;
  }

  private keepAlive(channel: Channel): void {
    if (Date.now() - channel.lastMessageAt > SILENCE_MS) {
      if (this.channel === channel) this.drop('silent');
      return;
    }
    channel.socket.send(JSON.stringify({ message: 'ping' }));
  }

  private receive(channel: Channel, data: unknown): void {
    channel.lastMessageAt = Date.now();
    let value: unknown;
    try {
      value = JSON.parse(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8'));
    } catch {
      return;
    }
    const message = channelMessageSchema.safeParse(value);
    if (!message.success) return;
    if (message.data.topicName === 'v2.system.socket_closing') {
      if (this.channel === channel) this.drop('the platform is closing it');
      return;
    }
    if (!channel.topics.has(message.data.topicName)) return; // heartbeats, pongs, other topics
    const notification = scheduleNotificationSchema.safeParse(message.data.eventBody);
    if (!notification.success || notification.data.status === 'Processing') return;
    this.remember(notification.data);
  }

  private remember(ending: ScheduleNotification): void {
    const now = Date.now();
    for (const [operationId, kept] of this.endings)
      if (now - kept.at > KEEP_ENDINGS_MS) this.endings.delete(operationId);
    this.endings.set(ending.operationId, { ending, at: now });
    for (const waiter of [...(this.waiters.get(ending.operationId) ?? [])]) waiter(ending);
  }

  /** Forgets the channel; waiters are told, so they read back instead of waiting for what may never come. */
  private drop(why: string): void {
    const channel = this.channel;
    if (!channel) return;
    this.channel = undefined;
    clearInterval(channel.timer);
    channel.uncount();
    if (channel.socket.readyState === WebSocket.OPEN || channel.socket.readyState === WebSocket.CONNECTING)
      channel.socket.close();
    if (why !== 'reopening' && why !== 'closed by this process')
      this.log(`tenant ${this.tenantId}: notification channel dropped (${why})`, { tenantId: this.tenantId });
    for (const waiters of this.waiters.values()) for (const waiter of [...waiters]) waiter('lost');
  }
}
