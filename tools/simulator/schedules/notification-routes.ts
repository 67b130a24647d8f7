/**
 * The platform's notifications REST API, as far as a schedule writer needs it: create a channel (its `connectUri`
 * is the simulator's WebSocket endpoint), add / replace / list / remove its topic subscriptions, and check that it
 * still exists. Throttled by the org's one bucket like every platform call; creating a channel needs no
 * permission, a schedules topic needs a read permission (see `readPermissions`) — refused 403, or `Rejected` with
 * `?ignoreErrors=true`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { describeIssues } from '../config';
import { ERROR_CODES } from '../errors';
import type { SimulatorState } from '../state';
import {
  clientHasAny,
  missingPermissionsMessage,
  openPlatformCall,
  parseJsonBody,
  queryFlag,
  readPermissions,
} from './api-gate';
import type { OpenedCall } from './api-gate';
import { CHANNELS_PREFIX, MAX_TOPICS_PER_CHANNEL, type Channel } from './channels';
import { SCHEDULE_VIEW_SCOPE } from './settings';
import { businessUnitOfTopic } from './views';

/** The platform's channels path. */
export const CHANNELS_PATH = '/api/v2/notifications/channels';

interface ChannelRoute {
  Params: { channelId: string };
}

/** `ChannelTopic` of an answer. */
interface ChannelTopicView {
  id: string;
  state: 'Permitted' | 'Rejected';
  rejectionReason?: string;
  missingPermissions?: string[];
}

const topicsBodySchema = z.array(z.object({ id: z.string().min(1) }));

/** Decides one topic for a client: permitted, or rejected with why. */
function judgeTopic(call: OpenedCall, topic: string): ChannelTopicView {
  if (businessUnitOfTopic(topic) === undefined) {
    return { id: topic, state: 'Rejected', rejectionReason: 'The simulator knows no such topic' };
  }
  if (!clientHasAny(call.org, call.clientId, readPermissions(call.org))) {
    return {
      id: topic,
      state: 'Rejected',
      rejectionReason: 'Missing permissions',
      missingPermissions: [SCHEDULE_VIEW_SCOPE],
    };
  }
  return { id: topic, state: 'Permitted' };
}

function channelTopics(channel: Channel): ChannelTopicView[] {
  return [...channel.topics].map((id) => ({ id, state: 'Permitted' }));
}

/** The caller's live channel of the path, or a 404 answer and undefined. */
function channelOf(call: OpenedCall, channelId: string): Channel | undefined {
  const channel = call.org.buSchedules.channels.find(channelId, call.clientId);
  if (!channel) call.exchange.fail(404, ERROR_CODES.notFound, `Channel ${channelId} was not found`);
  return channel;
}

/**
 * Adds (`replace` false) or replaces the channel's topics. Without `ignoreErrors` any rejected topic fails the
 * whole request (403 for a permission, 400 for an unknown topic) and nothing changes.
 */
function subscribe(call: OpenedCall, channel: Channel, body: unknown, replace: boolean, ignoreErrors: boolean): void {
  const parsed = topicsBodySchema.safeParse(body);
  if (!parsed.success) {
    const message = `Invalid request body: ${describeIssues(parsed.error).join('; ')}`;
    return call.exchange.fail(400, ERROR_CODES.badRequest, message);
  }
  const counters = call.org.buSchedules.counters;
  counters.subscriptionRequests++;
  const judged = parsed.data.map((topic) => judgeTopic(call, topic.id));
  const rejected = judged.filter((t) => t.state === 'Rejected');
  const permitted = judged.filter((t) => t.state === 'Permitted').map((t) => t.id);
  counters.topicsRejected += rejected.length;
  if (!ignoreErrors && rejected.length > 0) {
    const missing = rejected.find((t) => t.missingPermissions);
    if (missing?.missingPermissions) {
      return call.exchange.fail(
        403,
        ERROR_CODES.missingPermissions,
        missingPermissionsMessage(missing.missingPermissions),
      );
    }
    return call.exchange.fail(400, ERROR_CODES.badRequest, `Unknown topic ${rejected[0]!.id}`);
  }
  const next = new Set(replace ? permitted : [...channel.topics, ...permitted]);
  if (next.size > MAX_TOPICS_PER_CHANNEL) {
    const message = `A channel may have at most ${MAX_TOPICS_PER_CHANNEL} topics, this would make ${next.size}`;
    return call.exchange.fail(400, ERROR_CODES.badRequest, message);
  }
  counters.topicsPermitted += permitted.length;
  channel.topics = next;
  call.exchange.send(200, { entities: [...channelTopics(channel), ...rejected] });
}

/** Registers channel creation, subscriptions and the channel check. */
export function registerNotificationRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.post(CHANNELS_PATH, (request, reply) => {
    const call = openPlatformCall(state, request, reply, 'POST notifications/channels', []);
    if (!call) return;
    const channel = call.org.buSchedules.channels.create(call.clientId);
    const scheme = request.protocol === 'https' ? 'wss' : 'ws';
    call.exchange.send(200, {
      id: channel.id,
      connectUri: `${scheme}://${request.host}${CHANNELS_PREFIX}/${channel.id}`,
      expires: new Date(channel.expiresAt).toISOString(),
    });
  });

  app.head<ChannelRoute>(`${CHANNELS_PATH}/:channelId`, (request, reply) => {
    const call = openPlatformCall(state, request, reply, 'HEAD notifications/channels/{id}', []);
    if (!call) return;
    if (channelOf(call, request.params.channelId)) call.exchange.send(200, '');
  });

  const subscriptions = `${CHANNELS_PATH}/:channelId/subscriptions`;
  for (const [method, replace] of [
    ['POST', false],
    ['PUT', true],
  ] as const) {
    app.route<ChannelRoute>({
      method,
      url: subscriptions,
      handler: (request, reply) => {
        const call = openPlatformCall(state, request, reply, `${method} notifications/channels/{id}/subscriptions`, []);
        if (!call) return;
        const channel = channelOf(call, request.params.channelId);
        if (!channel) return;
        const json = parseJsonBody(request);
        if (!json.ok) return call.exchange.fail(400, ERROR_CODES.badRequest, 'The request body is not valid JSON');
        subscribe(call, channel, json.value, replace, queryFlag(request, 'ignoreErrors'));
      },
    });
  }

  app.get<ChannelRoute>(subscriptions, (request, reply) => {
    const call = openPlatformCall(state, request, reply, 'GET notifications/channels/{id}/subscriptions', []);
    if (!call) return;
    const channel = channelOf(call, request.params.channelId);
    if (channel) call.exchange.send(200, { entities: channelTopics(channel) });
  });

  app.delete<ChannelRoute>(subscriptions, (request, reply) => {
    const call = openPlatformCall(state, request, reply, 'DELETE notifications/channels/{id}/subscriptions', []);
    if (!call) return;
    const channel = channelOf(call, request.params.channelId);
    if (!channel) return;
    channel.topics = new Set();
    call.exchange.send(204, '');
  });
}
