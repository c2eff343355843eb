/**
 * Redirects (limit, 303 → GET, 307 keeps the body, credentials dropped across origins) and
 * retries (limits, idempotency, Retry-After, bounded backoff) against raw servers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Agent, backoffMs, retryAfterMs } from '../../src/client/index.js';
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

describe('redirects', () => {
  test('not followed by default: the 302 is returned', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('', 302, { Location: '/next' })));
    const res = await agent().request(`${server.url}/`);
    assert.equal(res.status, 302);
    assert.equal(res.redirected, false);
  });

  test('followed up to maxRedirections; one more is WK_ERR_REDIRECT_LIMIT', async () => {
    const server = await rawServer(leaks, (req, socket) => {
      const n = Number(req.path.slice(1));
      socket.write(n < 3 ? reply('moved', 301, { Location: `/${n + 1}` }) : reply(`arrived at ${n}`));
    });
    const a = agent();
    const res = await a.request(`${server.url}/0`, { maxRedirections: 3 });
    assert.equal(await res.body.text(), 'arrived at 3');
    assert.equal(res.url, `${server.url}/3`);
    assert.equal(res.redirected, true);
    assert.equal(server.accepted, 1, 'redirect bodies were drained, the connection reused');
    await assert.rejects(a.request(`${server.url}/0`, { maxRedirections: 2 }), (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_REDIRECT_LIMIT'));
      assert.match(error.message, /\/0 -> .*\/1 -> .*\/2 -> .*\/3/);
      return true;
    });
  });

  test('303 turns a POST into a GET without body or body fields', async () => {
    const server = await rawServer(leaks, (req, socket) => {
      socket.write(
        req.path === '/form' ? reply('', 303, { Location: '/done' }) : reply(`${req.method} ${req.body.length}`),
      );
    });
    const res = await agent().request(`${server.url}/form`, {
      method: 'POST',
      body: 'a=1',
      headers: { 'content-type': 'text/plain', 'x-keep': 'yes' },
      maxRedirections: 1,
    });
    assert.equal(await res.body.text(), 'GET 0');
    const second = server.requests[1];
    assert.equal(second?.headers['content-type'], undefined);
    assert.equal(second?.headers['x-keep'], 'yes');
  });

  test('307 repeats the method and body', async () => {
    const server = await rawServer(leaks, (req, socket) => {
      socket.write(req.path === '/a' ? reply('', 307, { Location: '/b' }) : reply(`${req.method} ${req.body}`));
    });
    const res = await agent().request(`${server.url}/a`, { method: 'PUT', body: 'payload', maxRedirections: 1 });
    assert.equal(await res.body.text(), 'PUT payload');
  });

  test('a 307 whose body was a stream cannot be followed: it is returned', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('', 307, { Location: '/b' })));
    async function* body() {
      yield Buffer.from('once');
    }
    const res = await agent().request(`${server.url}/a`, { method: 'PUT', body: body(), maxRedirections: 1 });
    assert.equal(res.status, 307);
  });

  test('Authorization, Cookie and Proxy-Authorization are dropped across origins, kept within one', async () => {
    const target = await rawServer(leaks, (_req, socket) => socket.write(reply('there')));
    const origin = await rawServer(leaks, (req, socket) => {
      socket.write(
        req.path === '/same'
          ? reply('', 302, { Location: '/here' })
          : req.path === '/here'
            ? reply('here')
            : reply('', 302, { Location: `${target.url}/x` }),
      );
    });
    const headers = {
      authorization: 'Bearer secret',
      cookie: 'sid=1',
      'proxy-authorization': 'Basic x',
      'x-other': 'kept',
    };
    const a = agent();
    await (await a.request(`${origin.url}/same`, { headers, maxRedirections: 1 })).body.dump();
    assert.equal(origin.requests[1]?.headers.authorization, 'Bearer secret');
    assert.equal(origin.requests[1]?.headers.cookie, 'sid=1');
    const res = await a.request(`${origin.url}/away`, { headers, maxRedirections: 1 });
    assert.equal(await res.body.text(), 'there');
    const seen = target.requests[0];
    assert.equal(seen?.headers.authorization, undefined);
    assert.equal(seen?.headers.cookie, undefined);
    assert.equal(seen?.headers['proxy-authorization'], undefined);
    assert.equal(seen?.headers['x-other'], 'kept');
    assert.equal(seen?.headers.host, `127.0.0.1:${target.port}`);
  });
});

describe('retries', () => {
  test('503 then 200: retried after Retry-After', async () => {
    const server = await rawServer(leaks, (req, socket) => {
      socket.write(server.requests.length === 1 ? reply('busy', 503, { 'Retry-After': '0' }) : reply(`ok ${req.path}`));
    });
    const res = await agent().request(`${server.url}/r`, { retry: true });
    assert.equal(await res.body.text(), 'ok /r');
    assert.equal(server.requests.length, 2);
  });

  test('the retry count is a limit: the last 429 is returned', async () => {
    const server = await rawServer(leaks, (_req, socket) =>
      socket.write(reply('slow down', 429, { 'Retry-After': '0' })),
    );
    const res = await agent().request(`${server.url}/`, { retry: 2 });
    assert.equal(res.status, 429);
    assert.equal(server.requests.length, 3, 'one attempt and two retries');
  });

  test('a Retry-After beyond maxRetryAfterMs is not waited for', async () => {
    const server = await rawServer(leaks, (_req, socket) =>
      socket.write(reply('later', 503, { 'Retry-After': '3600' })),
    );
    // Waiting the hour would outlast the test runner's timeout: answering at all shows it was not waited for.
    const res = await agent().request(`${server.url}/`, { retry: { maxRetries: 3, maxRetryAfterMs: 1_000 } });
    assert.equal(res.status, 503);
    assert.equal(server.requests.length, 1, 'given up at once, not retried sooner than asked');
  });

  test('POST is never retried, on a status or an error', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('busy', 503, { 'Retry-After': '0' })));
    const res = await agent().request(`${server.url}/`, { method: 'POST', body: 'x', retry: 3 });
    assert.equal(res.status, 503);
    assert.equal(server.requests.length, 1);
  });

  test('network errors of idempotent requests are retried with backoff', async () => {
    const server = await rawServer(leaks, (_req, socket) => {
      if (server.requests.length < 3) socket.resetAndDestroy();
      else socket.write(reply('finally'));
    });
    const delays: number[] = [];
    const res = await agent().request(`${server.url}/`, {
      retry: { maxRetries: 3, minDelayMs: 10, maxDelayMs: 40, onRetry: ({ delayMs }) => delays.push(delayMs) },
    });
    assert.equal(await res.body.text(), 'finally');
    assert.equal(delays.length, 2);
    assert.ok(
      delays.every((d) => d >= 5 && d <= 40),
      String(delays),
    );
  });

  test('an abort during the backoff wait rejects at once with WK_ERR_ABORTED', async () => {
    const server = await rawServer(leaks, (_req, socket) => socket.write(reply('busy', 503, { 'Retry-After': '5' })));
    const controller = new AbortController();
    const pending = agent().request(`${server.url}/`, { retry: true, signal: controller.signal });
    await eventually(() => server.requests.length > 0, 'the first attempt reached the server');
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, { code: 'WK_ERR_ABORTED' });
  });

  test('backoff is exponential, jittered and bounded', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const step = Math.min(10_000, 250 * 2 ** attempt);
      for (let i = 0; i < 50; i++) {
        const d = backoffMs(attempt, 250, 10_000);
        assert.ok(d >= step / 2 && d <= step, `${attempt}: ${d}`);
      }
    }
  });

  test('Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('3'), 3000);
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', now), 10_000);
    assert.equal(retryAfterMs('soon'), undefined);
    assert.equal(retryAfterMs(null), undefined);
  });
});
