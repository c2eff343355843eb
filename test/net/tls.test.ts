/**
 * The TLS listener of the socket layer (`listen({ tls })`) over real sockets: what a connection
 * negotiated, credentials refused before binding, the handshake timeout and the cap on handshakes
 * in progress, failures counted and published (never warned), certificate replacement, and the
 * hand-off of a socket to another protocol engine.
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { after, before, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { isWirekitError, type WirekitError } from '../../src/errors.js';
import { type Connection, type HandshakeFailure, listen, type Server, tlsChannels } from '../../src/net/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { RawClient } from '../helpers/raw-client.js';
import { fingerprintOf, type TestPki, testPki } from '../helpers/tls-certs.js';
import { eventually } from '../helpers/wait.js';

const leaks = trackLeaks();
let pki: TestPki;
const failures: HandshakeFailure[] = [];
const onFailure = (message: unknown): void => {
  failures.push(message as HandshakeFailure);
};

before(async () => {
  pki = await testPki();
  diagnostics.subscribe(tlsChannels.handshakeFailure.name, onFailure);
});
after(() => diagnostics.unsubscribe(tlsChannels.handshakeFailure.name, onFailure));

/** A TLS server that writes what the connection negotiated as JSON, then ends. */
async function infoServer(tls: Parameters<typeof listen>[0]['tls'] = {}, errors: Error[] = []): Promise<Server> {
  const server = await listen(
    {
      port: 0,
      tls: { key: pki.server.key, cert: pki.server.cert, ...tls },
      onError: (error) => errors.push(error),
    },
    async (conn: Connection) => {
      await conn.write(`${JSON.stringify(conn.tls)}\n`);
      await conn.end();
    },
  );
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  return server;
}

function forPort(port: number): HandshakeFailure[] {
  return failures.filter((f) => f.localAddress?.port === port);
}

test('a connection over TLS reports protocol, cipher, ALPN, server name and resumption', async () => {
  const server = await infoServer({ alpnProtocols: ['http/1.1'] });
  assert.equal(server.secure, true);
  const options = { servername: 'localhost', ca: pki.ca.cert, ALPNProtocols: ['http/1.1'] };
  const first = await RawClient.connectTls(server.address.port, options);
  leaks.defer(() => first.destroy());
  await first.until(() => first.text.includes('\n'), 'the info line');
  const info = JSON.parse(first.text);
  assert.equal(info.protocol, 'TLSv1.3');
  assert.match(info.cipher, /^TLS_AES_|^TLS_CHACHA20/);
  assert.equal(info.alpnProtocol, 'http/1.1');
  assert.equal(info.serverName, 'localhost');
  assert.equal(info.sessionReused, false);
  assert.equal(info.peerCertificate, undefined);
  // TLS 1.3 tickets arrive after the handshake: wait for one, then resume with it.
  await first.until(() => first.tls.getSession() !== undefined && first.ended, 'a session ticket and the end');
  const second = await RawClient.connectTls(server.address.port, { ...options, session: first.tls.getSession() });
  leaks.defer(() => second.destroy());
  await second.until(() => second.text.includes('\n'), 'the info line');
  assert.equal(JSON.parse(second.text).sessionReused, true);
  assert.equal(server.tlsStats?.handshakes, 2);
  assert.equal(server.tlsStats?.resumed, 1);
});

test('TLS 1.2 is accepted, 1.1 refused by default; the failure is counted and published, not warned', async () => {
  const errors: Error[] = [];
  const server = await infoServer({}, errors);
  const port = server.address.port;
  const v12 = await RawClient.connectTls(port, { ca: pki.ca.cert, servername: 'localhost', maxVersion: 'TLSv1.2' });
  leaks.defer(() => v12.destroy());
  await v12.until(() => v12.text.includes('\n'), 'the info line');
  assert.equal(JSON.parse(v12.text).protocol, 'TLSv1.2');
  await assert.rejects(
    RawClient.connectTls(port, {
      ca: pki.ca.cert,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    }),
  );
  await eventually(() => server.tlsStats?.failed === 1, 'the failure to be counted');
  await eventually(() => forPort(port).length === 1, 'the failure to be published');
  assert.equal(forPort(port)[0]?.error.code, 'WK_ERR_TLS_HANDSHAKE');
  assert.equal(forPort(port)[0]?.remoteAddress?.address, '127.0.0.1');
  assert.deepEqual(errors, []);
});

test('credentials are checked before the port is bound', async () => {
  const mismatched = listen({ port: 0, tls: { key: pki.renewed.key, cert: pki.server.cert } }, () => {});
  await assert.rejects(mismatched, (error: WirekitError) => {
    assert.equal(error.code, 'WK_ERR_TLS_CREDENTIALS');
    assert.match(error.message, /does not match the certificate/);
    return true;
  });
  await assert.rejects(
    listen({ port: 0, tls: { key: 'nope', cert: pki.server.cert } }, () => {}),
    (error) => isWirekitError(error, 'WK_ERR_TLS_CREDENTIALS'),
  );
  await assert.rejects(
    listen({ port: 0, tls: { key: pki.server.key } }, () => {}),
    (error) => isWirekitError(error, 'WK_ERR_INVALID_ARGUMENT'),
  );
  await assert.rejects(
    listen({ port: 0, tls: { keyFile: '/nonexistent/key.pem', certFile: '/nonexistent/c.pem' } }, () => {}),
    (error) => isWirekitError(error, 'WK_ERR_TLS_CREDENTIALS'),
  );
});

test('a handshake that does not finish within handshakeTimeoutMs is closed and counted', async () => {
  const server = await infoServer({ handshakeTimeoutMs: 300 });
  const port = server.address.port;
  const started = performance.now();
  const silent = await RawClient.connect(port);
  leaks.defer(() => silent.destroy());
  await silent.waitEnded();
  assert.ok(performance.now() - started >= 290, 'closed before the timeout');
  await eventually(() => server.tlsStats?.timedOut === 1, 'the timeout to be counted');
  assert.equal(server.tlsStats?.failed, 1);
  assert.equal(server.tlsStats?.inProgress, 0);
  await eventually(() => forPort(port).length === 1, 'the failure to be published');
  assert.equal(forPort(port)[0]?.error.code, 'WK_ERR_TLS_HANDSHAKE_TIMEOUT');
});

test('at maxConcurrentHandshakes the oldest handshake is dropped for the new connection', async () => {
  const server = await infoServer({ maxConcurrentHandshakes: 2 });
  const port = server.address.port;
  const stalled: RawClient[] = [];
  for (let i = 0; i < 3; i++) {
    const client = await RawClient.connect(port);
    leaks.defer(() => client.destroy());
    // A partial ClientHello record header: the handshake has started and waits for more.
    await client.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
    stalled.push(client);
    await eventually(() => server.tlsStats?.inProgress === Math.min(i + 1, 2), `handshake ${i + 1} in progress`);
  }
  await stalled[0]?.waitEnded();
  assert.equal(server.tlsStats?.dropped, 1);
  assert.equal(stalled[1]?.ended, false);
  assert.equal(stalled[2]?.ended, false);
  // An honest client still gets in (the oldest stalled one makes room).
  const honest = await RawClient.connectTls(port, { ca: pki.ca.cert, servername: 'localhost' });
  leaks.defer(() => honest.destroy());
  await honest.until(() => honest.text.includes('\n'), 'the info line');
  await stalled[1]?.waitEnded();
  assert.equal(server.tlsStats?.dropped, 2);
  await eventually(
    () => forPort(port).filter((f) => f.error.code === 'WK_ERR_TLS_HANDSHAKE_DROPPED').length === 2,
    'two drops published',
  );
});

test('setCertificates refuses a mismatched pair (the old one keeps serving) and installs a good one', async () => {
  const server = await infoServer();
  const port = server.address.port;
  const options = { ca: pki.ca.cert, servername: 'localhost' };
  assert.throws(
    () => server.setCertificates({ key: pki.renewed.key, cert: pki.server.cert }),
    (error: WirekitError) => error.code === 'WK_ERR_TLS_CREDENTIALS',
  );
  const before = await RawClient.connectTls(port, options);
  leaks.defer(() => before.destroy());
  assert.equal(before.tls.getPeerCertificate().fingerprint256, await fingerprintOf(pki.server.cert));
  server.setCertificates({ key: pki.renewed.key, cert: pki.renewed.cert });
  const afterReload = await RawClient.connectTls(port, options);
  leaks.defer(() => afterReload.destroy());
  assert.equal(afterReload.tls.getPeerCertificate().fingerprint256, await fingerprintOf(pki.renewed.cert));
});

test("onSecureConnection 'handled' takes a socket over; close() waits for it and its deadline destroys it", async () => {
  const handed: TLSSocket[] = [];
  const server = await listen(
    {
      port: 0,
      tls: {
        key: pki.server.key,
        cert: pki.server.cert,
        alpnProtocols: ['x-other', 'http/1.1'],
        onSecureConnection: (socket) => {
          if (socket.alpnProtocol !== 'x-other') return 'connection';
          handed.push(socket);
          return 'handled';
        },
      },
    },
    (conn) => conn.end('http/1.1 engine\n'),
  );
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const port = server.address.port;
  const plain = await RawClient.connectTls(port, {
    ca: pki.ca.cert,
    servername: 'localhost',
    ALPNProtocols: ['http/1.1'],
  });
  leaks.defer(() => plain.destroy());
  await plain.until(() => plain.text === 'http/1.1 engine\n', 'the http/1.1 engine');
  const other = await RawClient.connectTls(port, {
    ca: pki.ca.cert,
    servername: 'localhost',
    ALPNProtocols: ['x-other'],
  });
  leaks.defer(() => other.destroy());
  await eventually(() => handed.length === 1, 'the socket to be handed over');
  handed[0]?.write('other engine\n');
  await other.until(() => other.text === 'other engine\n', 'the other engine');
  await plain.waitEnded();
  await eventually(() => server.connections === 1, 'only the handed-over socket left');
  const closed = server.close({ timeoutMs: 100 });
  await other.waitEnded();
  await closed;
});

test('close() ends the handshakes in progress', async () => {
  const server = await infoServer();
  const stalled = await RawClient.connect(server.address.port);
  leaks.defer(() => stalled.destroy());
  await eventually(() => server.tlsStats?.inProgress === 1, 'a handshake in progress');
  await server.close();
  await stalled.waitEnded();
  assert.equal(server.tlsStats?.failed, 0);
});
