import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { AdminRequestError, registerAdminRoutes } from './admin-routes';
import { AcceptBacklog } from './accept-backlog';
import { registerAssignmentRoutes } from './assignment-routes';
import { SimulatorConfigError, describeIssues } from './config';
import { ERROR_CODES } from './errors';
import { registerOAuthRoutes } from './oauth-routes';
import { sendPlatformError } from './put-exchange';
import { registerBuScheduleApi } from './schedules';
import { UnknownEntityError, type SimulatorState } from './state';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * When the request arrived (ms epoch): its head was read, before its body and handler; for the first request of
     * a connection that waited to be accepted, when the server's run of accepts began, if earlier (`accept-backlog.ts`).
     */
    arrivedAt: number;
  }
}

/** Largest request body read, bytes; far above 50 assignments with full notes. */
const BODY_LIMIT_BYTES = 8 * 1024 * 1024;

function isPlatformPath(url: string): boolean {
  return url.startsWith('/api/');
}

/** Status and message of an error thrown by a route. */
function describeError(error: unknown): { status: number; message: string; problems?: string[] } {
  if (error instanceof UnknownEntityError) return { status: 404, message: error.message };
  if (error instanceof AdminRequestError) return { status: error.statusCode, message: error.message };
  if (error instanceof ZodError)
    return { status: 400, message: 'invalid request body', problems: describeIssues(error) };
  if (error instanceof SimulatorConfigError) return { status: 400, message: error.message, problems: error.problems };
  const fastifyError = error as Partial<FastifyError>; // body-limit and parser errors carry a statusCode
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  return { status, message: fastifyError.message ?? 'internal error' };
}

/**
 * Builds the simulator's HTTP server (not listening yet). Bodies are read as raw text by one catch-all parser, so
 * each route decides when to parse them: the PUT must check token, scope and throttle before judging the body.
 */
export function buildServer(state: SimulatorState, shutdown: AbortSignal): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true });
  // Arrival is when the request's head was read, not when a busy server got round to its handler.
  const accepts = new AcceptBacklog(() => state.now());
  accepts.watch(app.server);
  app.decorateRequest('arrivedAt', 0);
  app.addHook('onRequest', (request, _reply, done) => {
    request.arrivedAt = accepts.arrival(request.raw.socket, state.now());
    done();
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  registerOAuthRoutes(app, state);
  registerAssignmentRoutes(app, state, shutdown);
  registerAdminRoutes(app, state);
  registerBuScheduleApi(app, state, shutdown);

  app.setNotFoundHandler((request, reply) => {
    const message = `No route for ${request.method} ${request.url}`;
    if (isPlatformPath(request.url)) return sendPlatformError(reply, 404, ERROR_CODES.notFound, message);
    return reply.code(404).send({ error: 'not_found', message });
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, message, problems } = describeError(error);
    if (isPlatformPath(request.url)) {
      const code =
        status === 413 ? ERROR_CODES.payloadTooLarge : status < 500 ? ERROR_CODES.badRequest : 'internal.server.error';
      return sendPlatformError(reply, status, code, message);
    }
    const kind = status === 404 ? 'not_found' : status < 500 ? 'bad_request' : 'internal_error';
    return reply.code(status).send({ error: kind, message, ...(problems ? { problems } : {}) });
  });
  return app;
}
