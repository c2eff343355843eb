/** compose(): the middleware onion, early return, next() twice, sync chains, errors reaching the caller. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Request } from '../../src/http/message/index.js';
import { App } from '../../src/web/app.js';
import { compose, type Middleware } from '../../src/web/compose.js';
import { Context } from '../../src/web/context.js';
import { inProcessInfo } from '../../src/web/in-process.js';
import { WebRequest } from '../../src/web/web-request.js';

function context(): Context {
  const req = new WebRequest(new Request('/'), Object.create(null), undefined, {}, []);
  return new Context(req, inProcessInfo(), { secrets: [], logger: undefined, requestId: {} });
}

test('middleware runs as an onion: before parts in order, after parts in reverse', async () => {
  const log: string[] = [];
  const layer =
    (name: string): Middleware =>
    async (_c, next) => {
      log.push(`${name} before`);
      await next();
      log.push(`${name} after`);
    };
  const c = context();
  await compose([layer('a'), layer('b'), (c) => c.text('hi')])(c);
  assert.deepEqual(log, ['a before', 'b before', 'b after', 'a after']);
  assert.equal(await c.res?.text(), 'hi');
});

test('a middleware that returns without next() ends the chain (early return)', async () => {
  let reached = false;
  const c = context();
  await compose([
    (c) => c.text('stopped', 401),
    () => {
      reached = true;
      return 'no';
    },
  ])(c);
  assert.equal(reached, false);
  assert.equal(c.res?.status, 401);
});

test('next() called twice rejects and does not run the rest twice', async () => {
  let runs = 0;
  const c = context();
  const run = compose([
    async (_c, next) => {
      await next();
      await next();
    },
    (c) => {
      runs++;
      return c.text('once');
    },
  ]);
  await assert.rejects(Promise.resolve(run(c)), /next\(\) called more than once/);
  assert.equal(runs, 1);
});

test('a fully synchronous chain runs without a promise', () => {
  const c = context();
  const result = compose([(_c, next) => void next(), (c) => c.text('sync')])(c);
  assert.equal(result, undefined, 'no promise for a sync chain');
  assert.equal(c.res?.status, 200);
});

test('errors thrown synchronously, or rejected later, reach the caller', async () => {
  assert.throws(() =>
    compose([
      () => {
        throw new Error('sync');
      },
    ])(context()),
  );
  await assert.rejects(
    Promise.resolve(
      compose([
        async (_c, next) => {
          await next();
        },
        async () => {
          await Promise.resolve();
          throw new Error('async');
        },
      ])(context()),
    ),
    /async/,
  );
});

test('an outer middleware sees the inner response and may replace it', async () => {
  const c = context();
  await compose([
    async (c, next) => {
      await next();
      assert.equal(c.res?.status, 201);
      c.res = undefined;
      return c.text('replaced', 202);
    },
    (c) => c.json({ ok: true }, 201),
  ])(c);
  assert.equal(c.res?.status, 202);
  assert.equal(await c.res?.text(), 'replaced');
});

test('an error thrown after next() in an outer layer is still mapped by the App', async () => {
  const app = new App();
  app.use(async (_c, next) => {
    await next();
    throw new Error('after');
  });
  app.get('/', (c) => c.text('fine'));
  const res = await app.request('/');
  assert.equal(res.status, 500);
  assert.equal(await res.text(), 'Internal Server Error\n');
});
