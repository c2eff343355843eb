/**
 * `fetch()`: the WHATWG signature and Response on wirekit's client, and where it deliberately
 * differs (errors name the phase instead of `TypeError: fetch failed`).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { Agent as UndiciAgent, fetch as undiciFetch } from 'undici';
import { Agent, fetch, getGlobalDispatcher, setGlobalDispatcher } from '../../src/client/index.js';
import { isWirekitError } from '../../src/errors.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';
import { rawServer, reply } from './helpers.js';

const leaks = trackLeaks();

function agent(): Agent {
  const a = new Agent();
  leaks.defer(() => a.destroy());
  return a;
}

async function echoServer() {
  return rawServer(leaks, (req, socket) => {
    if (req.path === '/moved') return void socket.write(reply('', 302, { Location: '/echo' }));
    if (req.path === '/gzip') {
      const body = gzipSync('zipped');
      return void socket.write(
        Buffer.concat([
          Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`),
          body,
        ]),
      );
    }
    if (req.path === '/empty') return void socket.write('HTTP/1.1 204 No Content\r\n\r\n');
    const echo = JSON.stringify({
      method: req.method,
      path: req.path,
      headers: req.headers,
      body: req.body.toString(),
    });
    socket.write(reply(echo, 201, { 'Content-Type': 'application/json', 'Set-Cookie': 'a=1', 'set-cookie': 'b=2' }));
  });
}

describe('fetch', () => {
  test('returns a WHATWG Response: status, statusText, headers, json()', async () => {
    const server = await echoServer();
    const res = await fetch(`${server.url}/echo?x=1`, { dispatcher: agent(), headers: { 'X-Hi': 'there' } });
    assert.ok(res instanceof globalThis.Response);
    assert.equal(res.status, 201);
    assert.equal(res.statusText, 'Whatever');
    assert.equal(res.ok, true);
    assert.equal(res.url, `${server.url}/echo?x=1`);
    assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
    const echo = (await res.json()) as { method: string; path: string; headers: Record<string, string> };
    assert.equal(echo.method, 'GET');
    assert.equal(echo.path, '/echo?x=1');
    assert.equal(echo.headers['x-hi'], 'there');
    assert.equal(echo.headers['accept-encoding'], 'gzip, deflate, br');
  });

  test('a string body is text/plain;charset=UTF-8; methods are normalised', async () => {
    const server = await echoServer();
    const res = await fetch(`${server.url}/echo`, { dispatcher: agent(), method: 'post', body: 'hi' });
    const echo = (await res.json()) as { method: string; body: string; headers: Record<string, string> };
    assert.equal(echo.method, 'POST');
    assert.equal(echo.body, 'hi');
    assert.equal(echo.headers['content-type'], 'text/plain;charset=UTF-8');
  });

  test('a WHATWG Request as input, with a streamed body', async () => {
    const server = await echoServer();
    const input = new globalThis.Request(`${server.url}/echo`, {
      method: 'PUT',
      body: new Blob(['from a Request']).stream(),
      duplex: 'half',
    } as globalThis.RequestInit);
    const echo = (await (await fetch(input, { dispatcher: agent() })).json()) as { method: string; body: string };
    assert.deepEqual([echo.method, echo.body], ['PUT', 'from a Request']);
  });

  test('redirects: followed by default (url, redirected), manual, error', async () => {
    const server = await echoServer();
    const a = agent();
    const followed = await fetch(`${server.url}/moved`, { dispatcher: a });
    assert.equal(followed.status, 201);
    assert.equal(followed.redirected, true);
    assert.equal(followed.url, `${server.url}/echo`);
    await followed.arrayBuffer();
    const manual = await fetch(`${server.url}/moved`, { dispatcher: a, redirect: 'manual' });
    assert.equal(manual.status, 302);
    assert.equal(manual.headers.get('location'), '/echo');
    await manual.arrayBuffer();
    await assert.rejects(fetch(`${server.url}/moved`, { dispatcher: a, redirect: 'error' }), {
      code: 'WK_ERR_REDIRECT_LIMIT',
    });
  });

  test('gzip is decoded; a 204 has a null body', async () => {
    const server = await echoServer();
    const a = agent();
    assert.equal(await (await fetch(`${server.url}/gzip`, { dispatcher: a })).text(), 'zipped');
    const empty = await fetch(`${server.url}/empty`, { dispatcher: a });
    assert.equal(empty.status, 204);
    assert.equal(empty.body, null);
  });

  test('failures are WirekitErrors that name the phase, not "fetch failed"', async () => {
    const server = await rawServer(leaks, () => {});
    await assert.rejects(fetch(`${server.url}/`, { dispatcher: agent(), timeouts: { headersTimeoutMs: 100 } }), {
      code: 'WK_ERR_HEADERS_TIMEOUT',
    });
    await assert.rejects(fetch('ftp://example.com/', { dispatcher: agent() }), { code: 'WK_ERR_INVALID_ARGUMENT' });
  });

  test('without a dispatcher it uses the global one', async () => {
    const server = await echoServer();
    const previous = getGlobalDispatcher();
    const scoped = agent();
    setGlobalDispatcher(scoped);
    leaks.defer(() => setGlobalDispatcher(previous));
    const res = await fetch(`${server.url}/echo`);
    await res.text();
    assert.deepEqual(scoped.origins, [server.url]);
  });
});

/**
 * Cancellation as the Fetch standard has it (§4.1, "abort fetch"): the call, or the body being
 * read, rejects with the signal's reason. Each case runs wirekit's fetch and undici's against the
 * same server and compares what they reject with.
 */
describe("fetch aborted: the signal's reason, as undici", () => {
  /** What a rejection looks like, for comparing the two clients. */
  function shape(error: unknown): { name: unknown; message: unknown; isDomException: boolean } {
    const e = error as { name?: unknown; message?: unknown };
    return { name: e.name, message: e.message, isDomException: error instanceof DOMException };
  }

  function undici(): UndiciAgent {
    const a = new UndiciAgent();
    leaks.defer(() => a.destroy());
    return a;
  }

  /** Rejections of both clients for the same request to a server that never answers, aborted by `signal()`. */
  async function bothRejections(signal: () => AbortSignal, abortAfter?: (c: AbortController) => void) {
    const server = await rawServer(leaks, () => {});
    const errors: unknown[] = [];
    for (const run of [
      (s: AbortSignal) => fetch(`${server.url}/`, { dispatcher: agent(), signal: s }),
      (s: AbortSignal) => undiciFetch(`${server.url}/`, { dispatcher: undici(), signal: s }),
    ]) {
      const s = signal();
      const pending = run(s);
      await eventually(() => server.requests.length === errors.length + 1, 'the request reached the server');
      abortAfter?.(controllerOf.get(s) as AbortController);
      errors.push(
        await pending.then(
          () => assert.fail('resolved'),
          (error: unknown) => error,
        ),
      );
    }
    return errors as [unknown, unknown];
  }
  const controllerOf = new WeakMap<AbortSignal, AbortController>();
  const controlled = (): AbortSignal => {
    const c = new AbortController();
    controllerOf.set(c.signal, c);
    return c.signal;
  };

  test('abort() without a reason: an AbortError DOMException, the phase error as its cause', async () => {
    const [ours, theirs] = await bothRejections(controlled, (c) => c.abort());
    assert.deepEqual(shape(ours), shape(theirs));
    assert.equal(shape(ours).name, 'AbortError');
    assert.ok(isWirekitError((ours as Error).cause, 'WK_ERR_ABORTED'), 'the phase error is the cause');
    assert.equal(
      ((ours as Error).cause as { remoteAddress?: { port: number } }).remoteAddress?.port !== undefined,
      true,
    );
  });

  test('AbortSignal.timeout(): a TimeoutError DOMException, the phase error as its cause', async () => {
    const [ours, theirs] = await bothRejections(() => AbortSignal.timeout(200));
    assert.deepEqual(shape(ours), shape(theirs));
    assert.equal(shape(ours).name, 'TimeoutError');
    assert.ok(isWirekitError((ours as Error).cause, 'WK_ERR_ABORTED'));
  });

  test('abort(reason): that very reason, from both', async () => {
    const reasons = new Map<AbortSignal, Error>();
    const [ours, theirs] = await bothRejections(controlled, (c) => {
      const reason = new Error('the user went away');
      reasons.set(c.signal, reason);
      c.abort(reason);
    });
    assert.equal((ours as Error).message, 'the user went away');
    assert.equal((theirs as Error).message, 'the user went away');
    assert.ok([...reasons.values()].includes(ours as Error), 'wirekit rejects with the reason object itself');
  });

  test('a signal aborted before the call: its reason itself, before any connection', async () => {
    const signal = AbortSignal.abort();
    await assert.rejects(
      fetch('http://127.0.0.1:1/', { dispatcher: agent(), signal }),
      (error) => error === signal.reason,
    );
    await assert.rejects(
      undiciFetch('http://127.0.0.1:1/', { dispatcher: undici(), signal }),
      (error) => error === signal.reason,
    );
  });

  test('aborted while the body is read: reading rejects with the reason, as undici', async () => {
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nfirst');
    });
    const names: unknown[] = [];
    for (const run of [
      (s: AbortSignal) => fetch(`${server.url}/`, { dispatcher: agent(), signal: s }),
      (s: AbortSignal) => undiciFetch(`${server.url}/`, { dispatcher: undici(), signal: s }),
    ]) {
      const controller = new AbortController();
      const res = await run(controller.signal);
      const reading = res.text();
      controller.abort();
      names.push(
        await reading.then(
          () => 'resolved',
          (error: unknown) => shape(error).name,
        ),
      );
    }
    assert.deepEqual(names, ['AbortError', 'AbortError']);
  });
});

describe('a Response dropped with its body unread', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  /** Fetches and returns nothing: the Response is garbage once this resolves. */
  async function fetchAndDrop(url: string, dispatcher: Agent): Promise<void> {
    const response = await fetch(url, { dispatcher });
    assert.equal(response.status, 200);
  }

  test('a body the caller kept is not cancelled when its Response is collected', async () => {
    const big = randomBytes(1024 * 1024);
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`);
      socket.write(big);
    });
    const a = new Agent({ connections: 1 });
    leaks.defer(() => a.destroy());
    const body = await (async () => (await fetch(`${server.url}/big`, { dispatcher: a })).body)();
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    let received = 0;
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) received += chunk.byteLength;
    assert.equal(received, big.length);
  });

  for (const encoding of ['identity', 'gzip'] as const) {
    test(`${encoding}: once garbage-collected, its body is cancelled and its connection released`, async () => {
      // Bigger than the body buffer, so the unread body keeps its connection paused, not finished.
      const big = encoding === 'gzip' ? gzipSync(randomBytes(1024 * 1024)) : randomBytes(1024 * 1024);
      const server = await rawServer(leaks, (req, socket) => {
        if (req.path !== '/big') return void socket.write(reply('next'));
        socket.write(`HTTP/1.1 200 OK\r\nContent-Encoding: ${encoding}\r\nContent-Length: ${big.length}\r\n\r\n`);
        socket.write(big);
      });
      const a = new Agent({ connections: 1 });
      leaks.defer(() => a.destroy());
      await fetchAndDrop(`${server.url}/big`, a);
      const next = fetch(`${server.url}/next`, { dispatcher: a });
      await eventually(() => {
        gc();
        return server.requests.length === 2;
      }, 'the next request sent on a released connection');
      assert.equal(await (await next).text(), 'next');
    });
  }
});
