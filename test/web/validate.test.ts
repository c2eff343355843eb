/** validate(): any Standard Schema validator (zod and valibot here), every target, 400 naming the field. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as v from 'valibot';
import { z } from 'zod';
import { App } from '../../src/web/app.js';
import { type Infer, type StandardSchemaV1, validate } from '../../src/web/validate.js';

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

interface Problem {
  error: string;
  status: number;
  issues: { target: string; path: string; message: string }[];
}

describe('with zod', () => {
  const Params = z.object({ id: z.coerce.number().int() });
  const Body = z.object({
    name: z.string().min(1),
    address: z.object({ city: z.string() }),
    tags: z.array(z.string()),
  });
  const Query = z.object({ tag: z.union([z.string(), z.array(z.string())]).optional(), page: z.string().optional() });
  const app = new App();
  let handlerRuns = 0;
  app.post('/users/:id', validate({ params: Params, body: Body, query: Query }), (c) => {
    handlerRuns++;
    // Real types, checked at compile time: these assignments fail to build if valid() were `unknown`.
    const body: { name: string; address: { city: string }; tags: string[] } = c.req.valid<Infer<typeof Body>>('body');
    const params: { id: number } = c.req.valid<Infer<typeof Params>>('params');
    // @ts-expect-error: the output type is not `any`
    const wrong: number = c.req.valid<Infer<typeof Body>>('body');
    void wrong;
    return { id: params.id, city: body.address.city, query: c.req.valid('query') };
  });

  test('valid input reaches the handler as the validator output (coerced)', async () => {
    const res = await app.request('/users/42?tag=a&tag=b&page=2', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ name: 'Ada', address: { city: 'London' }, tags: [] }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { id: 42, city: 'London', query: { tag: ['a', 'b'], page: '2' } });
  });

  test('a failing nested field → 400 naming it, with every issue of every target', async () => {
    const runs = handlerRuns;
    const res = await app.request('/users/x', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ name: '', address: { city: 7 }, tags: ['ok', 3] }),
    });
    assert.equal(res.status, 400);
    const problem = (await res.json()) as Problem;
    assert.equal(problem.status, 400);
    assert.match(problem.error, /^invalid params\.id: .+ \(and 3 more\)$/);
    assert.deepEqual(
      problem.issues.map((i) => `${i.target}:${i.path}`),
      ['params:id', 'body:name', 'body:address.city', 'body:tags.1'],
    );
    for (const issue of problem.issues) assert.ok(issue.message.length > 0);
    assert.equal(handlerRuns, runs, 'the handler did not run');
  });

  test('without Accept: application/json the 400 is text naming the field', async () => {
    const res = await app.request('/users/1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'a', address: {}, tags: [] }),
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /^invalid body\.address\.city: /);
  });

  test('malformed JSON is a 400 before any validation', async () => {
    const res = await app.request('/users/1', { method: 'POST', headers: JSON_HEADERS, body: '{"name":' });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'the body is not valid JSON', status: 400 });
  });

  test('a missing body (no type, empty) is undefined for the schema', async () => {
    const res = await app.request('/users/1', { method: 'POST', headers: { accept: 'application/json' } });
    const problem = (await res.json()) as Problem;
    assert.equal(res.status, 400);
    assert.deepEqual(
      problem.issues.map((i) => `${i.target}:${i.path}`),
      ['body:'],
    );
    assert.match(problem.error, /^invalid body: /);
  });
});

describe('with valibot', () => {
  const Headers = v.object({ 'x-api-key': v.pipe(v.string(), v.minLength(8)) });
  const Cookies = v.object({ session: v.string() });
  const Body = v.object({ items: v.array(v.object({ qty: v.number() })) });
  const app = new App();
  app.post('/orders', validate({ headers: Headers, cookies: Cookies, body: Body }), (c) => {
    const body: { items: { qty: number }[] } = c.req.valid<Infer<typeof Body>>('body');
    const headers = c.req.valid<Infer<typeof Headers>>('headers');
    return { total: body.items.reduce((n, i) => n + i.qty, 0), key: headers['x-api-key'] };
  });

  test('headers (lower-cased names), cookies and body pass', async () => {
    const res = await app.request('/orders', {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'X-API-Key': '12345678', cookie: 'session=s1' },
      body: JSON.stringify({ items: [{ qty: 2 }, { qty: 3 }] }),
    });
    assert.deepEqual(await res.json(), { total: 5, key: '12345678' });
  });

  test("valibot's { key } path segments become a dotted path", async () => {
    const res = await app.request('/orders', {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'X-API-Key': 'short' },
      body: JSON.stringify({ items: [{ qty: 1 }, { qty: 'two' }] }),
    });
    assert.equal(res.status, 400);
    const problem = (await res.json()) as Problem;
    assert.deepEqual(
      problem.issues.map((i) => `${i.target}:${i.path}`),
      ['headers:x-api-key', 'cookies:session', 'body:items.1.qty'],
    );
  });
});

describe('body kinds', () => {
  const Form = z.object({ name: z.string(), tag: z.array(z.string()), file: z.instanceof(File).optional() });
  const app = new App();
  app.post('/form', validate({ body: Form }), (c) => {
    const form = c.req.valid<Infer<typeof Form>>('body');
    return { name: form.name, tag: form.tag, file: form.file ? `${form.file.name}:${form.file.size}` : null };
  });
  app.post('/text', validate({ body: z.string().max(5) }), (c) => c.text(c.req.valid<string>('body')));

  test('a urlencoded form is an object, repeated keys as arrays', async () => {
    const res = await app.request('/form', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=a&tag=x&tag=y',
    });
    assert.deepEqual(await res.json(), { name: 'a', tag: ['x', 'y'], file: null });
  });

  test('a multipart form gives files as File', async () => {
    const form = new FormData();
    form.append('name', 'n');
    form.append('tag', 'x');
    form.append('tag', 'y');
    form.append('file', new Blob(['hello']), 'h.txt');
    const request = new globalThis.Request('http://x/', { method: 'POST', body: form });
    const res = await app.request('/form', {
      method: 'POST',
      headers: { 'content-type': request.headers.get('content-type') ?? '' },
      body: new Uint8Array(await request.arrayBuffer()),
    });
    assert.deepEqual(await res.json(), { name: 'n', tag: ['x', 'y'], file: 'h.txt:5' });
  });

  test('text/* is a string', async () => {
    const ok = await app.request('/text', { method: 'POST', body: 'short' });
    assert.equal(await ok.text(), 'short');
    const long = await app.request('/text', { method: 'POST', body: 'too long' });
    assert.equal(long.status, 400);
  });

  test('another content type → 415', async () => {
    const res = await app.request('/text', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1]),
    });
    assert.equal(res.status, 415);
  });

  test('+json types are JSON', async () => {
    const a = new App();
    a.post('/', validate({ body: z.object({ x: z.number() }) }), (c) => c.req.valid('body'));
    const res = await a.request('/', {
      method: 'POST',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: '{"x":1}',
    });
    assert.deepEqual(await res.json(), { x: 1 });
  });
});

describe('any Standard Schema', () => {
  /** A hand-written async validator: the spec allows validate() to return a Promise. */
  const evenId: StandardSchemaV1<unknown, { id: number }> = {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: async (value) => {
        await new Promise((resolve) => setImmediate(resolve));
        const id = Number((value as { id?: string }).id);
        return id % 2 === 0 ? { value: { id } } : { issues: [{ message: 'must be even', path: [{ key: 'id' }] }] };
      },
    },
  };
  const app = new App();
  app.get('/n/:id', validate({ params: evenId }), (c) => c.req.valid<Infer<typeof evenId>>('params'));

  test('an async validator works and its output is stored', async () => {
    assert.deepEqual(await (await app.request('/n/4')).json(), { id: 4 });
    const res = await app.request('/n/3', { headers: { accept: 'application/json' } });
    assert.deepEqual(await res.json(), {
      error: 'invalid params.id: must be even',
      status: 400,
      issues: [{ target: 'params', path: 'id', message: 'must be even' }],
    });
  });

  test('query keys such as __proto__ stay data', async () => {
    const seen: unknown[] = [];
    const spy: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'spy',
        validate: (value) => {
          seen.push(value);
          return { value };
        },
      },
    };
    const a = new App();
    a.get('/', validate({ query: spy }), () => 'ok');
    await a.request('/?__proto__=x&a=1');
    const query = seen[0] as object;
    assert.equal(Object.getPrototypeOf(query), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(query, '__proto__')?.value, 'x');
  });

  test('reading a target that was not validated is a 500 (a bug in the app)', async () => {
    const a = new App();
    a.get('/', (c) => c.req.valid('body'));
    assert.equal((await a.request('/')).status, 500);
  });
});

test('validate() fits an App with typed variables (V is inferred from the route)', async () => {
  const app = new App<{ user: string }>();
  app.use(async (c, next) => {
    c.set('user', 'ada');
    await next();
  });
  app.post('/', validate({ body: z.object({ n: z.number() }) }), (c) => ({
    user: c.var.user,
    n: c.req.valid<{ n: number }>('body').n,
  }));
  const res = await app.request('/', { method: 'POST', headers: JSON_HEADERS, body: '{"n":1}' });
  assert.deepEqual(await res.json(), { user: 'ada', n: 1 });
});

test("the validator's valid(c, target) is typed by the schema, with no type written", async () => {
  const Body = z.object({ n: z.number(), tags: z.array(z.string()) });
  const create = validate({ body: Body, query: v.object({ dry: v.optional(v.string()) }) });
  const app = new App<{ user: string }>();
  app.use(async (c, next) => {
    c.set('user', 'ada');
    await next();
  });
  app.post('/', create, (c) => {
    const body = create.valid(c, 'body');
    const n: number = body.n;
    const tags: string[] = body.tags;
    const dry: string | undefined = create.valid(c, 'query').dry;
    // @ts-expect-error: the output is typed, not `any` or `unknown`
    const wrong: string = body.n;
    void wrong;
    // Never called: it only has to fail to compile.
    // @ts-expect-error: only validated targets can be asked for
    void (() => create.valid(c, 'params'));
    return { user: c.var.user, n, tags, dry: dry ?? null };
  });
  const res = await app.request('/?dry=1', { method: 'POST', headers: JSON_HEADERS, body: '{"n":1,"tags":["a"]}' });
  assert.deepEqual(await res.json(), { user: 'ada', n: 1, tags: ['a'], dry: '1' });
});

test('after validate() the handler can still read the body (json, text), as in Hono', async () => {
  const app = new App();
  app.post('/', validate({ body: z.object({ n: z.number() }) }), async (c) => ({
    raw: await c.req.text(),
    json: await c.req.json(),
  }));
  const res = await app.request('/', { method: 'POST', headers: JSON_HEADERS, body: '{"n":1}' });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { raw: '{"n":1}', json: { n: 1 } });
});
