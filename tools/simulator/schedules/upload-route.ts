/**
 * `PUT /__uploads/{key}`: the object store behind an upload URL. Not a platform API call (no bearer token, no
 * throttle, not in the request log); answers like a pre-signed object-store URL (XML errors, 403 for a bad
 * signature, an expired URL or a signed header missing). Unlike a real object store it also checks the body —
 * declared length, gzip, JSON, `UpdateScheduleUploadSchema` — and refuses a bad one with 400 naming what is wrong,
 * so a writer's mistake shows here instead of as a reasonless `Error` event later. A second PUT replaces the body.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { describeIssues } from '../config';
import type { SimulatorState } from '../state';
import { updateScheduleUploadSchema } from './model';
import type { BuScheduleRuntime } from './runtime';
import { countReason, type UploadRefusal } from './stats';
import { UPLOAD_HEADERS, UPLOADS_PREFIX, type UploadTicket } from './uploads';

const gunzipAsync = promisify(gunzip);

/** Largest JSON a gzip body may expand to (a guard against gzip bombs). */
const MAX_INFLATED_BYTES = 512 * 1024 * 1024;

interface UploadRoute {
  Params: { key: string };
  Querystring: Record<string, string | string[] | undefined>;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An object-store style error answer. */
function sendStoreError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
  return reply.code(status).header('content-type', 'application/xml').send(xml);
}

/** Reads the body, keeping at most `limit` bytes; the rest is drained so the answer can still be sent. */
async function readBody(stream: Readable | undefined, limit: number): Promise<{ bytes: Buffer; total: number }> {
  const chunks: Buffer[] = [];
  let total = 0;
  if (!stream) return { bytes: Buffer.alloc(0), total };
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    if (total + buffer.length <= limit) chunks.push(buffer);
    total += buffer.length;
  }
  return { bytes: Buffer.concat(chunks), total };
}

/** The org and ticket of an upload key, searched across orgs (the URL names no org). */
function findTicket(
  state: SimulatorState,
  key: string,
): { runtime: BuScheduleRuntime; ticket: UploadTicket } | undefined {
  for (const org of state.allOrgs()) {
    const ticket = org.buSchedules.uploads.get(key);
    if (ticket) return { runtime: org.buSchedules, ticket };
  }
  return undefined;
}

/** Checks the PUT's body; returns the refusal or the parsed upload. */
async function checkBody(
  ticket: UploadTicket,
  stream: Readable | undefined,
): Promise<
  { refusal: UploadRefusal; message: string } | { upload: ReturnType<typeof updateScheduleUploadSchema.parse> }
> {
  const { bytes, total } = await readBody(stream, ticket.contentLengthBytes);
  if (total !== ticket.contentLengthBytes) {
    return {
      refusal: 'wrong-length',
      message: `The body has ${total} bytes but contentLengthBytes was declared as ${ticket.contentLengthBytes}`,
    };
  }
  let json: string;
  try {
    json = (await gunzipAsync(bytes, { maxOutputLength: MAX_INFLATED_BYTES })).toString('utf8');
  } catch (error) {
    return { refusal: 'not-gzip', message: `The body is not valid gzip: ${(error as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { refusal: 'not-json', message: `The gunzipped body is not JSON: ${(error as Error).message}` };
  }
  const parsed = updateScheduleUploadSchema.safeParse(value);
  if (!parsed.success) {
    return {
      refusal: 'invalid-body',
      message: `The body is not an UpdateScheduleUploadSchema: ${describeIssues(parsed.error).join('; ')}`,
    };
  }
  return { upload: parsed.data };
}

/** Registers the upload URL's PUT in its own scope, where bodies arrive as streams (gzip bytes, any type). */
export function registerUploadRoute(app: FastifyInstance, state: SimulatorState): void {
  void app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, parsed) => parsed(null, payload));

    scope.put<UploadRoute>(`${UPLOADS_PREFIX}/:key`, async (request, reply) => {
      const found = findTicket(state, request.params.key);
      const signatureRefused = 'The request signature we calculated does not match the signature you provided.';
      if (!found) return sendStoreError(reply, 403, 'SignatureDoesNotMatch', signatureRefused);
      const { runtime, ticket } = found;
      const refuse = (status: number, reason: UploadRefusal, code: string, message: string) => {
        runtime.counters.uploadsRefused++;
        countReason(runtime.counters.uploadRefusalReasons, reason);
        return sendStoreError(reply, status, code, message);
      };
      if (!runtime.uploads.verify(ticket, request.query.expires, request.query.signature)) {
        return refuse(403, 'bad-signature', 'SignatureDoesNotMatch', signatureRefused);
      }
      if (state.now() >= ticket.expiresAt) return refuse(403, 'expired', 'AccessDenied', 'Request has expired');
      for (const [name, value] of Object.entries(UPLOAD_HEADERS)) {
        const given = request.headers[name.toLowerCase()];
        if (given !== value) {
          const message = `The signed header ${name} must be "${value}", got ${given === undefined ? 'none' : `"${String(given)}"`}`;
          return refuse(403, 'missing-header', 'SignatureDoesNotMatch', message);
        }
      }
      const checked = await checkBody(ticket, request.body as Readable | undefined);
      if ('refusal' in checked) {
        const code = checked.refusal === 'wrong-length' ? 'IncompleteBody' : 'InvalidRequest';
        return refuse(400, checked.refusal, code, checked.message);
      }
      // Like an object store the URL takes the PUT even after the key was spent; the body is then of no use.
      if (ticket.usedAt === undefined) ticket.body = checked.upload;
      ticket.uploadedAt = state.now();
      runtime.counters.uploadsAccepted++;
      const delayMs = runtime.settings.faults.uploadAnswerDelayMs;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const etag = createHash('md5').update(JSON.stringify(checked.upload)).digest('hex');
      return reply.code(200).header('etag', `"${etag}"`).send();
    });
    done();
  });
}
