/**
 * trustProxy over real sockets: the App's `c.req.ip/protocol/host`, `clientIp()`, the rate
 * limiter's key and the access log's address follow a trusted proxy's fields, and a client on an
 * untrusted address (127.0.0.2: another loopback address, so another peer) cannot spoof them.
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { clientOf } from '../../src/http/message/forwarded.js';
import { Response } from '../../src/http/message/response.js';
import { serve } from '../../src/http/server/index.js';
import { App, type AppOptions } from '../../src/web/app.js';
import { clientIp } from '../../src/web/client-ip.js';
import type { ListenOptions } from '../../src/web/listen.js';
import { ACCESS_CHANNEL } from '../../src/web/middleware/access-log/event.js';
import { type AccessEvent, accessLog, rateLimit } from '../../src/web/middleware/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { readResponses } from '../helpers/response-reader.js';

const leaks = trackLeaks();

/** One request from `localAddress` on a fresh connection; the response body as JSON. */
async function ask(port: number, localAddress: string, fields: string[]): Promise<{ status: number; body: string }> {
  const socket: Socket = connect({ port, host: '127.0.0.1', localAddress });
  leaks.defer(() => socket.destroy());
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.end(['GET / HTTP/1.1', 'Host: app.internal', 'Connection: close', ...fields, '', ''].join('\r\n'));
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const [response] = readResponses(Buffer.concat(chunks), { eof: true }).responses;
  assert.ok(response !== undefined, 'a response');
  return { status: response.status, body: response.body.toString() };
}

async function listen(app: App, options: ListenOptions = {}): Promise<number> {
  const server = await app.listen({ port: 0, host: '127.0.0.1', ...options });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  return server.address.port;
}

function whoApp(options: AppOptions = {}): App {
  const app = new App(options);
  app.get('/', (c) => c.json({ ip: c.req.ip, clientIp: clientIp(c), protocol: c.req.protocol, host: c.req.host }));
  return app;
}

const SPOOF = ['X-Forwarded-For: 6.6.6.6', 'X-Forwarded-Proto: https', 'X-Forwarded-Host: evil.test'];

describe('trustProxy on a real socket', () => {
  test('App option: the trusted proxy (127.0.0.1) is believed, another peer (127.0.0.2) is not', async () => {
    const port = await listen(whoApp({ trustProxy: '127.0.0.1' }));
    const viaProxy = JSON.parse((await ask(port, '127.0.0.1', SPOOF)).body);
    assert.deepEqual(viaProxy, { ip: '6.6.6.6', clientIp: '6.6.6.6', protocol: 'https', host: 'evil.test' });
    const direct = JSON.parse((await ask(port, '127.0.0.2', SPOOF)).body);
    assert.deepEqual(direct, { ip: '127.0.0.2', clientIp: '127.0.0.2', protocol: 'http', host: 'app.internal' });
  });

  test('server option (app.listen({ trustProxy })) applies unless the App sets its own', async () => {
    const port = await listen(whoApp(), { trustProxy: 'loopback' });
    assert.equal(JSON.parse((await ask(port, '127.0.0.2', SPOOF)).body).ip, '6.6.6.6');
    const own = await listen(whoApp({ trustProxy: false }), { trustProxy: 'loopback' });
    assert.equal(JSON.parse((await ask(own, '127.0.0.2', SPOOF)).body).ip, '127.0.0.2');
  });

  test('without trustProxy nothing is believed', async () => {
    const port = await listen(whoApp());
    assert.equal(JSON.parse((await ask(port, '127.0.0.1', SPOOF)).body).ip, '127.0.0.1');
  });

  test('bare serve(): clientOf(request, info)', async () => {
    const server = await serve((req, info) => Response.json(clientOf(req, info)), {
      port: 0,
      trustProxy: { proxies: '127.0.0.1', header: 'forwarded' },
    });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const fields = ['Forwarded: for="[2001:db8::7]:1234";proto=https;host=shop.example'];
    const trusted = JSON.parse((await ask(server.address.port, '127.0.0.1', fields)).body);
    assert.deepEqual(trusted, { ip: '2001:db8::7', protocol: 'https', host: 'shop.example', forwarded: true });
    const untrusted = JSON.parse((await ask(server.address.port, '127.0.0.2', fields)).body);
    assert.equal(untrusted.ip, '127.0.0.2');
  });

  test('the rate limiter keys on the forwarded client; an untrusted spoofer cannot escape its limit', async () => {
    const app = new App({ trustProxy: '127.0.0.1' });
    app.use(rateLimit({ windowMs: 60_000, limit: 2 }));
    app.get('/', (c) => c.text('ok'));
    const port = await listen(app);
    // Behind the proxy, two clients have two budgets.
    for (const client of ['192.0.2.1', '192.0.2.1', '192.0.2.2', '192.0.2.2']) {
      assert.equal((await ask(port, '127.0.0.1', [`X-Forwarded-For: ${client}`])).status, 200, client);
    }
    assert.equal((await ask(port, '127.0.0.1', ['X-Forwarded-For: 192.0.2.1'])).status, 429);
    // From an untrusted peer, a new X-Forwarded-For each time changes nothing: its own address counts.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await ask(port, '127.0.0.2', [`X-Forwarded-For: 198.51.100.${i}`])).status);
    assert.deepEqual(statuses, [200, 200, 429, 429]);
  });

  test("the access log's address is the forwarded client", async () => {
    const events: AccessEvent[] = [];
    const listener = (event: unknown) => events.push(event as AccessEvent);
    diagnostics.subscribe(ACCESS_CHANNEL, listener);
    leaks.defer(() => diagnostics.unsubscribe(ACCESS_CHANNEL, listener));
    const app = new App({ trustProxy: 'loopback' });
    app.use(accessLog());
    app.get('/', (c) => c.text('ok'));
    const port = await listen(app);
    await ask(port, '127.0.0.1', ['X-Forwarded-For: 203.0.113.77']);
    assert.equal(events.at(-1)?.remoteAddress, '203.0.113.77');
  });
});
