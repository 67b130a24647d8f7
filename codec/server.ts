/**
 * A codec server: Temporal's remote codec protocol (`POST /encode`, `POST /decode`, `{ payloads: [...] }`) over
 * this project's payload codec, so the Web UI (or `temporal workflow show --codec-endpoint`) shows decrypted
 * payloads to whoever can reach it. Whoever can reach it can decrypt: it listens on loopback unless a bearer
 * token guards it.
 *
 * `npm run codec-server -- [--port 8888] [--host 127.0.0.1] [--ui-origin <origin>]…`, keys from
 * `WFM_CODEC_KEYS` or `WFM_CODEC_KEYS_FILE`, token from `WFM_CODEC_SERVER_TOKEN`, origins also from
 * `WFM_CODEC_UI_ORIGINS` (comma-separated).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { PayloadCodec } from '@temporalio/common';
import { ENV } from '../config/environment';
import { CodecError } from './codec-error';
import { AesGcmCodec } from './aes-gcm-codec';
import { codecKeysFromEnv, KEYS_FILE_VARIABLE, KEYS_VARIABLE } from './keys';
import { payloadFromJson, payloadsBodySchema, payloadToJson } from './payload-json';

/** The dev server's Web UI, by both of the names it is reached under. */
export const DEFAULT_UI_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];
export const TOKEN_VARIABLE = ENV.WFM_CODEC_SERVER_TOKEN;
export const UI_ORIGINS_VARIABLE = ENV.WFM_CODEC_UI_ORIGINS;

/** A history page of payloads fits easily; anything bigger is not a Web UI request. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Default 8888; 0 for a free one. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Browser origins allowed to call (the Web UI's); default {@link DEFAULT_UI_ORIGINS}. */
  uiOrigins?: readonly string[];
  /** When set, every request but a CORS preflight must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Where request failures are reported (never payload contents); default console.error. */
  log?: (line: string) => void;
}

export interface CodecServer {
  /** `http://host:port`, the value for `--ui-codec-endpoint`. */
  url: string;
  close(): Promise<void>;
}

/** Starts the server; resolves once it listens. */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const uiOrigins = new Set(options.uiOrigins ?? DEFAULT_UI_ORIGINS);
  const log = options.log ?? ((line: string) => console.error(line));
  const server = http.createServer((request, response) => {
    handle(request, response, { codec: options.codec, uiOrigins, token: options.token }).catch((error: unknown) => {
      log(`codec server: ${request.method} ${request.url}: ${(error as Error).message}`);
      if (!response.headersSent) reply(response, error instanceof RequestError ? error.status : 500, error);
      else response.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8888, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A failure the caller caused; its message is returned to them. */
class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  options: { codec: PayloadCodec; uiOrigins: Set<string>; token: string | undefined },
): Promise<void> {
  const origin = request.headers.origin;
  // A browser always sends Origin on a POST; a page of another origin is refused outright, not merely unreadable.
  if (origin !== undefined) {
    if (!options.uiOrigins.has(origin)) throw new RequestError(403, `origin ${origin} is not allowed`);
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Access-Control-Allow-Credentials', 'true');
    response.setHeader('Vary', 'Origin');
  }
  if (request.method === 'OPTIONS') {
    // Preflights carry no credentials, so they are answered before the token check.
    response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    response.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    response.setHeader('Access-Control-Max-Age', '600');
    // Chrome asks before a public page (Temporal Cloud's UI) may call a server on the user's own machine.
    if (request.headers['access-control-request-private-network'] === 'true')
      response.setHeader('Access-Control-Allow-Private-Network', 'true');
    response.writeHead(204).end();
    return;
  }
  const path = new URL(request.url ?? '/', 'http://codec').pathname;
  if (path !== '/encode' && path !== '/decode') throw new RequestError(404, `no ${path} here: POST /encode or /decode`);
  if (request.method !== 'POST') throw new RequestError(405, `${request.method} ${path}: only POST`);
  if (options.token !== undefined && !bearerMatches(request.headers.authorization, options.token)) {
    response.setHeader('WWW-Authenticate', 'Bearer');
    throw new RequestError(401, 'missing or wrong bearer token');
  }

  const parsed = payloadsBodySchema.safeParse(parseJson(await readBody(request)));
  if (!parsed.success) throw new RequestError(400, 'the body must be {"payloads": [{"metadata": {…}, "data": "…"}]}');
  const payloads = parsed.data.payloads.map(payloadFromJson);
  let result;
  try {
    result = path === '/encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
  } catch (error) {
    if (error instanceof CodecError) throw new RequestError(400, error.message);
    throw error;
  }
  reply(response, 200, { payloads: result.map(payloadToJson) });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const json = body instanceof Error ? { message: status === 500 ? 'internal error' : body.message } : body;
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
}

/** Compares digests, so the comparison takes the same time whatever the guess. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RequestError(413, `body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestError(400, 'the body is not JSON');
  }
}

/** `npm run codec-server`: keys, token and origins from the environment and the command line. */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8888' },
      host: { type: 'string', default: '127.0.0.1' },
      'ui-origin': { type: 'string', multiple: true },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}: not a port`);
  const keys = codecKeysFromEnv(env);
  if (!keys) throw new Error(`the codec server needs the keys: set ${KEYS_VARIABLE} or ${KEYS_FILE_VARIABLE}`);
  const token = env[TOKEN_VARIABLE] || undefined;
  if (!token && !isLoopback(values.host))
    throw new Error(
      `listening on ${values.host} without ${TOKEN_VARIABLE} would let anyone who reaches it decrypt payloads; ` +
        'set the token, or listen on 127.0.0.1 behind a proxy that authenticates',
    );
  const uiOrigins =
    values['ui-origin'] ?? env[UI_ORIGINS_VARIABLE]?.split(',').map((origin) => origin.trim()) ?? DEFAULT_UI_ORIGINS;
  const server = await startCodecServer({ codec: new AesGcmCodec(keys), port, host: values.host, uiOrigins, token });
  console.log(
    `codec server on ${server.url} (keys ${keys.map((key) => key.id).join(', ')}; encrypting with ${keys[0]!.id}), ` +
      `for ${uiOrigins.join(', ')}${token ? ', bearer token required' : ''}`,
  );
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).catch((error: unknown) => {
    console.error(`codec server: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  });
}
