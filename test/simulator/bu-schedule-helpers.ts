/** Plain-HTTP and WebSocket helpers for the tests of the simulated schedule-update API. */
import { gzipSync } from 'node:zlib';
import { WebSocket } from 'undici';
import type { RunningSimulator } from '../../tools/simulator';

export const BU = 'bu-1';
export const WEEK = '2026-11-30';
export const TOPIC = `v2.workforcemanagement.businessunits.${BU}.schedules`;

/** Path of a schedule of {@link BU} in {@link WEEK}. */
export function schedulePath(scheduleId: string, week = WEEK, bu = BU): string {
  return `/api/v2/workforcemanagement/businessunits/${bu}/weeks/${week}/schedules/${scheduleId}`;
}

/** A platform call with a bearer token; JSON body when given. */
export function api(
  sim: RunningSimulator,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A platform call's status and JSON body (null when there is none). */
export async function apiJson<T = Record<string, unknown>>(
  sim: RunningSimulator,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await api(sim, token, method, path, body);
  const text = await response.text();
  return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T, headers: response.headers };
}

/** One shift of an upload, with one activity covering it. */
export function newShift(startDate: string, lengthMinutes = 480, activityCodeId = 'work'): Record<string, unknown> {
  return {
    startDate,
    lengthMinutes,
    activities: [{ startDate, lengthMinutes, description: '', activityCodeId, paid: true }],
    manuallyEdited: true,
  };
}

export interface UploadTicketAnswer {
  uploadKey: string;
  url: string;
  headers: Record<string, string>;
  uploadBodySchema: null;
}

/** Asks for an upload URL for a gzip body; throws unless 200. */
export async function uploadUrl(
  sim: RunningSimulator,
  token: string,
  scheduleId: string,
  gzipped: Buffer,
): Promise<UploadTicketAnswer> {
  const answer = await apiJson<UploadTicketAnswer>(sim, token, 'POST', `${schedulePath(scheduleId)}/update/uploadurl`, {
    contentLengthBytes: gzipped.length,
  });
  if (answer.status !== 200) throw new Error(`uploadurl answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** PUTs bytes to an upload URL with the given headers. */
export function putUpload(url: string, headers: Record<string, string>, body: Buffer): Promise<Response> {
  return fetch(url, { method: 'PUT', headers, body });
}

/** Upload URL + PUT of an upload body; returns the key. */
export async function upload(sim: RunningSimulator, token: string, scheduleId: string, body: unknown): Promise<string> {
  const gzipped = gzipSync(JSON.stringify(body));
  const ticket = await uploadUrl(sim, token, scheduleId, gzipped);
  const put = await putUpload(ticket.url, ticket.headers, gzipped);
  if (put.status !== 200) throw new Error(`upload PUT answered ${put.status}: ${await put.text()}`);
  return ticket.uploadKey;
}

/** Starts an update from an uploaded key. */
export function startUpdate(sim: RunningSimulator, token: string, scheduleId: string, uploadKey: string) {
  return apiJson<{ status: string; operationId: string; result?: unknown }>(
    sim,
    token,
    'POST',
    `${schedulePath(scheduleId)}/update`,
    { uploadKey },
  );
}

/** Creates a channel subscribed to the BU's schedules topic; returns its id and connectUri. */
export async function subscribedChannel(
  sim: RunningSimulator,
  token: string,
  topics: string[] = [TOPIC],
): Promise<{ id: string; connectUri: string }> {
  const channel = await apiJson<{ id: string; connectUri: string }>(
    sim,
    token,
    'POST',
    '/api/v2/notifications/channels',
  );
  if (channel.status !== 200) throw new Error(`channel creation answered ${channel.status}`);
  const subscribed = await api(
    sim,
    token,
    'POST',
    `/api/v2/notifications/channels/${channel.body.id}/subscriptions`,
    topics.map((id) => ({ id })),
  );
  if (subscribed.status !== 200) throw new Error(`subscription answered ${subscribed.status}`);
  return channel.body;
}

/** Waits until the org has `count` update operations and none is still processing. */
export async function untilUpdatesFinished(
  sim: RunningSimulator,
  orgId: string,
  count: number,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${sim.url}/__admin/orgs/${orgId}/bu-schedules/operations`);
    const operations = (await response.json()) as Array<{ status: string }>;
    if (operations.length >= count && operations.every((op) => op.status !== 'Processing')) return;
    if (Date.now() > deadline) throw new Error(`updates of ${orgId} not finished: ${JSON.stringify(operations)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A parsed message of a channel socket. */
export interface ChannelMessage {
  topicName: string;
  version?: string;
  eventBody: Record<string, unknown>;
  metadata?: { CorrelationId: string };
}

/** A connected channel socket that records every message and its close. */
export class SocketProbe {
  readonly messages: ChannelMessage[] = [];
  closed: { code: number } | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      this.messages.push(JSON.parse(String(event.data)) as ChannelMessage);
      this.wake();
    });
    socket.addEventListener('close', (event) => {
      this.closed = { code: event.code };
      this.wake();
    });
  }

  /** Connects, or rejects when the server refuses. */
  static connect(uri: string): Promise<SocketProbe> {
    const socket = new WebSocket(uri);
    return new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(new SocketProbe(socket)), { once: true });
      socket.addEventListener('error', () => reject(new Error(`WebSocket to ${uri} failed`)), { once: true });
    });
  }

  /** Messages that are not heartbeats or pongs. */
  get events(): ChannelMessage[] {
    return this.messages.filter((m) => m.topicName !== 'channel.metadata');
  }

  /** Resolves when `predicate` holds, or rejects after `timeoutMs`. */
  async until(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  /** The event of an operation, waiting for it. */
  async eventOf(operationId: string, timeoutMs = 5_000): Promise<ChannelMessage> {
    const find = () => this.events.find((m) => m.eventBody.operationId === operationId);
    await this.until(() => find() !== undefined, timeoutMs, `the event of operation ${operationId}`);
    return find()!;
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close();
    }
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}
