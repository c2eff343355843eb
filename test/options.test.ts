/**
 * Every public entry point checks its options: a misspelt key fails naming the right one, enums and
 * kinds are checked, serveStatic checks its root, and a port may come from process.env.PORT.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  Agent,
  App,
  accessLog,
  basicAuth,
  bearerAuth,
  bind,
  bodyLimit,
  Client,
  Connection,
  compress,
  connect,
  cors,
  csrf,
  etag,
  fetch,
  isWirekitError,
  listen,
  MemoryStore,
  Pool,
  Response,
  rateLimit,
  request,
  requestId,
  secureHeaders,
  serve,
  serveStatic,
} from '../src/index.js';
import { trackLeaks } from './helpers/leaks.js';

const leaks = trackLeaks();

function invalid(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(isWirekitError(error, 'WK_ERR_INVALID_ARGUMENT'), String(error));
    assert.match((error as Error).message, pattern);
    return true;
  };
}

/** An options object as untyped data (as JavaScript users and JSON configs give it): fits any parameter. */
function loose(options: Record<string, unknown>): never {
  return options as never;
}

describe('unknown keys name the nearest valid one, at every entry point', () => {
  test('net: listen, connect, bind', async () => {
    await assert.rejects(
      listen(loose({ prot: 3000 }), () => {}),
      invalid(/^unknown option "prot" for listen\(\); did you mean "port"\?$/),
    );
    await assert.rejects(
      connect(loose({ port: 1, conectTimeoutMs: 5 })),
      invalid(/for connect\(\); did you mean "connectTimeoutMs"\?/),
    );
    await assert.rejects(bind(loose({ queueLimt: 5 })), invalid(/for bind\(\); did you mean "queueLimit"\?/));
    await assert.rejects(
      bind(loose({ type: 'udp5' })),
      invalid(/bind\(\): type must be one of "udp4", "udp6", got a string \("udp5"\)/),
    );
    assert.throws(
      () => Connection.from(new Socket(), loose({ idleTimeout: 5 })),
      invalid(/for Connection\.from\(\); did you mean "idleTimeoutMs"/),
    );
  });

  test('serve, App, app.listen', async () => {
    const handler = () => new Response('x');
    await assert.rejects(
      serve(handler, loose({ idleTimeout: 5 })),
      invalid(/for serve\(\); did you mean "idleTimeoutMs"\?/),
    );
    await assert.rejects(
      serve(handler, loose({ maxBodyBytes: '1mb' })),
      invalid(/serve\(\): maxBodyBytes must be an integer ≥ 0, got a string/),
    );
    assert.throws(() => new App(loose({ secret: ['s'] })), invalid(/for new App\(\); did you mean "secrets"\?/));
    assert.throws(
      () => new App(loose({ form: { maxFile: 1 } })),
      invalid(/for new App\(\) form; did you mean "maxFileBytes"\?/),
    );
    assert.throws(() => new App(loose({ logger: console })), invalid(/logger must be a logger .*got an object/));
    await assert.rejects(
      new App().listen(loose({ hots: '0.0.0.0' })),
      invalid(/for app\.listen\(\); did you mean "host"\?/),
    );
  });

  test('middleware', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => accessLog(loose({ skipp: () => false })), /accessLog\(\); did you mean "skip"/],
      [() => basicAuth(loose({ users: { a: 'b' }, relm: 'x' })), /basicAuth\(\); did you mean "realm"/],
      [() => bearerAuth(loose({ token: 't', realms: 'x' })), /bearerAuth\(\); did you mean "realm"/],
      [() => bodyLimit(loose({ maxByte: 10 })), /bodyLimit\(\); did you mean "maxBytes"/],
      [() => compress(loose({ encoding: ['gzip'] })), /compress\(\); did you mean "encodings"/],
      [() => cors(loose({ orign: '*' })), /cors\(\); did you mean "origin"/],
      [() => csrf(loose({ secFetchSites: 'same-origin' })), /csrf\(\); did you mean "secFetchSite"/],
      [() => etag(loose({ weakk: true })), /etag\(\); did you mean "weak"/],
      [() => rateLimit(loose({ windowMs: 60_000, limit: 5, header: true })), /rateLimit\(\); did you mean "headers"/],
      [() => new MemoryStore(loose({ maxKey: 5 })), /new MemoryStore\(\); did you mean "maxKeys"/],
      [() => requestId(loose({ headers: 'X-Id' })), /requestId\(\); did you mean "header"/],
      [() => secureHeaders(loose({ xFrameOption: 'DENY' })), /secureHeaders\(\); did you mean "xFrameOptions"/],
      [
        () => secureHeaders(loose({ contentSecurityPolicy: { directive: {} } })),
        /secureHeaders\(\) contentSecurityPolicy; did you mean "directives"/,
      ],
      [() => serveStatic('.', loose({ maxAge: 60 })), /serveStatic\(\); did you mean "maxAgeSeconds"/],
    ];
    for (const [make, pattern] of cases) assert.throws(make, invalid(pattern), String(pattern));
  });

  test('enum values are checked: compress({ encodings: ["lzma"] })', () => {
    assert.throws(
      () => compress(loose({ encodings: ['lzma'] })),
      invalid(/^compress\(\): encodings must be a list of "br", "zstd" and "gzip", got an array \(\["lzma"\]\)$/),
    );
    assert.throws(
      () => serveStatic('.', loose({ dotfiles: 'hide' })),
      invalid(/dotfiles must be one of "ignore", "deny", "allow"/),
    );
    assert.throws(
      () => serveStatic('.', loose({ etag: 'yes' })),
      invalid(/etag must be one of "strong", "weak", false/),
    );
  });

  test('client: Pool, Client, Agent at set-up; request, pool.request, agent.request, fetch per call', async () => {
    assert.throws(
      () => new Pool('http://127.0.0.1:1', loose({ connection: 2 })),
      invalid(/for new Pool\(\); did you mean "connections"/),
    );
    assert.throws(
      () => new Pool('http://127.0.0.1:1', loose({ timeouts: { headerTimeoutMs: 1 } })),
      invalid(/for timeouts; did you mean "headersTimeoutMs"/),
    );
    assert.throws(
      () => new Client('http://127.0.0.1:1', loose({ connections: 2 })),
      invalid(/unknown option "connections" for new Client\(\)/),
    );
    assert.throws(
      () => new Agent(loose({ poolIdleTimeout: 5 })),
      invalid(/for new Agent\(\); did you mean "poolIdleTimeoutMs"/),
    );
    const agent = new Agent();
    leaks.defer(() => agent.destroy());
    const pool = new Pool('http://127.0.0.1:1');
    leaks.defer(() => pool.destroy());
    await assert.rejects(
      request('http://127.0.0.1:1/', loose({ timout: 5, dispatcher: agent })),
      invalid(/for request\(\); did you mean "timeouts"/),
    );
    await assert.rejects(pool.request(loose({ pth: '/' })), invalid(/for pool\.request\(\); did you mean "path"/));
    await assert.rejects(
      agent.request('http://127.0.0.1:1/', loose({ path: '/' })),
      invalid(/unknown option "path" for agent\.request\(\)/),
    );
    await assert.rejects(
      agent.request('http://127.0.0.1:1/', loose({ timeouts: { totalTimeout: 1 } })),
      invalid(/did you mean "totalTimeoutMs"/),
    );
    await assert.rejects(
      fetch('http://127.0.0.1:1/', loose({ methd: 'GET', dispatcher: agent })),
      invalid(/for fetch\(\); did you mean "method"/),
    );
  });
});

describe('serveStatic checks its root when it is made', () => {
  test('a missing root, or a file, fails at set-up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wirekit-static-root-'));
    try {
      writeFileSync(join(dir, 'file.txt'), 'x');
      assert.throws(
        () => serveStatic(join(dir, 'no-such-dir')),
        invalid(/^serveStatic\(\): the root ".*no-such-dir" does not exist$/),
      );
      assert.throws(
        () => serveStatic(join(dir, 'file.txt')),
        invalid(/^serveStatic\(\): the root ".*file\.txt" is not a directory$/),
      );
      serveStatic(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a port from process.env.PORT', () => {
  test('serve, listen and app.listen take a numeric string; "3000abc" says it got a string', async () => {
    const server = await serve(() => new Response('ok'), loose({ port: '0' }));
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    assert.equal(await (await globalThis.fetch(`${server.url}/`)).text(), 'ok');
    const net = await listen(loose({ port: '0' }), (conn) => void conn.close());
    leaks.defer(() => net.close({ timeoutMs: 0 }));
    assert.ok(net.address.port > 0);
    const app = new App();
    const appServer = await app.listen(loose({ port: '0' }));
    leaks.defer(() => appServer.close({ timeoutMs: 0 }));
    assert.ok(appServer.address.port > 0);
    await assert.rejects(
      serve(() => new Response('x'), loose({ port: '3000abc' })),
      invalid(
        /^serve\(\): port must be a port: an integer from 0 to 65535 \(or a string of its digits\), got a string \("3000abc"\)$/,
      ),
    );
  });
});
