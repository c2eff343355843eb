/**
 * HTTPS on our own HTTP/1.1 engine (`serve(handler, { tls })`, `app.listen({ tls })`) over real
 * sockets: the URL and ConnInfo facts, SNI (table, wildcards, callback, unknown names), client
 * certificates (accepted, refused, admitted unauthorised), certificate reload without dropping a
 * connection, and the plain-HTTP redirect listener.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ConnectionOptions } from 'node:tls';
import type { WirekitError } from '../../../src/errors.js';
import { Response, type ServeOptions, serve } from '../../../src/http/index.js';
import { App } from '../../../src/web/index.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { RawClient } from '../../helpers/raw-client.js';
import { bodyText, header } from '../../helpers/response-reader.js';
import { fingerprintOf, type TestPki, testPki } from '../../helpers/tls-certs.js';
import { eventually } from '../../helpers/wait.js';

const leaks = trackLeaks();
let pki: TestPki;

before(async () => {
  pki = await testPki();
});

/** Serves `info` as JSON for every request. */
async function infoServer(options: ServeOptions) {
  const server = await serve(
    (request, info) =>
      Response.json({ url: request.url, secure: info.secure, tls: info.tls, requests: info.requestCount }),
    options,
  );
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  return server;
}

async function client(port: number, options: ConnectionOptions): Promise<RawClient> {
  const raw = await RawClient.connectTls(port, { ca: pki.ca.cert, ...options });
  leaks.defer(() => raw.destroy());
  return raw;
}

/** Sends `GET path` on the client and returns the n-th response's JSON body. */
async function get(raw: RawClient, n: number, path = '/', host = 'localhost') {
  await raw.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  const responses = await raw.read(n);
  return JSON.parse(bodyText(responses[n - 1] as (typeof responses)[number]));
}

test('serve({ tls }): an https URL, info.secure and what the connection negotiated', async () => {
  const server = await infoServer({ tls: { key: pki.server.key, cert: pki.server.cert } });
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const raw = await client(server.address.port, { servername: 'localhost', ALPNProtocols: ['http/1.1'] });
  const body = await get(raw, 1, '/x?y=1');
  assert.equal(body.url, `https://localhost/x?y=1`);
  assert.equal(body.secure, true);
  assert.equal(body.tls.protocol, 'TLSv1.3');
  // The server offers h2 and http/1.1 (test/http/h2/tls.test.ts checks h2); this raw client speaks HTTP/1.1.
  assert.equal(body.tls.alpnProtocol, 'http/1.1');
  assert.equal(body.tls.serverName, 'localhost');
  assert.equal(server.tlsStats?.handshakes, 1);
});

test('app.listen({ tls }) and c.info.tls', async () => {
  const app = new App();
  app.get('/', (c) => c.json({ protocol: c.info.tls?.protocol, secure: c.info.secure }));
  const server = await app.listen({ tls: { key: pki.server.key, cert: pki.server.cert } });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const raw = await client(server.address.port, { servername: 'localhost', maxVersion: 'TLSv1.2' });
  assert.deepEqual(await get(raw, 1), { protocol: 'TLSv1.2', secure: true });
});

test('SNI: exact names, one-label wildcards, and the default pair for other names', async () => {
  const server = await infoServer({
    tls: {
      key: pki.server.key,
      cert: pki.server.cert,
      sni: { 'a.test': pki.apex, '*.wild.test': pki.wildcard },
    },
  });
  const port = server.address.port;
  const seen = async (servername: string): Promise<string> => {
    const raw = await client(port, { servername, checkServerIdentity: () => undefined });
    const fingerprint = raw.tls.getPeerCertificate().fingerprint256;
    raw.destroy();
    return fingerprint;
  };
  assert.equal(await seen('a.test'), await fingerprintOf(pki.apex.cert));
  assert.equal(await seen('A.TEST'), await fingerprintOf(pki.apex.cert));
  assert.equal(await seen('x.wild.test'), await fingerprintOf(pki.wildcard.cert));
  assert.equal(await seen('x.y.wild.test'), await fingerprintOf(pki.server.cert));
  assert.equal(await seen('wild.test'), await fingerprintOf(pki.server.cert));
  assert.equal(await seen('other.test'), await fingerprintOf(pki.server.cert));
  // A client that checks the name accepts the certificate SNI chose.
  const strict = await client(port, { servername: 'x.wild.test' });
  assert.equal((await get(strict, 1, '/', 'x.wild.test')).tls.serverName, 'x.wild.test');
});

test("SNI: sniUnknown 'reject' fails the handshake of an unknown name; a callback may answer late", async () => {
  const asked: string[] = [];
  const server = await infoServer({
    tls: {
      key: pki.server.key,
      cert: pki.server.cert,
      sniUnknown: 'reject',
      sni: async (name) => {
        asked.push(name);
        await new Promise((resolve) => setImmediate(resolve));
        return name === 'a.test' ? pki.apex : undefined;
      },
    },
  });
  const port = server.address.port;
  const known = await client(port, { servername: 'a.test' });
  assert.equal(known.tls.getPeerCertificate().fingerprint256, await fingerprintOf(pki.apex.cert));
  await assert.rejects(RawClient.connectTls(port, { ca: pki.ca.cert, servername: 'unknown.test' }));
  assert.deepEqual(asked, ['a.test', 'unknown.test']);
  assert.equal(server.tlsStats?.failed, 1);
  // No name at all (a client that connected to an IP address): the default pair.
  const noName = await client(port, { servername: '' });
  assert.equal(noName.tls.getPeerCertificate().fingerprint256, await fingerprintOf(pki.server.cert));
});

test('mTLS: a client certificate from the CA is accepted and shown in info.tls.peerCertificate', async () => {
  const server = await infoServer({
    tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true },
  });
  const raw = await client(server.address.port, {
    servername: 'localhost',
    key: pki.client.key,
    cert: pki.client.cert,
  });
  const peer = (await get(raw, 1)).tls.peerCertificate;
  assert.equal(peer.subject.CN, 'alice');
  assert.equal(peer.issuer.CN, 'wirekit test CA');
  assert.equal(peer.fingerprint256, await fingerprintOf(pki.client.cert));
  assert.equal(peer.authorized, true);
  assert.equal(peer.authorizationError, undefined);
  assert.ok(new Date(peer.validTo).getTime() > Date.now());
  assert.ok(new Date(peer.validFrom).getTime() < Date.now());
});

test('mTLS: a missing or unknown client certificate is refused and counted', async () => {
  const server = await infoServer({
    tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true },
  });
  const port = server.address.port;
  for (const credentials of [{}, { key: pki.strangerClient.key, cert: pki.strangerClient.cert }]) {
    // TLS 1.3: the client may finish its side before the server refuses; then no request is answered.
    const outcome = await RawClient.connectTls(port, { ca: pki.ca.cert, servername: 'localhost', ...credentials }).then(
      async (raw) => {
        leaks.defer(() => raw.destroy());
        await raw.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
        await raw.waitEnded();
        return raw.text;
      },
      () => 'refused',
    );
    assert.ok(outcome === 'refused' || outcome === '', `no answer expected, got ${outcome}`);
  }
  await eventually(() => server.tlsStats?.clientCertRefused === 2, 'two refusals counted');
  assert.equal(server.tlsStats?.handshakes ?? 0, 0);
});

test('mTLS with rejectUnauthorized: false admits the client and says why it is not authorised', async () => {
  const server = await infoServer({
    tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false },
  });
  const port = server.address.port;
  const stranger = await client(port, {
    servername: 'localhost',
    key: pki.strangerClient.key,
    cert: pki.strangerClient.cert,
  });
  const peer = (await get(stranger, 1)).tls.peerCertificate;
  assert.equal(peer.subject.CN, 'mallory');
  assert.equal(peer.authorized, false);
  assert.match(peer.authorizationError, /UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY|SELF_SIGNED/);
  const anonymous = await client(port, { servername: 'localhost' });
  assert.equal((await get(anonymous, 1)).tls.peerCertificate, undefined);
});

test('setCertificates: an open keep-alive connection keeps its certificate, new ones get the new one', async () => {
  const server = await infoServer({ tls: { key: pki.server.key, cert: pki.server.cert } });
  const port = server.address.port;
  const old = await client(port, { servername: 'localhost' });
  assert.equal((await get(old, 1)).requests, 1);
  const oldPrint = await fingerprintOf(pki.server.cert);
  assert.throws(
    () => server.setCertificates({ key: pki.apex.key, cert: pki.renewed.cert }),
    (error: WirekitError) => error.code === 'WK_ERR_TLS_CREDENTIALS',
  );
  server.setCertificates({ key: pki.renewed.key, cert: pki.renewed.cert });
  assert.equal((await get(old, 2)).requests, 2);
  assert.equal(old.tls.getPeerCertificate().fingerprint256, oldPrint);
  const fresh = await client(port, { servername: 'localhost' });
  assert.equal((await get(fresh, 1)).requests, 1);
  assert.equal(fresh.tls.getPeerCertificate().fingerprint256, await fingerprintOf(pki.renewed.cert));
});

test('redirectHttp: a plain-HTTP listener answers 308 to the same host, path and query over HTTPS', async () => {
  const server = await infoServer({ tls: { key: pki.server.key, cert: pki.server.cert }, redirectHttp: { port: 0 } });
  const httpsPort = server.address.port;
  const redirect = server.redirectServer;
  assert.ok(redirect !== undefined);
  assert.match(redirect.url, /^http:\/\//);
  const plain = await RawClient.connect(redirect.address.port);
  leaks.defer(() => plain.destroy());
  await plain.write('POST /a/b%20c?x=1&y=2 HTTP/1.1\r\nHost: example.test:8080\r\nContent-Length: 2\r\n\r\nhi');
  await plain.write('GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n');
  await plain.write('GET http://other.test/p?q HTTP/1.1\r\nHost: other.test\r\n\r\n');
  const [post, ipv6, absolute] = await plain.read(3);
  assert.equal(post?.status, 308);
  assert.equal(
    header(post as NonNullable<typeof post>, 'location'),
    `https://example.test:${httpsPort}/a/b%20c?x=1&y=2`,
  );
  assert.equal(header(ipv6 as NonNullable<typeof ipv6>, 'location'), `https://[::1]:${httpsPort}/`);
  assert.equal(header(absolute as NonNullable<typeof absolute>, 'location'), `https://other.test:${httpsPort}/p?q`);
  await server.close();
  await plain.waitEnded();
});

test('redirectHttp: httpsPort 443 is left out of the URL; redirectHttp without tls is refused', async () => {
  const server = await infoServer({
    tls: { key: pki.server.key, cert: pki.server.cert },
    redirectHttp: { port: 0, httpsPort: 443 },
  });
  const plain = await RawClient.connect(server.redirectServer?.address.port ?? 0);
  leaks.defer(() => plain.destroy());
  await plain.write('GET /x HTTP/1.1\r\nHost: example.test\r\n\r\n');
  const [response] = await plain.read(1);
  assert.equal(header(response as NonNullable<typeof response>, 'location'), 'https://example.test/x');
  await assert.rejects(
    serve(() => Response.text('x'), { redirectHttp: { port: 0 } }),
    (error: WirekitError) => {
      return error.code === 'WK_ERR_INVALID_ARGUMENT';
    },
  );
});
