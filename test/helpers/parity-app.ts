/**
 * The app and the request table of the parity tests: `test/web/parity.test.ts` answers them in
 * process, as a Fetch handler and over a socket; `test/http/h2/parity.test.ts` over HTTP/1.1 and
 * HTTP/2. Every answer must be the same, app-set fields included.
 */
import { App } from '../../src/web/app.js';
import { HttpError } from '../../src/web/http-error.js';

/** One request of the table. */
export interface ParityCase {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The app every case runs against (an `X-App: parity` field on every answer shows the middleware ran). */
export function parityApp(): App {
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

/** The requests; each answers something different (statuses, errors, HEAD, streams, cookies, paths). */
export const PARITY_CASES: readonly ParityCase[] = [
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
