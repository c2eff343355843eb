/**
 * Handler failures over a real socket (docs/architecture.md, web, issue 3): a throw, a rejection, a value
 * that is not a Response, or a Response the serializer refuses each get a 500 with no detail of the
 * failure in the body, the error goes to `onError`, and the next request on the same connection is
 * served. Body read errors the client caused keep their 4xx.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Response } from '../../../src/http/message/index.js';
import { type Handler, serve } from '../../../src/http/server/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';
import { bodyText, header, saysClose } from '../../helpers/response-reader.js';
import { sleep } from '../../helpers/wait.js';

const leaks = trackLeaks();

const SECRET = 'secret-detail-/etc/passwd';

const FAILURES: Record<string, Handler> = {
  'throws an Error': () => {
    throw new Error(SECRET);
  },
  'rejects with an Error': async () => {
    throw new Error(SECRET);
  },
  'throws a string': () => {
    throw SECRET;
  },
  'returns undefined': () => undefined as unknown as Response,
  'returns a string': () => SECRET as unknown as Response,
  'returns a plain object': () => ({ status: 200, body: SECRET }) as unknown as Response,
  'resolves to a number': async () => 42 as unknown as Response,
  'returns null': () => null as unknown as Response,
  'returns a Response whose reason phrase would inject a header': () =>
    new Response(SECRET, { statusText: `OK\r\nSet-Cookie: ${SECRET}` }),
};

for (const [name, failing] of Object.entries(FAILURES)) {
  test(`a handler that ${name} → 500 without detail; the connection serves the next request`, async () => {
    const server = await startServer(leaks, (req, info) =>
      req.path === '/fail' ? failing(req, info) : new Response(`fine ${req.path}`),
    );
    const client = await server.client();
    await client.write(request('GET', '/fail') + request('GET', '/next'));
    const [failed, next] = await client.read(2);
    assert.equal(failed?.status, 500);
    assert.doesNotMatch(failed!.head + bodyText(failed!), /secret|\.js:|Error:/, 'no detail of the failure');
    assert.equal(header(failed!, 'set-cookie'), undefined);
    assert.ok(!saysClose(failed!), 'a handler failure does not cost the connection');
    assert.equal(bodyText(next!), 'fine /next');
    assert.ok(server.errors.length >= 1, 'reported to onError');
  });
}

test('an onError hook that throws does not take the connection down', async () => {
  const server = await startServer(
    leaks,
    (req) => {
      if (req.path === '/fail') throw new Error('boom');
      return new Response('fine');
    },
    {
      onError: () => {
        throw new Error('the hook failed too');
      },
    },
  );
  const client = await server.client();
  await client.write(request('GET', '/fail') + request('GET', '/next'));
  const [failed, next] = await client.read(2);
  assert.equal(failed?.status, 500);
  assert.equal(bodyText(next!), 'fine');
});

test('req.json() on a malformed body → 400 (the client is at fault), connection kept', async () => {
  const server = await startServer(leaks, async (req) => Response.json(await req.json()));
  const client = await server.client();
  await client.write(request('POST', '/', [], '{"a":') + request('POST', '/', [], '{"a":1}'));
  const [bad, good] = await client.read(2);
  assert.equal(bad?.status, 400);
  assert.deepEqual(JSON.parse(bodyText(good!)), { a: 1 });
});

test('a handler that fails after a slow start does not reorder the pipeline', async () => {
  const server = await startServer(leaks, async (req) => {
    if (req.path === '/fail') {
      await sleep(50);
      throw new Error('late');
    }
    return new Response(req.path);
  });
  const client = await server.client();
  await client.write(request('GET', '/fail') + request('GET', '/a') + request('GET', '/b'));
  const responses = await client.read(3);
  assert.deepEqual(
    responses.map((r) => (r.status === 200 ? bodyText(r) : r.status)),
    [500, '/a', '/b'],
  );
});

test('the default onError warns about server faults, not about 4xx the client caused', async () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  const server = await serve(
    async (req) => {
      if (req.path === '/fault') throw new Error('server fault');
      return Response.json(await req.json());
    },
    { port: 0, host: '127.0.0.1' },
  );
  try {
    const bad = await fetch(`${server.url}/echo`, { method: 'POST', body: '{not json' });
    assert.equal(bad.status, 400);
    await bad.arrayBuffer();
    const fault = await fetch(`${server.url}/fault`);
    assert.equal(fault.status, 500);
    await fault.arrayBuffer();
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      warnings.map((warning) => warning.message),
      ['server fault'],
    );
  } finally {
    process.off('warning', onWarning);
    await server.close({ timeoutMs: 0 });
  }
});

test('the default onError does not flood: a fault every request hits is one warning, then one a minute', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => {
    if (warning.message.startsWith('the same fault')) warnings.push(warning.message);
  };
  process.on('warning', onWarning);
  const server = await serve(
    () => {
      throw new Error('the same fault every time');
    },
    { port: 0, host: '127.0.0.1' },
  );
  try {
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${server.url}/`);
      assert.equal(res.status, 500);
      await res.arrayBuffer();
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, ['the same fault every time']);
  } finally {
    process.off('warning', onWarning);
    await server.close({ timeoutMs: 0 });
  }
});
