/** Error mapping: HttpError → its status and message, JSON or text by Accept; anything else → a bare 500. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProtocolError, WirekitError } from '../../src/errors.js';
import { App } from '../../src/web/app.js';
import { errorResponse, errorStatus } from '../../src/web/error-response.js';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  HttpError,
  NotFoundError,
  PayloadTooLargeError,
  TooManyRequestsError,
  UnauthorizedError,
  UnprocessableError,
} from '../../src/web/http-error.js';

const SECRET = 'db password is hunter2';

function failingApp(): App {
  const app = new App();
  app.get('/http', () => {
    throw new HttpError(409, 'already exists', { headers: { 'Retry-After': '5' }, details: { id: 7 } });
  });
  app.get('/async-http', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    throw new UnauthorizedError('log in', { headers: { 'WWW-Authenticate': 'Bearer' } });
  });
  app.get('/plain', () => {
    throw new Error(SECRET);
  });
  app.get('/async-plain', async () => {
    await Promise.resolve();
    throw new TypeError(SECRET);
  });
  app.get('/non-error', () => {
    throw { secret: SECRET };
  });
  app.get('/rejected', () => Promise.reject(new Error(SECRET)));
  app.get('/protocol', () => {
    throw new ProtocolError('WK_ERR_INVALID_JSON', 400, 'the body is not valid JSON');
  });
  app.get('/wirekit-500', () => {
    throw new WirekitError('WK_ERR_SOCKET', SECRET);
  });
  return app;
}

describe('default error responses', () => {
  const app = failingApp();

  test('HttpError → its status, message, headers and details (JSON)', async () => {
    const res = await app.request('/http', { headers: { accept: 'application/json' } });
    assert.equal(res.status, 409);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.deepEqual(await res.json(), { error: 'already exists', status: 409, id: 7 });
  });

  test('HttpError → text when the client does not ask for JSON', async () => {
    const res = await app.request('/http', { headers: { accept: 'text/html,application/json;q=0.9' } });
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'already exists\n');
    const none = await app.request('/http');
    assert.equal(await none.text(), 'already exists\n');
  });

  test('an HttpError thrown after an await is mapped the same', async () => {
    const res = await app.request('/async-http');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    assert.equal(await res.text(), 'log in\n');
  });

  for (const path of ['/plain', '/async-plain', '/non-error', '/rejected', '/wirekit-500']) {
    test(`${path} → 500 without the message or a stack`, async () => {
      for (const accept of ['application/json', '*/*']) {
        const res = await app.request(path, { headers: { accept } });
        assert.equal(res.status, 500);
        const body = await res.text();
        assert.ok(!body.includes('hunter2'), `no message leaked: ${body}`);
        assert.ok(!body.includes(' at '), 'no stack leaked');
        assert.match(body, /Internal Server Error/);
      }
    });
  }

  test("wirekit's own 4xx errors show their status and message", async () => {
    const res = await app.request('/protocol', { headers: { accept: 'application/json' } });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'the body is not valid JSON', status: 400 });
  });
});

describe('error classes', () => {
  const classes = [
    [BadRequestError, 400],
    [UnauthorizedError, 401],
    [ForbiddenError, 403],
    [NotFoundError, 404],
    [ConflictError, 409],
    [PayloadTooLargeError, 413],
    [UnprocessableError, 422],
    [TooManyRequestsError, 429],
  ] as const;
  for (const [Class, status] of classes) {
    test(`${Class.name} is a ${status} with the status text by default`, () => {
      const error = new Class();
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, status);
      assert.equal(errorStatus(error), status);
      assert.equal(errorResponse(error, null).status, status);
      assert.ok(error.message.length > 0);
    });
  }

  test('errorStatus: 500 for anything that is not a client error', () => {
    assert.equal(errorStatus(new Error('x')), 500);
    assert.equal(errorStatus('a string'), 500);
    assert.equal(errorStatus(new ProtocolError('WK_ERR_HTTP_BODY_TOO_LARGE', 413)), 413);
  });

  test('an HttpError may carry a 5xx with a message meant for clients', async () => {
    const res = errorResponse(new HttpError(503, 'down for maintenance'), 'application/json');
    assert.deepEqual(await res.json(), { error: 'down for maintenance', status: 503 });
  });
});

describe('onError and reportErrors', () => {
  test('onError maps every error, sync or async', async () => {
    const app = failingApp();
    app.onError((error, c) => c.json({ mine: error instanceof HttpError ? error.status : 'other' }, 599));
    for (const [path, mine] of [
      ['/http', 409],
      ['/plain', 'other'],
      ['/async-http', 401],
      ['/rejected', 'other'],
    ] as const) {
      const res = await app.request(path);
      assert.equal(res.status, 599);
      assert.deepEqual(await res.json(), { mine });
    }
  });

  test('onError also maps not-found and 405', async () => {
    const app = new App();
    app.get('/', () => 'x');
    app.onError(() => errorResponse(new HttpError(418), null));
    assert.equal((await app.request('/missing')).status, 418);
    assert.equal((await app.request('/', { method: 'POST' })).status, 418);
  });

  test("a custom onError keeps the fields the error's status needs: Allow of a 405, WWW-Authenticate of a 401", async () => {
    const app = new App();
    app.get('/', () => 'x');
    app.get('/private', () => {
      throw new HttpError(401, 'who are you?', { headers: { 'WWW-Authenticate': 'Bearer realm="api"' } });
    });
    app.get('/mine', () => {
      throw new HttpError(401, 'x', { headers: { 'WWW-Authenticate': 'Basic' } });
    });
    app.onError((error, c) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (c.req.path === '/mine') return c.json({ oops: true }, status, { 'www-authenticate': 'Bearer mine' });
      return c.json({ oops: true }, status);
    });
    const post = await app.request('/', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    assert.deepEqual(await post.json(), { oops: true });
    const denied = await app.request('/private');
    assert.equal(denied.headers.get('www-authenticate'), 'Bearer realm="api"');
    const own = await app.request('/mine');
    assert.equal(own.headers.get('www-authenticate'), 'Bearer mine', "the handler's own field wins, whatever its case");
    const other = new App();
    other.get('/', () => 'x');
    other.onError(() => errorResponse(new HttpError(418), null));
    assert.equal(
      (await other.request('/', { method: 'POST' })).headers.get('allow'),
      null,
      'another status: not added',
    );
  });

  test('an onError that throws (or rejects) falls back to the default mapping', async () => {
    const app = failingApp();
    app.onError(() => {
      throw new Error(SECRET);
    });
    const res = await app.request('/http');
    assert.equal(res.status, 500);
    assert.ok(!(await res.text()).includes('hunter2'));

    const rejecting = failingApp();
    rejecting.onError(async () => {
      throw new NotFoundError('from the handler of errors');
    });
    const again = await rejecting.request('/plain');
    assert.equal(again.status, 404);
  });

  test('reportErrors sees every error; a throwing reporter changes nothing', async () => {
    const seen: unknown[] = [];
    const app = failingApp();
    app.reportErrors((error, c) => {
      seen.push([c.req.path, error instanceof Error ? error.message : error]);
      throw new Error('reporter broke');
    });
    const res = await app.request('/http');
    assert.equal(res.status, 409);
    await app.request('/async-plain');
    assert.deepEqual(seen, [
      ['/http', 'already exists'],
      ['/async-plain', SECRET],
    ]);
  });

  test('without reportErrors, unexpected errors become process warnings; HttpErrors and 4xx do not', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const app = new App();
      app.get('/http', () => {
        throw new HttpError(409, 'warned-409');
      });
      app.post('/json', async (c) => c.json(await c.req.json()));
      app.get('/fault', async () => {
        throw new Error('warned-fault');
      });
      assert.equal((await app.request('/http')).status, 409);
      assert.equal((await app.request('/json', { method: 'POST', body: '{oops' })).status, 400);
      assert.equal((await app.request('/fault')).status, 500);
      await new Promise((resolve) => setImmediate(resolve));
      // Other tests' failures may be reported meanwhile: look at this app's only.
      assert.deepEqual(
        warnings.filter((message) => message.startsWith('warned-') || message.includes('JSON')),
        ['warned-fault'],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('an unexpected error every request hits is warned once, then at most once a minute with a count', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => {
      if (warning.message.startsWith('repeated-fault')) warnings.push(warning.message);
    };
    process.on('warning', onWarning);
    try {
      const app = new App();
      app.get('/fault', () => {
        throw new Error('repeated-fault');
      });
      for (let i = 0; i < 20; i++) assert.equal((await app.request('/fault')).status, 500);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings, ['repeated-fault']);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
