/**
 * Parity: one app answered three ways, in process (`app.request`), as a Fetch handler
 * (`app.fetch(new Request(…))`) and over a real socket (`app.listen` + `fetch`), gives the same
 * status, body and app-set fields for every request of the table.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Response as WirekitResponse } from '../../src/http/message/index.js';
import { App } from '../../src/web/app.js';
import { HttpError } from '../../src/web/http-error.js';
import type { AppServer } from '../../src/web/listen.js';
import { activeResources, assertNoLeaksSince } from '../helpers/leaks.js';

/** Fields only a connection has (date, connection management, chunked framing); the rest must match, Content-Length included. */
const TRANSPORT_FIELDS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

interface Answer {
  status: number;
  body: string;
  headers: string[];
}

interface Case {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

function parityApp(): App {
  const app = new App({ secrets: ['parity'] });
  app.use(async (c, next) => {
    c.header('X-App', 'parity');
    await next();
  });
  app.get('/', (c) => c.text('Hello'));
  app.post('/echo', async (c) => c.json(await c.req.json(), 201));
  app.get('/teapot', () => {
    throw new HttpError(418, 'short and stout', { headers: { 'X-Why': 'tea' } });
  });
  app.get('/boom', () => {
    throw new Error('secret detail');
  });
  app.get('/stream', (c) =>
    c.body(
      (async function* () {
        for (const part of ['one ', 'two ', 'three']) {
          await new Promise((resolve) => setImmediate(resolve));
          yield new TextEncoder().encode(part);
        }
      })(),
      200,
      { 'Content-Type': 'text/plain' },
    ),
  );
  app.get('/cookies', (c) => {
    c.cookie('plain', 'a b');
    c.cookie('signed', 'v', { signed: true });
    return { got: c.req.cookie('in') ?? null, signed: c.req.signedCookie('signed') ?? null };
  });
  app.get('/query', (c) => ({ tags: c.req.query.getAll('t'), path: c.req.path }));
  app.get('/redirect', (c) => c.redirect('/', 307));
  app.get('/empty', (c) => c.body(null, 204));
  return app;
}

const CASES: Case[] = [
  { name: 'GET text', method: 'GET', path: '/' },
  {
    name: 'POST JSON',
    method: 'POST',
    path: '/echo',
    headers: { 'content-type': 'application/json' },
    body: '{"a":[1,"x"]}',
  },
  { name: 'POST bad JSON', method: 'POST', path: '/echo', headers: { 'content-type': 'application/json' }, body: '{' },
  { name: '404', method: 'GET', path: '/nowhere' },
  { name: '404 as JSON', method: 'GET', path: '/nowhere', headers: { accept: 'application/json' } },
  { name: '405 with Allow', method: 'DELETE', path: '/' },
  { name: 'automatic OPTIONS', method: 'OPTIONS', path: '/echo' },
  { name: 'thrown HttpError', method: 'GET', path: '/teapot', headers: { accept: 'application/json' } },
  { name: 'thrown Error', method: 'GET', path: '/boom' },
  { name: 'HEAD via GET', method: 'HEAD', path: '/' },
  { name: 'streaming body', method: 'GET', path: '/stream' },
  { name: 'cookies', method: 'GET', path: '/cookies', headers: { cookie: 'in=hello%20there' } },
  { name: 'query and encoded path', method: 'GET', path: '/query?t=1&t=%C3%A9' },
  { name: 'bad percent-encoding', method: 'GET', path: '/%E0%A4%A' },
  { name: 'redirect', method: 'GET', path: '/redirect' },
  { name: '204', method: 'GET', path: '/empty' },
];

function appFields(entries: Iterable<[string, string]>): string[] {
  const out: string[] = [];
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (!TRANSPORT_FIELDS.has(lower)) out.push(`${lower}: ${value}`);
  }
  return out.sort();
}

async function viaRequest(app: App, c: Case): Promise<Answer> {
  const res: WirekitResponse = await app.request(c.path, {
    method: c.method,
    headers: c.headers ?? {},
    ...(c.body === undefined ? {} : { body: c.body }),
  });
  return { status: res.status, body: await res.text(), headers: appFields(res.headers) };
}

async function viaFetchHandler(app: App, c: Case): Promise<Answer> {
  const init: RequestInit = { method: c.method, headers: c.headers ?? {} };
  if (c.body !== undefined) init.body = c.body;
  const res = await app.fetch(new globalThis.Request(`http://localhost${c.path}`, init));
  return { status: res.status, body: await res.text(), headers: appFields(res.headers) };
}

async function viaSocket(url: string, c: Case): Promise<Answer> {
  const init: RequestInit = { method: c.method, headers: c.headers ?? {}, redirect: 'manual' };
  if (c.body !== undefined) init.body = c.body;
  const res = await fetch(`${url}${c.path}`, init);
  return { status: res.status, body: await res.text(), headers: appFields(res.headers) };
}

describe('app.request, app.fetch and a socket agree', () => {
  const app = parityApp();
  let server: AppServer;
  let baseline: Map<string, number>;

  before(async () => {
    baseline = activeResources();
    server = await app.listen({ port: 0 });
  });
  after(async () => {
    await server.close({ timeoutMs: 0 });
    await assertNoLeaksSince(baseline);
  });

  for (const c of CASES) {
    test(c.name, async () => {
      const socket = await viaSocket(server.url, c);
      const inProcess = await viaRequest(app, c);
      const fetchHandler = await viaFetchHandler(app, c);
      assert.deepEqual(inProcess, socket, 'app.request matches the socket');
      assert.deepEqual(fetchHandler, socket, 'app.fetch matches the socket');
      assert.ok(socket.headers.includes('x-app: parity'), 'the middleware ran');
      assert.ok(!socket.body.includes('secret detail'));
    });
  }
});
