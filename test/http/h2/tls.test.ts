/**
 * HTTPS and HTTP/2 on one port: the TLS listener offers `h2` and `http/1.1` by ALPN and hands each
 * connection to the engine its client chose; `http2: false` offers HTTP/1.1 only; an HTTP/2
 * connection reports what TLS negotiated (`info.tls.alpnProtocol` is `'h2'`), is counted by the
 * server, and is closed gracefully with it.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { Response } from '../../../src/http/message/index.js';
import type { ConnInfo } from '../../../src/http/server/index.js';
import { h2Request, h2Session, readAnswer } from '../../helpers/h2-client.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { selfSignedCertificate } from '../../helpers/tls-cert.js';
import { eventually } from '../../helpers/wait.js';

const leaks = trackLeaks();
let key = '';
let cert = '';

before(() => {
  ({ key, cert } = selfSignedCertificate());
});

/** The protocol ALPN picks for a client offering `offer`. */
async function negotiated(port: number, offer: string[]): Promise<string | false | null> {
  const socket = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', ca: cert, ALPNProtocols: offer });
  leaks.defer(() => socket.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    return socket.alpnProtocol;
  } finally {
    socket.destroy();
  }
}

test('HTTPS offers h2 and http/1.1: the client chooses, and the handler sees HTTP/2 with its TLS facts', async () => {
  let seen: { info: ConnInfo; url: string } | undefined;
  const server = await startServer(
    leaks,
    (req, info) => {
      seen = { info, url: req.url };
      return new Response(`hello ${req.version}`);
    },
    { tls: { key, cert } },
  );
  assert.equal(await negotiated(server.port, ['h2', 'http/1.1']), 'h2');
  assert.equal(await negotiated(server.port, ['http/1.1', 'h2']), 'h2', 'the server prefers h2');
  assert.equal(await negotiated(server.port, ['http/1.1']), 'http/1.1');
  const session = await h2Session(leaks, `https://localhost:${server.port}`, { ca: cert });
  const answer = await h2Request(session, { ':path': '/x' });
  assert.equal(answer.body.toString(), 'hello 2.0');
  assert.equal(seen?.url, `https://localhost:${server.port}/x`);
  assert.equal(seen?.info.secure, true);
  assert.equal(seen?.info.httpVersion, '2.0');
  assert.equal(seen?.info.tls?.alpnProtocol, 'h2');
  assert.equal(seen?.info.tls?.serverName, 'localhost');
  await eventually(() => server.server.connections === 1, 'only the HTTP/2 session is left open');
});

test('http2: false offers HTTP/1.1 only', async () => {
  const server = await startServer(leaks, () => new Response('ok'), { tls: { key, cert }, http2: false });
  assert.equal(await negotiated(server.port, ['h2', 'http/1.1']), 'http/1.1');
  // A client that offers only h2 is refused (RFC 7301 §3.2: no_application_protocol).
  await assert.rejects(negotiated(server.port, ['h2']), /no application protocol/);
});

test('close() sends GOAWAY on an HTTP/2 connection over TLS, lets its stream finish, and resolves', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = await startServer(
    leaks,
    async () => {
      await gate;
      return new Response('finished');
    },
    { tls: { key, cert } },
  );
  const session = await h2Session(leaks, `https://localhost:${server.port}`, { ca: cert });
  const answer = readAnswer(session.request({ ':path': '/' }));
  await eventually(() => server.calls === 1, 'the handler runs');
  const away = new Promise<number>((resolve) => session.once('goaway', (code) => resolve(code)));
  const closed = server.server.close();
  assert.equal(await away, 0);
  release();
  assert.equal((await answer).body.toString(), 'finished');
  await closed;
  assert.equal(server.server.connections, 0);
});
