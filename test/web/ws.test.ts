/**
 * `app.ws()`: routed like any route (params, app and route middleware first, so auth may answer
 * 401 instead of upgrading and `c.var` reaches `ws.data`), fields set by middleware in the 101, 426
 * for a plain GET, `app.publish`, `server.close()` sending 1001, and `app.connect()` in process.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { App } from '../../src/web/app.js';
import type { Middleware } from '../../src/web/compose.js';
import { UnauthorizedError } from '../../src/web/http-error.js';
import type { WebSocketConnection } from '../../src/ws/connection.js';
import { WebSocketHandshakeError } from '../../src/ws/handshake-error.js';
import { trackLeaks } from '../helpers/leaks.js';
import { RawClient } from '../helpers/raw-client.js';
import { eventually } from '../helpers/wait.js';
import { peer, upgradeRequest } from '../ws/helpers.js';

const leaks = trackLeaks();

type Vars = { user: string };

/** Lets through requests with `authorization: Bearer <name>`, as `c.var.user`. */
const auth: Middleware<Vars> = async (c, next) => {
  const token = c.req.header('authorization')?.replace(/^Bearer /, '');
  if (!token) throw new UnauthorizedError('who are you?', { headers: { 'WWW-Authenticate': 'Bearer' } });
  c.set('user', token);
  await next();
};

function chatApp() {
  const app = new App<Vars>();
  const seen: string[] = [];
  app.use(async (c, next) => {
    seen.push(`mw ${c.req.path}`);
    c.header('X-Request-Id', 'r-1');
    await next();
  });
  app.ws('/chat/:room', auth, {
    upgrade: (c) => ({ user: c.var.user, room: c.req.param('room') ?? '' }),
    open: (ws) => {
      ws.subscribe(ws.data.room);
      ws.sendNow(`welcome ${ws.data.user} to ${ws.data.room}`);
    },
    message: (ws, text) => {
      ws.publish(ws.data.room, `${ws.data.user}: ${text}`);
    },
    close: (ws, code) => {
      seen.push(`close ${ws.data.user} ${code}`);
    },
  });
  app.get('/', (c) => c.text('home'));
  return { app, seen };
}

async function listen(app: App<Vars>) {
  const server = await app.listen({ port: 0 });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  return { server, base: `ws://127.0.0.1:${server.address.port}` };
}

describe('app.ws over a socket', () => {
  test('middleware runs first: no token is a 401 with its fields, never an upgrade', async () => {
    const { app, seen } = chatApp();
    const { base } = await listen(app);
    const refused = new WebSocket(`${base}/chat/1`);
    leaks.defer(() => refused.terminate());
    const status = await new Promise<number | undefined>((resolve) => {
      refused.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      refused.on('open', () => resolve(undefined));
      refused.on('error', () => {});
    });
    assert.equal(status, 401);
    assert.deepEqual(seen, ['mw /chat/1']);
    assert.equal(app.webSockets.size, 0);
  });

  test('with a token: ws.data from c.var and the params, fields set by middleware in the 101', async () => {
    const { app } = chatApp();
    const { server, base } = await listen(app);
    const client = await RawClient.connect(server.address.port);
    leaks.defer(() => client.destroy());
    await client.write(upgradeRequest('/chat/lobby', ['Authorization: Bearer ada']));
    await client.until(() => client.text.includes('welcome'), 'the welcome message');
    assert.match(client.text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(client.text, /\r\nX-Request-Id: r-1\r\n/);
    assert.match(client.text, /welcome ada to lobby/);
    const other = await peer(leaks, `${base}/chat/lobby`, { headers: { authorization: 'Bearer bob' } });
    assert.equal((await other.message(1)).data.toString(), 'welcome bob to lobby');
  });

  test('a plain GET to a ws route is a 426 with Upgrade: websocket; other routes are untouched', async () => {
    const { app } = chatApp();
    const res = await app.request('/chat/1', { headers: { authorization: 'Bearer ada' } });
    assert.equal(res.status, 426);
    assert.equal(res.headers.get('upgrade'), 'websocket');
    assert.equal((await app.request('/')).status, 200);
  });

  test('app.publish and server.close(): 1001 to every WebSocket, close handlers run', async () => {
    const { app, seen } = chatApp();
    const { server, base } = await listen(app);
    const a = await peer(leaks, `${base}/chat/x`, { headers: { authorization: 'Bearer a' } });
    const b = await peer(leaks, `${base}/chat/x`, { headers: { authorization: 'Bearer b' } });
    await eventually(() => app.webSockets.size === 2, 'both open');
    assert.equal(app.publish('x', 'news'), 2);
    assert.equal((await a.message(2)).data.toString(), 'news');
    assert.equal((await b.message(2)).data.toString(), 'news');
    await server.close({ timeoutMs: 10_000 });
    assert.equal((await a.closed).code, 1001);
    assert.equal((await b.closed).code, 1001);
    assert.deepEqual(seen.filter((s) => s.startsWith('close')).sort(), ['close a 1001', 'close b 1001']);
  });
});

describe('app.connect() in process', () => {
  test('the same middleware and handlers, send, for await and the close code, no port', async () => {
    const { app } = chatApp();
    const ada = await app.connect('/chat/9', { headers: { authorization: 'Bearer ada' } });
    const bob = await app.connect('/chat/9', { headers: { authorization: 'Bearer bob' } });
    const received: string[] = [];
    const reading = (async () => {
      for await (const message of ada) received.push(String(message));
    })();
    await bob.send('hi there');
    await eventually(() => received.length === 2, 'two messages');
    assert.deepEqual(received, ['welcome ada to 9', 'bob: hi there']);
    ada.close(4000, 'leaving');
    await reading;
    assert.deepEqual(await ada.closed, { code: 4000, reason: 'leaving' });
    assert.equal(ada.closeCode, 4000);
    bob.close();
    await bob.closed;
  });

  test('a refused upgrade rejects with the HTTP answer', async () => {
    const { app } = chatApp();
    const error = await app.connect('/chat/1').catch((e: unknown) => e);
    assert.ok(error instanceof WebSocketHandshakeError);
    assert.equal(error.code, 'WK_ERR_WS_HANDSHAKE');
    assert.equal(error.status, 401);
    assert.equal(error.response?.headers.get('www-authenticate'), 'Bearer');
    const missing = await app.connect('/nowhere').catch((e: unknown) => e);
    assert.equal((missing as WebSocketHandshakeError).status, 404);
  });

  test('echo with permessage-deflate and a subprotocol, in process', async () => {
    const app = new App();
    const servers: WebSocketConnection[] = [];
    app.ws('/echo', {
      perMessageDeflate: { thresholdBytes: 0 },
      protocol: (offered) => offered[0],
      open: (ws) => void servers.push(ws as WebSocketConnection),
      message: (ws, data) => void ws.send(data),
    });
    const ws = await app.connect('/echo', { perMessageDeflate: true, protocols: ['v1', 'v2'] });
    assert.equal(ws.protocol, 'v1');
    assert.match(ws.extensions, /^permessage-deflate/);
    const text = 'squeeze '.repeat(1000);
    ws.sendNow(text);
    ws.sendNow(Buffer.from([1, 2, 3]));
    const got: (string | Buffer)[] = [];
    for await (const message of ws) {
      got.push(message);
      if (got.length === 2) break;
    }
    assert.equal(got[0], text);
    assert.deepEqual([...(got[1] as Buffer)], [1, 2, 3]);
    assert.ok((servers[0] as WebSocketConnection).bytesReceived < text.length / 4, 'compressed in process too');
    ws.close();
    assert.equal((await ws.closed).code, 1000);
  });

  test('a ws route mounted from a sub-app answers, and the parent publishes to it', async () => {
    const sub = new App();
    sub.ws('/live', { open: (ws) => ws.subscribe('ticks') });
    const app = new App();
    app.route('/api', sub);
    const ws = await app.connect('/api/live');
    await eventually(() => app.webSockets.size === 1, 'open');
    assert.equal(app.publish('ticks', 'tick'), 1);
    const iterator = ws[Symbol.asyncIterator]();
    assert.deepEqual(await iterator.next(), { done: false, value: 'tick' });
    ws.close();
    await ws.closed;
  });
});

test('app.ws refuses an unknown key of its route at registration', () => {
  const app = new App();
  assert.throws(() => app.ws('/x', { onMessage() {} } as never), /unknown option "onMessage" for app\.ws\(\)/);
});
