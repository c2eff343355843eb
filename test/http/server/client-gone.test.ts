/**
 * A client that goes away mid-response (closes its download, resets the connection, hangs up during
 * an upload) is its own choice, not a server fault: the default `onError` stays quiet, as node:http
 * does, and `request.end` says `clientGone`. A response that fails for a reason of its own still
 * warns. Real sockets, default error handling (no `onError` given), warnings caught on `process`.
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { NetError } from '../../../src/errors.js';
import { Response } from '../../../src/http/message/index.js';
import { type RequestEndMessage, serve } from '../../../src/http/server/index.js';
import { App, serveStatic } from '../../../src/index.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { RawClient, request } from '../../helpers/raw-client.js';
import { eventually, stable } from '../../helpers/wait.js';

const leaks = trackLeaks();

/** Larger than any socket buffer on loopback, so the server is still writing when the client resets. */
const BIG_BYTES = 64 * 1024 * 1024;

let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'wirekit-client-gone-'));
  writeFileSync(join(root, 'big.bin'), '');
  truncateSync(join(root, 'big.bin'), BIG_BYTES); // sparse: costs no disk
});

after(() => rmSync(root, { recursive: true, force: true }));

/** Collects process warnings and `request.end` messages until the test ends. */
function observe(): { warnings: Error[]; ends: RequestEndMessage[] } {
  const warnings: Error[] = [];
  const ends: RequestEndMessage[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning);
  };
  const onEnd = (message: unknown): void => {
    ends.push(message as RequestEndMessage);
  };
  process.on('warning', onWarning);
  diagnostics.subscribe('wirekit:http.server.request.end', onEnd);
  leaks.defer(() => {
    process.off('warning', onWarning);
    diagnostics.unsubscribe('wirekit:http.server.request.end', onEnd);
  });
  return { warnings, ends };
}

/** Warnings are emitted on the next tick: let that tick pass before looking. */
function afterWarnings(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function connect(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port);
  leaks.defer(() => client.destroy());
  return client;
}

test('a client that stops reading and resets mid-download: no warning, request.end says it went away', async () => {
  const seen = observe();
  let produced = 0;
  const server = await serve(
    () =>
      new Response(
        (async function* () {
          for (;;) {
            produced++;
            yield Buffer.alloc(64 * 1024, 'x');
          }
        })(),
      ),
    { port: 0 },
  );
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const client = await connect(server.address.port);
  await client.write(request('GET', '/download'));
  await client.until(() => client.text.length > 0, 'the first bytes');
  client.socket.pause();
  // The server now waits for the socket to drain: the reset arrives as ECONNRESET on that wait.
  await stable(() => produced);
  client.socket.resetAndDestroy();
  await eventually(() => seen.ends.length === 1, 'the request to end');
  await afterWarnings();
  assert.deepEqual(
    seen.warnings.map((w) => w.message),
    [],
  );
  const [end] = seen.ends;
  assert.equal(end?.status, 200);
  assert.equal(end?.bytes, -1, 'the response did not reach its end');
  assert.equal(end?.clientGone, true);
});

test('a client that resets while a static file streams: no warning', async () => {
  const seen = observe();
  const server = await new App().use(serveStatic(root)).listen({ port: 0 });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const client = await connect(server.address.port);
  await client.write(request('GET', '/big.bin'));
  await client.until(() => client.text.length > 64 * 1024, 'part of the file');
  client.socket.resetAndDestroy();
  await eventually(() => seen.ends.length === 1, 'the request to end');
  await afterWarnings();
  assert.deepEqual(
    seen.warnings.map((w) => w.message),
    [],
  );
  assert.equal(seen.ends[0]?.clientGone, true);
});

test('a client that hangs up during its upload: no warning from the server or the app', async () => {
  const seen = observe();
  let reading = 0;
  let failed = 0;
  const readBody = async (read: () => Promise<string>): Promise<string> => {
    reading++;
    try {
      return await read();
    } catch (error) {
      failed++;
      throw error;
    }
  };
  const plain = await serve(async (req) => new Response(await readBody(() => req.text())), { port: 0 });
  leaks.defer(() => plain.close({ timeoutMs: 0 }));
  const app = new App();
  app.post('/upload', async (c) => c.text(await readBody(() => c.req.text())));
  const framework = await app.listen({ port: 0 });
  leaks.defer(() => framework.close({ timeoutMs: 0 }));
  for (const [i, port] of [plain.address.port, framework.address.port].entries()) {
    const client = await connect(port);
    await client.write(request('POST', '/upload', ['Content-Length: 100000'], 'the first part'));
    await eventually(() => reading === i + 1, 'the handler to read the body');
    client.socket.resetAndDestroy();
  }
  await eventually(() => failed === 2, 'both body reads to fail');
  await eventually(() => plain.connections === 0 && framework.connections === 0, 'both connections to close');
  await afterWarnings();
  assert.deepEqual(
    seen.warnings.map((w) => w.message),
    [],
  );
});

for (const [what, failure] of [
  ['a plain error', () => new Error('the disk failed')],
  // Looks like a client hang-up, but it is the body's own upstream that reset: still our fault.
  [
    "an upstream's reset (WK_ERR_SOCKET, ECONNRESET)",
    () =>
      new NetError('WK_ERR_SOCKET', 'the disk failed', {
        cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      }),
  ],
] as const) {
  test(`a response body that fails on its own (${what}), with the client still there, still warns`, async () => {
    const seen = observe();
    const server = await serve(
      () =>
        new Response(
          (async function* () {
            yield Buffer.from('first part\n');
            throw failure();
          })(),
        ),
      { port: 0 },
    );
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const client = await connect(server.address.port);
    await client.write(request('GET', '/'));
    await client.waitEnded();
    await eventually(() => seen.ends.length === 1, 'the request to end');
    await afterWarnings();
    assert.deepEqual(
      seen.warnings.map((w) => w.message),
      ['the disk failed'],
    );
    assert.equal(seen.ends[0]?.clientGone, false);
  });
}
