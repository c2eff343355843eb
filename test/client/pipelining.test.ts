/**
 * Pipelining: requests written before the answers arrive, in order; what happens to the others on
 * the connection when one of them is aborted, when the server closes under them, and when the pool
 * is destroyed with all of them in flight.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Agent, Client, type ClientResponse } from '../../src/client/index.js';
import { isWirekitError } from '../../src/errors.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';
import { rawServer, reply, within } from './helpers.js';

const leaks = trackLeaks();

function pipelined(url: string, depth = 3): Client {
  const client = new Client(url, { pipelining: depth });
  leaks.defer(() => client.destroy());
  return client;
}

/** Holds the answers on the first connection until `release()`; later connections answer at once. */
async function holdFirstConnection() {
  const held: (() => void)[] = [];
  const server = await rawServer(leaks, (req, socket) => {
    if (req.connection === 0) held.push(() => socket.write(reply(`first ${req.path}`)));
    else socket.write(reply(`again ${req.path}`));
  });
  return {
    server,
    release: () => {
      for (const send of held.splice(0)) send();
    },
  };
}

const text = async (response: Promise<ClientResponse>): Promise<string> => (await response).body.text();

describe('pipelining', () => {
  test('a Client with pipelining writes requests before the answers arrive, in order', async () => {
    const pending: (() => void)[] = [];
    const server = await rawServer(leaks, (req, socket) => {
      pending.push(() => socket.write(reply(`answer ${req.path}`)));
      if (pending.length === 3) for (const send of pending) send();
    });
    const client = pipelined(server.url);
    // Without pipelining the server never sees the third request and never answers: fail, not hang.
    const responses = await within(
      Promise.all(['/1', '/2', '/3'].map((path) => client.request({ path }))),
      'three requests written before any answer',
    );
    assert.deepEqual(await Promise.all(responses.map((r) => r.body.text())), ['answer /1', 'answer /2', 'answer /3']);
    assert.equal(server.accepted, 1);
  });

  test('requests pipelined behind a response that closes the connection are resent on a new one, in order', async () => {
    const server = await rawServer(leaks, (req, socket) => {
      if (req.connection === 0 && req.index === 0) socket.end(reply('first', 200, { Connection: 'close' }));
      else if (req.connection > 0) socket.write(reply(`again ${req.path}`));
    });
    const client = pipelined(server.url, 4);
    const responses = await Promise.all(['/1', '/2', '/3', '/4'].map((path) => client.request({ path })));
    assert.deepEqual(await Promise.all(responses.map((r) => r.body.text())), [
      'first',
      'again /2',
      'again /3',
      'again /4',
    ]);
    const resent = server.requests.filter((r) => r.connection === 1).map((r) => r.path);
    assert.deepEqual(resent, ['/2', '/3', '/4'], 'resent oldest first');
  });

  test('a POST is not pipelined behind other requests', async () => {
    const server = await rawServer(leaks, (req, socket) => {
      setTimeout(() => socket.write(reply(req.method)), 20);
    });
    const client = pipelined(server.url, 4);
    const a = client.request({ path: '/' });
    const b = client.request({ path: '/', method: 'POST', body: 'x' });
    const first = await a;
    assert.equal(server.requests.length, 1, 'the POST waited for the GET to be answered');
    assert.equal(await first.body.text(), 'GET');
    assert.equal(await (await b).body.text(), 'POST');
  });
});

describe('aborting one pipelined request', () => {
  test('only it fails: the one ahead completes, the one behind is resent on a new connection', async () => {
    const { server, release } = await holdFirstConnection();
    const client = pipelined(server.url);
    const controller = new AbortController();
    const a = client.request({ path: '/a' });
    const b = client.request({ path: '/b', signal: controller.signal });
    const c = client.request({ path: '/c' });
    await eventually(() => server.requests.length === 3, 'all three on the wire');
    controller.abort(new Error('not needed'));
    await assert.rejects(b, (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_ABORTED'));
      assert.equal((error.cause as Error).message, 'not needed');
      return true;
    });
    release();
    assert.equal(await within(text(a), 'a'), 'first /a');
    assert.equal(await within(text(c), 'c'), 'again /c');
    assert.deepEqual(
      server.requests.filter((r) => r.connection === 1).map((r) => r.path),
      ['/c'],
    );
  });

  test('aborting the head of the line: the requests behind it are resent', async () => {
    const { server } = await holdFirstConnection();
    const client = pipelined(server.url);
    const controller = new AbortController();
    const a = client.request({ path: '/a', signal: controller.signal });
    const b = client.request({ path: '/b' });
    const c = client.request({ path: '/c' });
    await eventually(() => server.requests.length === 3, 'all three on the wire');
    controller.abort();
    await assert.rejects(a, { code: 'WK_ERR_ABORTED' });
    assert.deepEqual(await within(Promise.all([text(b), text(c)]), 'b and c'), ['again /b', 'again /c']);
  });

  test('a request behind it that cannot be resent fails with its own error, not the abort', async () => {
    const { server, release } = await holdFirstConnection();
    const client = pipelined(server.url);
    const controller = new AbortController();
    async function* upload() {
      yield Buffer.from('data');
    }
    const a = client.request({ path: '/a' });
    const b = client.request({ path: '/b', signal: controller.signal });
    await eventually(() => server.requests.length === 2, 'a and b on the wire');
    const c = client.request({ path: '/c', method: 'PUT', body: upload() });
    await eventually(() => server.requests.length === 3, 'c on the wire');
    controller.abort(new Error('not needed'));
    await assert.rejects(b, { code: 'WK_ERR_ABORTED' });
    release();
    assert.equal(await within(text(a), 'a'), 'first /a');
    await within(
      assert.rejects(c, (error) => {
        assert.ok(isWirekitError(error, 'WK_ERR_SOCKET_CLOSED'), String(error));
        assert.match(error.message, /GET \/b/);
        assert.match(
          error.message,
          /PUT \/c was sent on a reused connection and was not retried: its body is a stream/,
        );
        for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
          assert.notEqual(cause.message, 'not needed', 'the abort reason of another request');
        }
        return true;
      }),
      'c',
    );
  });
});

describe('destroy with pipelined requests in flight', () => {
  for (const kind of ['Client', 'Agent'] as const) {
    test(`${kind}: every request pending rejects and destroy() resolves`, async () => {
      const { server } = await holdFirstConnection();
      const dispatcher = kind === 'Client' ? pipelined(server.url) : new Agent({ connections: 1, pipelining: 3 });
      leaks.defer(() => dispatcher.destroy());
      const paths = ['/1', '/2', '/3', '/4'];
      const pending = paths.map((path) =>
        kind === 'Client'
          ? (dispatcher as Client).request({ path })
          : (dispatcher as Agent).request(`${server.url}${path}`),
      );
      const outcomes = Promise.allSettled(pending);
      await eventually(() => server.requests.length === 3, 'three pipelined, one queued');
      await within(dispatcher.destroy(), 'destroy()');
      for (const outcome of await within(outcomes, 'every request settled')) {
        assert.equal(outcome.status, 'rejected');
        assert.ok(isWirekitError(outcome.reason, 'WK_ERR_CLIENT_CLOSED'), String(outcome.reason));
      }
    });
  }
});
