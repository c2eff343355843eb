/**
 * secureHeaders: the default fields, HSTS and upgrade-insecure-requests over HTTPS only, overrides
 * and removals, the handler's own fields winning, X-Powered-By removed, CSP directives (merge,
 * validation against injection), the per-request nonce, and every kind of response (errors, streams,
 * static files) over a real socket.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWirekitError } from '../../../src/errors.js';
import { Request } from '../../../src/http/message/request.js';
import { Response } from '../../../src/http/message/response.js';
import { App } from '../../../src/web/app.js';
import { HttpError } from '../../../src/web/http-error.js';
import { inProcessInfo } from '../../../src/web/in-process.js';
import {
  CSP_NONCE,
  type SecureHeadersOptions,
  type SecureHeadersVariables,
  secureHeaders,
  serveStatic,
} from '../../../src/web/middleware/index.js';
import { freshNonce } from '../../../src/web/middleware/secure-headers/nonce.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';
import { header } from '../../helpers/response-reader.js';
import { tempDir, writeFiles } from '../static/helpers.js';
import { assertRefusedOptions } from './refused-options.js';

const leaks = trackLeaks();

const DEFAULT_POLICY =
  "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; form-action 'self'; " +
  "frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; script-src 'self'; " +
  "script-src-attr 'none'; style-src 'self' https: 'unsafe-inline'";

const DEFAULT_FIELDS: Record<string, string> = {
  'content-security-policy': DEFAULT_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-frame-options': 'SAMEORIGIN',
  'x-dns-prefetch-control': 'off',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

function secureApp(options?: SecureHeadersOptions) {
  const app = new App<SecureHeadersVariables>();
  app.use(secureHeaders(options));
  app.get('/', (c) => c.text('hi'));
  app.get('/nonce', (c) => c.html(`<script nonce="${c.var.cspNonce}">go()</script>`));
  app.get('/powered', (c) => c.text('x', 200, { 'X-Powered-By': 'PHP/5.4', 'X-AspNet-Version': '4.0' }));
  app.get('/own', () => new Response('own', { headers: { 'X-Frame-Options': 'DENY' } }));
  app.get('/helper', (c) => c.text('h', 200, { 'Referrer-Policy': 'same-origin' }));
  app.get('/set', (c) => {
    c.header('Content-Security-Policy', "default-src 'none'");
    return c.text('s');
  });
  app.get('/teapot', () => {
    throw new HttpError(418, 'short and stout');
  });
  app.get('/crash', () => {
    throw new Error('secret');
  });
  app.get('/nothing', () => undefined);
  app.get('/stream', (c) =>
    c.body(
      (async function* () {
        yield new TextEncoder().encode('one ');
        yield new TextEncoder().encode('two');
      })(),
    ),
  );
  return app;
}

function assertDefaults(get: (name: string) => string | null | undefined, label: string) {
  for (const [name, value] of Object.entries(DEFAULT_FIELDS)) assert.equal(get(name), value, `${label}: ${name}`);
}

describe('defaults', () => {
  test('a plain HTTP request gets every default field, no HSTS, and no upgrade-insecure-requests', async () => {
    const res = await secureApp().request('/');
    assertDefaults((name) => res.headers.get(name), '/');
    assert.equal(
      res.headers.get('strict-transport-security'),
      null,
      'HSTS over HTTP is ignored and only helps an attacker',
    );
    assert.equal(res.headers.get('cross-origin-embedder-policy'), null);
    assert.equal(res.headers.get('permissions-policy'), null);
    assert.equal(await res.text(), 'hi');
  });

  test('an HTTPS request (an https:// URL in process) gets HSTS and upgrade-insecure-requests', async () => {
    const res = await secureApp().request('https://example.com/');
    assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
    assert.equal(res.headers.get('content-security-policy'), `${DEFAULT_POLICY}; upgrade-insecure-requests`);
  });

  test('a TLS connection (ConnInfo secure: true) counts as HTTPS too', async () => {
    const req = new Request('/', { headers: { host: 'example.com' } });
    const res = await secureApp().fetch(req, { ...inProcessInfo(), secure: true });
    assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
    assert.match(res.headers.get('content-security-policy') ?? '', /; upgrade-insecure-requests$/);
  });

  test('X-Powered-By and the ASP.NET version fields are removed, whoever set them', async () => {
    const res = await secureApp().request('/powered');
    assert.equal(res.headers.get('x-powered-by'), null);
    assert.equal(res.headers.get('x-aspnet-version'), null);
    assert.equal(await res.text(), 'x');
  });

  test('error answers and a handler that answered nothing get the fields too', async () => {
    const app = secureApp();
    for (const [path, status] of [
      ['/missing', 404],
      ['/teapot', 418],
      ['/crash', 500],
      ['/nothing', 500],
    ] as const) {
      const res = await app.request(path);
      assert.equal(res.status, status, path);
      assertDefaults((name) => res.headers.get(name), path);
    }
  });
});

describe('the handler wins', () => {
  test('a field in its own Response, a helper argument or c.header() is kept; the others are added', async () => {
    const app = secureApp();
    const own = await app.request('/own');
    assert.equal(own.headers.get('x-frame-options'), 'DENY');
    assert.equal(own.headers.get('x-content-type-options'), 'nosniff');
    const helper = await app.request('/helper');
    assert.equal(helper.headers.get('referrer-policy'), 'same-origin');
    const set = await app.request('/set');
    assert.equal(set.headers.get('content-security-policy'), "default-src 'none'");
    assert.equal(set.headers.get('x-frame-options'), 'SAMEORIGIN');
  });

  test('each field is sent once, never doubled', async () => {
    const res = await secureApp().request('/own');
    assert.deepEqual(res.headers.getAll('x-frame-options'), ['DENY']);
    assert.deepEqual(res.headers.getAll('content-security-policy'), [DEFAULT_POLICY]);
  });
});

describe('options', () => {
  test('a string replaces a default; false leaves the field out', async () => {
    const res = await secureApp({
      xFrameOptions: 'DENY',
      referrerPolicy: 'strict-origin-when-cross-origin',
      crossOriginEmbedderPolicy: 'require-corp',
      permissionsPolicy: 'camera=(), geolocation=()',
      xDnsPrefetchControl: false,
      xXssProtection: false,
      originAgentCluster: false,
      contentSecurityPolicy: false,
      removeHeaders: [],
    }).request('/powered');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal(res.headers.get('permissions-policy'), 'camera=(), geolocation=()');
    for (const name of [
      'x-dns-prefetch-control',
      'x-xss-protection',
      'origin-agent-cluster',
      'content-security-policy',
    ]) {
      assert.equal(res.headers.get(name), null, name);
    }
    assert.equal(res.headers.get('x-powered-by'), 'PHP/5.4', 'removeHeaders: [] keeps it');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  test('HSTS can be changed (preload) or turned off', async () => {
    const preload = await secureApp({
      strictTransportSecurity: 'max-age=63072000; includeSubDomains; preload',
    }).request('https://example.com/');
    assert.equal(preload.headers.get('strict-transport-security'), 'max-age=63072000; includeSubDomains; preload');
    const off = await secureApp({ strictTransportSecurity: false }).request('https://example.com/');
    assert.equal(off.headers.get('strict-transport-security'), null);
  });

  test('bad values fail when the middleware is made, naming the option', () => {
    const cases: [SecureHeadersOptions, RegExp][] = [
      [{ xFrameOptions: 'DENY\r\nSet-Cookie: a=1' }, /xFrameOptions/],
      [{ referrerPolicy: '' }, /referrerPolicy/],
      [{ xFrameOptions: true as unknown as string }, /xFrameOptions/],
      [{ strictTransportSecurity: 'includeSubDomains' }, /max-age/],
      [{ removeHeaders: ['X Powered'] }, /removeHeaders/],
    ];
    assertRefusedOptions(secureHeaders, cases);
  });
});

describe('Content-Security-Policy', () => {
  const policyOf = async (options: NonNullable<SecureHeadersOptions['contentSecurityPolicy']>, url = '/') => {
    const res = await secureApp({ contentSecurityPolicy: options }).request(url);
    return res.headers.get('content-security-policy') ?? res.headers.get('content-security-policy-report-only');
  };

  test('directives merge over the defaults: camelCase or dashed names, false drops one, true has no value', async () => {
    const policy = await policyOf({
      directives: {
        scriptSrc: ["'self'", 'https://cdn.example'],
        'img-src': ["'self'", 'https://images.example'],
        objectSrc: false,
        blockAllMixedContent: true,
        reportTo: ['csp-endpoint'],
      },
    });
    assert.equal(
      policy,
      "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; form-action 'self'; " +
        "frame-ancestors 'self'; img-src 'self' https://images.example; script-src 'self' https://cdn.example; " +
        "script-src-attr 'none'; style-src 'self' https: 'unsafe-inline'; block-all-mixed-content; report-to csp-endpoint",
    );
  });

  test('useDefaults: false sends only the directives given; reportOnly uses the report-only field', async () => {
    const res = await secureApp({
      contentSecurityPolicy: { useDefaults: false, reportOnly: true, directives: { defaultSrc: ["'none'"] } },
    }).request('/');
    assert.equal(res.headers.get('content-security-policy'), null);
    assert.equal(res.headers.get('content-security-policy-report-only'), "default-src 'none'");
  });

  test('a policy made only of upgrade-insecure-requests is sent over HTTPS and left out over HTTP', async () => {
    const only = { useDefaults: false, directives: { upgradeInsecureRequests: true } };
    assert.equal(await policyOf(only), null);
    assert.equal(await policyOf(only, 'https://example.com/'), 'upgrade-insecure-requests');
  });

  test('values that would inject a directive, a policy or a field are refused at set-up', () => {
    const bad: Record<string, unknown>[] = [
      { scriptSrc: ["'self'; script-src *"] },
      { scriptSrc: ["'self', script-src *"] },
      { scriptSrc: ["'self'\r\nSet-Cookie: a=1"] },
      { scriptSrc: ['https://a.example https://b.example'] },
      { scriptSrc: [''] },
      { scriptSrc: 'self' },
      { scriptSrc: [42] },
      { 'script src': ["'self'"] },
      { 'script-src;': ["'self'"] },
    ];
    for (const directives of bad) {
      assert.throws(
        () => secureHeaders({ contentSecurityPolicy: { directives: directives as never } }),
        (e) => isWirekitError(e, 'WK_ERR_INVALID_ARGUMENT') && /contentSecurityPolicy/.test(e.message),
        JSON.stringify(directives),
      );
    }
  });

  test("keywords CSP wants quoted are refused unquoted ('self', not self)", () => {
    for (const source of ['self', 'none', 'unsafe-inline', 'strict-dynamic', 'nonce-abc', 'sha256-xyz']) {
      assert.throws(
        () => secureHeaders({ contentSecurityPolicy: { directives: { scriptSrc: [source] } } }),
        new RegExp(`must be quoted, as '${source}'`),
      );
    }
  });

  test('the same directive given camelCase and dashed is refused', () => {
    assert.throws(
      () =>
        secureHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'"], 'script-src': ["'none'"] } } }),
      /given twice/,
    );
  });
});

describe('the nonce', () => {
  const nonceApp = () =>
    secureApp({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", CSP_NONCE], styleSrc: [CSP_NONCE] } } });

  test('every request gets a fresh 128-bit nonce, in c.var and in the policy where CSP_NONCE stands', async () => {
    const app = nonceApp();
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await app.request('/nonce');
      const nonce = /nonce="([^"]+)"/.exec(await res.text())?.[1] ?? '';
      assert.equal(Buffer.from(nonce, 'base64').length, 16, nonce);
      assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
      const policy = res.headers.get('content-security-policy') ?? '';
      assert.ok(policy.includes(`script-src 'self' 'nonce-${nonce}';`), policy);
      assert.ok(policy.includes(`style-src 'nonce-${nonce}'`), policy);
      seen.add(nonce);
    }
    assert.equal(seen.size, 5);
  });

  test('nonces stay unique across refills of the random pool (256 per draw)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const nonce = freshNonce();
      assert.equal(Buffer.from(nonce, 'base64').length, 16);
      seen.add(nonce);
    }
    assert.equal(seen.size, 1000);
  });

  test('without CSP_NONCE in the policy, no nonce is made', async () => {
    const res = await secureApp().request('/nonce');
    assert.equal(await res.text(), '<script nonce="undefined">go()</script>');
  });
});

describe('over a socket', () => {
  test('a streamed body, an SSE stream and a plain answer carry the fields on the wire', async () => {
    const app = secureApp();
    app.get('/events', (c) => c.sse(async (stream) => stream.send({ data: 'one' })));
    const server = await startServer(leaks, app.handler);
    const client = await server.client();
    await client.write(request('GET', '/stream') + request('GET', '/events') + request('GET', '/powered'));
    const [stream, events, powered] = await client.read(3);
    assert.ok(stream !== undefined && events !== undefined && powered !== undefined);
    assert.ok(stream.chunked, 'the body was streamed');
    assert.equal(stream.body.toString(), 'one two');
    assert.match(header(events, 'content-type') ?? '', /^text\/event-stream/);
    for (const res of [stream, events, powered]) assertDefaults((name) => header(res, name), `${res.status}`);
    assert.equal(header(powered, 'x-powered-by'), undefined);
  });

  test('static files get the fields, with the one nosniff serveStatic sets', async () => {
    const root = await tempDir(leaks);
    await writeFiles(root, { 'index.html': '<h1>home</h1>', 'big.txt': 'x'.repeat(2 * 1024 * 1024) });
    const app = new App();
    app.use(secureHeaders());
    app.use(serveStatic(root, { smallFileBytes: 1024 }));
    const server = await startServer(leaks, app.handler);
    const client = await server.client();
    await client.write(request('GET', '/') + request('GET', '/big.txt'));
    const [page, big] = await client.read(2);
    assert.ok(page !== undefined && big !== undefined);
    assert.equal(page.body.toString(), '<h1>home</h1>');
    assert.equal(big.body.length, 2 * 1024 * 1024, 'the large file was streamed from disk');
    for (const res of [page, big]) {
      assertDefaults((name) => header(res, name), res.status === 200 ? 'file' : 'page');
      assert.equal(res.headers.filter(([name]) => name.toLowerCase() === 'x-content-type-options').length, 1);
    }
  });
});
