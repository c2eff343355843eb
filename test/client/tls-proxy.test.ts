/**
 * HTTPS through node:tls with a self-signed certificate generated for the test (openssl), SNI and
 * rejectUnauthorized; HTTP proxies through CONNECT (a proxy written here), with auth, errors, and
 * the HTTP_PROXY / HTTPS_PROXY / NO_PROXY rules.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import { before, describe, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { Agent, parseOrigin, proxyFromEnvironment } from '../../src/client/index.js';
import { isWirekitError } from '../../src/errors.js';
import { trackLeaks } from '../helpers/leaks.js';
import { selfSignedCertificate } from '../helpers/tls-cert.js';
import { closeAfter, connectProxy, rawServer, reply, trackedPool } from './helpers.js';

const leaks = trackLeaks();
let key = '';
let cert = '';

before(() => {
  ({ key, cert } = selfSignedCertificate());
});

/** An HTTPS server answering with the SNI name it saw. */
async function httpsServer(): Promise<{ port: number; url: string }> {
  const server = createHttpsServer({ key, cert }, (req, res) => {
    res.end(`secure ${req.url} sni=${(req.socket as TLSSocket).servername || '-'}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeAfter(leaks, server);
  const port = (server.address() as { port: number }).port;
  return { port, url: `https://127.0.0.1:${port}` };
}

describe('TLS', () => {
  test('a self-signed certificate is refused by default: WK_ERR_TLS with the verification error', async () => {
    const server = await httpsServer();
    await assert.rejects(trackedPool(leaks, server.url).request({ path: '/' }), (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_TLS'), String(error));
      assert.match(String((error.cause as NodeJS.ErrnoException).code), /SELF_SIGNED/);
      assert.equal(error.remoteAddress?.port, server.port);
      return true;
    });
  });

  test('trusted through `ca`: SNI is sent for a name, TLS time is measured, the connection reused', async () => {
    const server = await httpsServer();
    const p = trackedPool(leaks, `https://localhost:${server.port}`, { tls: { ca: cert } });
    const res = await p.request({ path: '/a' });
    assert.equal(await res.body.text(), 'secure /a sni=localhost');
    assert.ok(res.timings.tls > 0, JSON.stringify(res.timings));
    assert.equal(res.remoteAddress?.port, server.port);
    assert.ok(res.localAddress !== undefined);
    const again = await p.request({ path: '/b' });
    assert.equal(await again.body.text(), 'secure /b sni=localhost');
    assert.equal(again.reused, true);
  });

  test('rejectUnauthorized: false accepts it (and no SNI for an IP address)', async () => {
    const server = await httpsServer();
    const res = await trackedPool(leaks, server.url, { tls: { rejectUnauthorized: false } }).request({ path: '/' });
    assert.equal(await res.body.text(), 'secure / sni=-');
  });

  test('a server that never answers the handshake: WK_ERR_TLS_TIMEOUT', async () => {
    const server = await rawServer(leaks, () => {});
    const p = trackedPool(leaks, `https://127.0.0.1:${server.port}`, { timeouts: { tlsTimeoutMs: 200 } });
    await assert.rejects(p.request({ path: '/' }), { code: 'WK_ERR_TLS_TIMEOUT' });
  });
});

describe('proxy (CONNECT)', () => {
  test('plain HTTP goes through a tunnel; the proxy sees only host:port', async () => {
    const target = await rawServer(leaks, (req, socket) => socket.write(reply(`via ${req.path}`)));
    const proxy = await connectProxy(leaks);
    const p = trackedPool(leaks, target.url, { proxy: proxy.url });
    assert.equal(await (await p.request({ path: '/x' })).body.text(), 'via /x');
    assert.equal(await (await p.request({ path: '/y' })).body.text(), 'via /y');
    assert.deepEqual(proxy.seen, [`CONNECT 127.0.0.1:${target.port} HTTP/1.1`], 'one tunnel, kept alive');
  });

  test('HTTPS inside the tunnel, with proxy credentials from the URL', async () => {
    const server = await httpsServer();
    const proxy = await connectProxy(leaks, `Basic ${Buffer.from('user:pa ss').toString('base64')}`);
    const p = trackedPool(leaks, `https://localhost:${server.port}`, {
      tls: { ca: cert },
      proxy: proxy.url.replace('http://', 'http://user:pa%20ss@'),
    });
    assert.equal(await (await p.request({ path: '/s' })).body.text(), 'secure /s sni=localhost');
  });

  test('a refusal is WK_ERR_PROXY with its status', async () => {
    const proxy = await connectProxy(leaks, 'Basic right');
    const p = trackedPool(leaks, 'http://127.0.0.1:9', { proxy: proxy.url });
    await assert.rejects(p.request({ path: '/' }), (error) => {
      assert.ok(isWirekitError(error, 'WK_ERR_PROXY'));
      assert.equal(error.status, 407);
      assert.match(error.message, /407 Proxy Authentication Required/);
      return true;
    });
  });

  test('proxyFromEnv: HTTP_PROXY is used, NO_PROXY bypasses it', async () => {
    const target = await rawServer(leaks, (_req, socket) => socket.write(reply('direct or not')));
    const proxy = await connectProxy(leaks);
    const viaProxy = new Agent({ proxyFromEnv: { HTTP_PROXY: proxy.url } });
    const bypass = new Agent({ proxyFromEnv: { HTTP_PROXY: proxy.url, NO_PROXY: 'example.com, 127.0.0.1' } });
    leaks.defer(() => viaProxy.destroy());
    leaks.defer(() => bypass.destroy());
    await (await viaProxy.request(`${target.url}/`)).body.dump();
    assert.equal(proxy.seen.length, 1);
    await (await bypass.request(`${target.url}/`)).body.dump();
    assert.equal(proxy.seen.length, 1, 'NO_PROXY matched');
  });

  test('the environment rules: scheme, lower case first, CGI, NO_PROXY forms', () => {
    const http = parseOrigin('http://api.example.com:8080');
    const https = parseOrigin('https://api.example.com');
    const env = { HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:1', HTTPS_PROXY: 'proxy:3' };
    assert.equal(proxyFromEnvironment(http, env)?.origin.href, 'http://lower:1');
    assert.equal(proxyFromEnvironment(https, env)?.origin.href, 'http://proxy:3');
    assert.equal(proxyFromEnvironment(http, { HTTP_PROXY: 'http://p:1', REQUEST_METHOD: 'GET' }), undefined);
    for (const noProxy of ['*', 'example.com', '.example.com', 'api.example.com:8080', 'other, *.example.com']) {
      assert.equal(proxyFromEnvironment(http, { HTTP_PROXY: 'http://p:1', NO_PROXY: noProxy }), undefined, noProxy);
    }
    for (const noProxy of ['api.example.com:9090', 'notexample.com', 'example.org']) {
      assert.ok(proxyFromEnvironment(http, { HTTP_PROXY: 'http://p:1', NO_PROXY: noProxy }) !== undefined, noProxy);
    }
  });
});
