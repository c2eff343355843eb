/**
 * Parity: one app answered three ways, in process (`app.request`), as a Fetch handler
 * (`app.fetch(new Request(…))`) and over a real socket (`app.listen` + `fetch`), gives the same
 * status, body and app-set fields for every request of the table.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Response as WirekitResponse } from '../../src/http/message/index.js';
import type { App } from '../../src/web/app.js';
import type { AppServer } from '../../src/web/listen.js';
import { activeResources, assertNoLeaksSince } from '../helpers/leaks.js';
import { PARITY_CASES as CASES, type ParityCase as Case, parityApp } from '../helpers/parity-app.js';

/** Fields only a connection has (date, connection management, chunked framing); the rest must match, Content-Length included. */
const TRANSPORT_FIELDS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

interface Answer {
  status: number;
  body: string;
  headers: string[];
}

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
