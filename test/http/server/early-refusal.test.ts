/**
 * Over a real socket: input that is already certainly invalid is answered (with its status, then
 * the close) as soon as its bytes are in, not when the head timeout fires, as llhttp-based
 * node:http does. The head timeout here is a minute: a test that waited for it would time out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { saysClose } from '../../helpers/response-reader.js';

const leaks = trackLeaks();

const CASES: [name: string, bytes: string, status: number][] = [
  ['an unsupported version before the end of the request line', 'GET / HTTP/5.6', 505],
  ['a bare CR after the last field', 'PUT /url HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\rabc', 400],
  ['a bare CR in a chunk-size line', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\rabc', 400],
];

for (const [name, bytes, status] of CASES) {
  test(`${name} → ${status} at once`, async () => {
    const server = await startServer(leaks, async (req) => new Response(await req.text()), {
      headerTimeoutMs: 60_000,
      requestTimeoutMs: 60_000,
    });
    const client = await server.client();
    await client.write(bytes);
    await client.waitEnded();
    const responses = client.finals();
    assert.equal(responses.length, 1, client.text);
    assert.equal(responses[0]?.status, status);
    assert.ok(saysClose(responses[0]!));
  });
}
