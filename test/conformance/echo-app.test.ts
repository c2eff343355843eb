/**
 * The echo app as outside tools start it (docs/architecture.md, Apps that outside tools start): `node dist/test/conformance/echo-app.js`
 * with PORT=0 prints its URL, answers a request with the echo JSON, answers a malformed one with
 * 400 and a close, honours HEADER_TIMEOUT_MS, and exits on SIGTERM.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { trackLeaks } from '../helpers/leaks.js';
import { DIST_DIR } from '../helpers/paths.js';
import { RawClient } from '../helpers/raw-client.js';
import { bodyText, saysClose } from '../helpers/response-reader.js';
import type { EchoBody } from './echo-handler.js';

const leaks = trackLeaks();
let child: ChildProcess;
let port = 0;

before(async () => {
  child = spawn(process.execPath, [join(DIST_DIR, 'test/conformance/echo-app.js')], {
    env: { ...process.env, PORT: '0', HEADER_TIMEOUT_MS: '500' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`echo app exited with ${code} before listening: ${out}`)));
  });
  port = Number(new URL(url).port);
});

after(async () => {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  // A graceful stop that hangs must fail the test below, not hang the whole run.
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
});

async function client(): Promise<RawClient> {
  const c = await RawClient.connect(port);
  leaks.defer(() => c.destroy());
  return c;
}

test('a request gets the echo JSON of docs/architecture.md, Apps that outside tools start', async () => {
  const c = await client();
  await c.write('POST /a?b=1 HTTP/1.1\r\nHost: x\r\nX-Thing:  padded \r\nContent-Length: 5\r\n\r\nhello');
  const [response] = await c.read(1);
  assert.equal(response?.status, 200);
  const echo = JSON.parse(bodyText(response!)) as EchoBody;
  assert.deepEqual(echo, {
    method: 'POST',
    target: '/a?b=1',
    version: '1.1',
    headers: [
      ['Host', 'x'],
      ['X-Thing', 'padded'],
      ['Content-Length', '5'],
    ],
    body: Buffer.from('hello').toString('base64'),
    trailers: [],
  });
});

test('a malformed request gets 400 and the connection is closed', async () => {
  const c = await client();
  await c.write('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
  const [response] = await c.read(1);
  assert.equal(response?.status, 400);
  assert.ok(saysClose(response!));
  await c.waitEnded();
});

test('HEADER_TIMEOUT_MS cuts an unfinished head with 408', async () => {
  const c = await client();
  await c.write('GET / HTTP/1.1\r\nHost: x\r\n');
  const [response] = await c.read(1);
  assert.equal(response?.status, 408);
  await c.waitEnded();
});
