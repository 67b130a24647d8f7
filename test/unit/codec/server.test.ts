import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmCodec } from '../../../codec/aes-gcm-codec';
import { payloadFromJson, payloadToJson, type JsonPayload } from '../../../codec/payload-json';
import { startCodecServer, type CodecServer } from '../../../codec/server';

const codec = new AesGcmCodec([{ id: 'k1', key: randomBytes(32) }]);
const UI = 'http://localhost:8233';
const TOKEN = 'codec-test-token';

describe('codec server', () => {
  let open: CodecServer;
  let guarded: CodecServer;
  const logged: string[] = [];
  beforeAll(async () => {
    const log = (line: string) => logged.push(line);
    open = await startCodecServer({ codec, port: 0, log });
    guarded = await startCodecServer({ codec, port: 0, token: TOKEN, uiOrigins: [UI], log });
  });
  afterAll(() => Promise.all([open?.close(), guarded?.close()]));

  const post = (server: CodecServer, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(server.url + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const payloadsOf = async (response: Response) => ((await response.json()) as { payloads: JsonPayload[] }).payloads;

  it('encodes and decodes in the remote codec protocol (base64 data and metadata values)', async () => {
    const plain = [defaultPayloadConverter.toPayload({ userId: 'codec-user-1' }), defaultPayloadConverter.toPayload(7)];
    const encodeResponse = await post(open, '/encode', { payloads: plain.map(payloadToJson) });
    expect(encodeResponse.status).toBe(200);
    const encoded = await payloadsOf(encodeResponse);
    expect(encoded).toHaveLength(2);
    expect(Buffer.from(encoded[0]!.metadata!.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(encoded[0]!.metadata!['encryption-key-id']!, 'base64').toString()).toBe('k1');

    const decoded = await payloadsOf(await post(open, '/decode', { payloads: encoded }));
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(payloadFromJson(p)))).toEqual([
      { userId: 'codec-user-1' },
      7,
    ]);
    // What the Web UI sends for a payload that was never encrypted comes back unchanged.
    const plainJson = plain.map(payloadToJson);
    expect(await payloadsOf(await post(open, '/decode', { payloads: plainJson }))).toEqual(plainJson);
  });

  it('answers the Web UI’s CORS preflight and allows its origin, with credentials', async () => {
    const preflight = await fetch(`${guarded.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        Origin: UI,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-namespace,authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Content-Type, X-Namespace, Authorization');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');

    const decoded = await post(guarded, '/decode', { payloads: [] }, { Origin: UI, Authorization: `Bearer ${TOKEN}` });
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(UI);

    // The default origins are the dev server's UI under both names.
    const byIp = await post(open, '/decode', { payloads: [] }, { Origin: 'http://127.0.0.1:8233' });
    expect(byIp.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
  });

  it('refuses other origins, a missing or wrong token, and malformed requests', async () => {
    const other = await fetch(`${guarded.url}/decode`, { method: 'OPTIONS', headers: { Origin: 'https://evil.test' } });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect((await post(open, '/decode', { payloads: [] }, { Origin: 'https://evil.test' })).status).toBe(403);

    const encoded = (await codec.encode([defaultPayloadConverter.toPayload('secret')])).map(payloadToJson);
    const attempts: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong' }, { Authorization: TOKEN }];
    for (const headers of attempts) {
      const response = await post(guarded, '/decode', { payloads: encoded }, headers);
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain(encoded[0]!.data);
    }
    expect((await post(guarded, '/decode', { payloads: [] }, { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);

    expect((await post(open, '/decode', 'not json')).status).toBe(400);
    expect((await post(open, '/decode', { payloads: [{ data: 42 }] })).status).toBe(400);
    expect((await post(open, '/other', { payloads: [] })).status).toBe(404);
    expect((await fetch(`${open.url}/decode`)).status).toBe(405);
  });

  it('says why a payload cannot be decoded (unknown key id) without leaking anything else', async () => {
    const foreign = await new AesGcmCodec([{ id: 'k9', key: randomBytes(32) }]).encode([
      defaultPayloadConverter.toPayload('x'),
    ]);
    const response = await post(open, '/decode', { payloads: foreign.map(payloadToJson) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/key id "k9", which is not among/);
    expect(logged.join('\n')).toMatch(/POST \/decode: a payload is encrypted with key id "k9"/);
  });
});
