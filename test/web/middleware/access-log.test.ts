/** accessLog: one event per request on `wirekit:web.access`, errors included; formatAccessLine. */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { App } from '../../../src/web/app.js';
import { HttpError } from '../../../src/web/http-error.js';
import {
  ACCESS_CHANNEL,
  type AccessEvent,
  accessLog,
  formatAccessLine,
  requestId,
} from '../../../src/web/middleware/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { eventually } from '../../helpers/wait.js';

const leaks = trackLeaks();
let events: AccessEvent[] = [];
const collect = (event: unknown): void => {
  events.push(event as AccessEvent);
};

beforeEach(() => {
  events = [];
  diagnostics.subscribe(ACCESS_CHANNEL, collect);
});
afterEach(() => {
  diagnostics.unsubscribe(ACCESS_CHANNEL, collect);
});

function logApp(): App {
  const app = new App();
  app.use(accessLog({ skip: (c) => c.req.path === '/health' }));
  app.use(requestId({ generator: () => 'rid-1' }));
  app.get('/items', (c) => c.json([1, 2, 3]));
  app.get('/health', () => 'ok');
  app.get('/stream', (c) =>
    c.body(
      (async function* () {
        yield Buffer.from('abc');
      })(),
    ),
  );
  app.get('/teapot', () => {
    throw new HttpError(418);
  });
  app.get('/crash', () => {
    throw new Error('boom');
  });
  return app;
}

describe('events', () => {
  test('one event per request with method, path (no query), status, bytes, duration, id, address', async () => {
    const before = Date.now();
    const res = await logApp().request('/items?token=secret');
    assert.equal(res.status, 200);
    assert.equal(events.length, 1);
    const [event] = events;
    assert.ok(event !== undefined);
    assert.equal(event.method, 'GET');
    assert.equal(event.path, '/items');
    assert.equal(event.status, 200);
    assert.equal(event.bytes, 7);
    assert.equal(event.requestId, 'rid-1');
    assert.equal(event.remoteAddress, '127.0.0.1');
    assert.ok(Number.isFinite(event.durationMs) && event.durationMs >= 0);
    assert.ok(event.time >= before && event.time <= Date.now());
  });

  test('thrown errors are reported with the status and body size of the answer the client gets', async () => {
    const app = logApp();
    const answers: [string, number, number][] = [];
    for (const path of ['/teapot', '/crash', '/missing']) {
      const res = await app.request(path);
      answers.push([path, res.status, (await res.bytes()).byteLength]);
    }
    assert.deepEqual(
      answers.map(([path, status]) => [path, status]),
      [
        ['/teapot', 418],
        ['/crash', 500],
        ['/missing', 404],
      ],
    );
    assert.deepEqual(
      events.map((e) => [e.path, e.status, e.bytes]),
      answers,
    );
  });

  test('a streamed body is logged when it ends, with the bytes it sent; HEAD has 0; skip() leaves requests out', async () => {
    const app = logApp();
    const streamed = await app.request('/stream');
    assert.equal(events.length, 0, 'not before the stream has ended');
    assert.equal(await streamed.text(), 'abc');
    await app.request('/items', { method: 'HEAD' });
    await app.request('/health');
    assert.deepEqual(
      events.map((e) => [e.method, e.path, e.bytes, e.incomplete]),
      [
        ['GET', '/stream', 3, undefined],
        ['HEAD', '/items', 0, undefined],
      ],
    );
  });

  test('a stream that fails midway, or that the client leaves, is logged incomplete with what it sent', async () => {
    const app = new App();
    app.use(accessLog());
    app.get('/fails', (c) =>
      c.body(
        (async function* () {
          yield Buffer.from('abcd');
          throw new Error('feed broke');
        })(),
      ),
    );
    app.get('/endless', (c) =>
      c.body(
        (async function* () {
          for (;;) yield Buffer.alloc(64 * 1024);
        })(),
      ),
    );
    const server = await startServer(leaks, app.handler);
    await new Promise<void>((resolve) => {
      httpRequest({ port: server.port, host: '127.0.0.1', path: '/fails', agent: false }, (res) => {
        res.resume();
        res.on('error', () => resolve());
        res.on('close', resolve);
      })
        .on('error', () => resolve())
        .end();
    });
    await new Promise<void>((resolve) => {
      const req = httpRequest({ port: server.port, host: '127.0.0.1', path: '/endless', agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.end();
    });
    await eventually(() => events.length >= 2, 'both access events');
    const byPath = new Map(events.map((e) => [e.path, e]));
    assert.equal(byPath.get('/fails')?.bytes, 4);
    assert.equal(byPath.get('/fails')?.incomplete, true);
    assert.equal(byPath.get('/endless')?.incomplete, true);
    assert.ok((byPath.get('/endless')?.bytes ?? 0) > 0);
  });

  test('without requestId() the event has no requestId', async () => {
    const app = new App();
    app.use(accessLog());
    app.get('/', () => 'x');
    await app.request('/');
    assert.equal(events.length, 1);
    assert.equal('requestId' in (events[0] as object), false);
  });

  test('nothing is published while nobody subscribes, and the app works the same', async () => {
    diagnostics.unsubscribe(ACCESS_CHANNEL, collect);
    const res = await logApp().request('/items');
    assert.equal(res.status, 200);
    assert.equal(events.length, 0);
  });

  test('over a socket: the client address is the peer', async () => {
    const server = await startServer(leaks, logApp().handler);
    await new Promise<void>((resolve, reject) => {
      httpRequest({ port: server.port, host: '127.0.0.1', path: '/items', agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(events.length, 1);
    assert.equal(events[0]?.remoteAddress, '127.0.0.1');
    assert.equal(events[0]?.status, 200);
  });
});

describe('formatAccessLine', () => {
  const event: AccessEvent = {
    time: Date.UTC(2024, 4, 1, 12, 0, 0),
    method: 'GET',
    path: '/items',
    status: 200,
    bytes: 1432,
    durationMs: 3.125,
    remoteAddress: '127.0.0.1',
  };

  test('time method path status bytes ms', () => {
    assert.equal(formatAccessLine(event), '2024-05-01T12:00:00.000Z GET /items 200 1432 3.1ms');
  });

  test('unknown bytes are -', () => {
    const { bytes: _bytes, ...streamed } = event;
    assert.equal(formatAccessLine(streamed), '2024-05-01T12:00:00.000Z GET /items 200 - 3.1ms');
  });

  test('an incomplete stream says so at the end of the line', () => {
    assert.equal(
      formatAccessLine({ ...event, incomplete: true }),
      '2024-05-01T12:00:00.000Z GET /items 200 1432 3.1ms incomplete',
    );
  });

  test('a path cannot split or forge a line', () => {
    const line = formatAccessLine({ ...event, path: '/a\n2024 GET /admin 200 0 0.0ms b c' });
    assert.equal(line.split('\n').length, 1);
    assert.ok(line.includes('/a%0A2024%20GET%20/admin'));
  });
});
