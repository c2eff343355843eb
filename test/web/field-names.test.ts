/**
 * Field names wirekit writes itself come out in one spelling, the registered one (RFC 9110 and the
 * IANA field registry): `Content-Type`, `Content-Length`, `ETag`, `X-Request-Id`, whether an App
 * helper, a middleware, the static files or the engine wrote them. (Names an app gives keep its own
 * spelling: Headers keeps case; lookups ignore it.) Checked on the wire, over a real socket.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { App, bodyLimit, compress, cors, etag, NotFoundError, requestId, serveStatic } from '../../src/web/index.js';
import type { AppServer } from '../../src/web/listen.js';
import { trackLeaks } from '../helpers/leaks.js';
import { RawClient, request } from '../helpers/raw-client.js';
import { writeFiles } from './static/helpers.js';

const leaks = trackLeaks();

/** Exceptions to Title-Case in the registry's spelling. */
const REGISTERED = new Map([
  ['etag', 'ETag'],
  ['www-authenticate', 'WWW-Authenticate'],
  ['te', 'TE'],
]);

/** The registered spelling of a field name: Title-Case per dash-separated word, with the exceptions above. */
function registered(name: string): string {
  const lower = name.toLowerCase();
  return (
    REGISTERED.get(lower) ?? lower.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())
  );
}

let server: AppServer;
let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'wk-field-names-'));
  await writeFiles(root, {
    'a.txt': 'hello '.repeat(400),
    'app.3f9a2c1b.js': 'x',
    'dir/b.txt': 'b',
    'zipped.txt': 'z'.repeat(2000),
    'zipped.txt.gz': Buffer.from([0x1f, 0x8b]),
  });
  const app = new App();
  app.use(requestId());
  app.use('/api/*', cors({ origin: 'https://app.example' }));
  app.use(compress());
  app.use(etag());
  app.get('/api/text', (c) => c.text('hi'));
  app.get('/api/json', (c) => c.json({ a: 'b'.repeat(2000) }));
  app.get('/api/html', (c) => c.html('<p>hi</p>'));
  app.get('/api/redirect', (c) => c.redirect('/elsewhere'));
  app.get('/api/cookie', (c) => {
    c.cookie('session', 'abc', { maxAge: 60 });
    return c.text('set');
  });
  app.get('/api/missing', () => {
    throw new NotFoundError('no such thing');
  });
  app.get('/api/events', (c) => c.sse(async (stream) => stream.send({ data: 'one' })));
  app.post('/api/small', bodyLimit({ maxBytes: 1 }), async (c) => c.text(await c.req.text()));
  app.use(serveStatic(root));
  server = await app.listen({ port: 0 });
});

after(async () => {
  await server?.close({ timeoutMs: 2000 });
  await rm(root, { recursive: true, force: true });
});

/** The field names of the response to `method target` with `extra` request fields. */
async function namesOf(method: string, target: string, extra: string[] = [], body = ''): Promise<string[]> {
  const client = await RawClient.connect(server.address.port);
  leaks.defer(() => client.destroy());
  await client.write(request(method, target, ['Connection: close', ...extra], body));
  const [response] = await client.read(1, { isHead: () => method === 'HEAD' });
  assert.ok(response, `${method} ${target} was answered`);
  return response.headers.map(([name]) => name);
}

const CASES: [string, string, string[]?, string?][] = [
  ['GET', '/api/text'],
  ['GET', '/api/json', ['Accept-Encoding: gzip', 'Origin: https://app.example']],
  ['GET', '/api/html'],
  ['HEAD', '/api/html'],
  ['GET', '/api/redirect'],
  ['GET', '/api/cookie'],
  ['GET', '/api/missing', ['Accept: application/json']],
  ['GET', '/api/missing'],
  ['GET', '/api/events'],
  ['DELETE', '/api/text'],
  ['OPTIONS', '/api/text', ['Origin: https://app.example', 'Access-Control-Request-Method: PUT']],
  ['POST', '/api/small', [], 'too big'],
  ['GET', '/api/text', ['If-None-Match: *']],
  ['GET', '/a.txt', ['Accept-Encoding: gzip']],
  ['GET', '/a.txt', ['Range: bytes=0-3']],
  ['GET', '/a.txt', ['Range: bytes=0-3,5-6']],
  ['GET', '/a.txt', ['Range: bytes=99999-']],
  ['GET', '/a.txt', ['If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT']],
  ['GET', '/zipped.txt', ['Accept-Encoding: gzip']],
  ['GET', '/app.3f9a2c1b.js'],
  ['GET', '/dir'],
  ['GET', '/dir/'],
  ['GET', '/dir/', ['Accept: application/json']],
  ['PUT', '/nowhere'],
  ['GET', '/%zz'],
];

test('every field name the framework writes is in its registered spelling, on every kind of answer', async () => {
  const wrong: string[] = [];
  let seen = 0;
  for (const [method, target, extra, body] of CASES) {
    for (const name of await namesOf(method, target, extra, body)) {
      seen++;
      if (name !== registered(name)) wrong.push(`${name} (${method} ${target})`);
    }
  }
  assert.ok(seen > 100, `looked at ${seen} fields`);
  assert.deepEqual(wrong, []);
});

test("the engine's own answers too (a malformed request: 400 with Connection: close)", async () => {
  const client = await RawClient.connect(server.address.port);
  leaks.defer(() => client.destroy());
  await client.write('GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n');
  const [response] = await client.read(1);
  assert.equal(response?.status, 400);
  const names = response.headers.map(([name]) => name);
  assert.deepEqual(
    names.filter((name) => name !== registered(name)),
    [],
  );
  assert.ok(names.includes('Content-Type') && names.includes('Connection'), names.join(', '));
});

test('app.request answers with the same spellings (Content-Length added in process)', async () => {
  const app = new App();
  app.get('/', (c) => c.json({ ok: true }));
  const res = await app.request('/');
  assert.deepEqual(
    res.headers.raw().filter((_, i) => i % 2 === 0),
    ['Content-Type', 'Content-Length'],
  );
});
