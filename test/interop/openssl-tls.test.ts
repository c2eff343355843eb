/**
 * The HTTPS server against OpenSSL's own client (`openssl s_client`): protocol versions (1.0 and 1.1
 * refused by default, 1.2 and 1.3 accepted), SNI picking the certificate, ALPN, and client
 * certificates accepted or refused. Required when CI=true; skipped elsewhere without openssl.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Response, type ServeOptions, serve } from '../../src/http/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { fingerprintOf, type TestPki, testPki } from '../helpers/tls-certs.js';
import { eventually } from '../helpers/wait.js';

const OPENSSL = '/usr/bin/openssl';
const skip = existsSync(OPENSSL) || process.env.CI === 'true' ? false : 'needs openssl: apt-get install openssl';
const leaks = trackLeaks();
let pki: TestPki;
let dir = '';
const files: Record<string, string> = {};

before(async () => {
  pki = await testPki();
  dir = mkdtempSync(join(tmpdir(), 'wirekit-openssl-'));
  const write = (name: string, text: string): void => {
    files[name] = join(dir, name);
    writeFileSync(files[name], text);
  };
  write('ca.pem', pki.ca.cert);
  write('client.pem', pki.client.cert);
  write('client-key.pem', pki.client.key);
  write('stranger.pem', pki.strangerClient.cert);
  write('stranger-key.pem', pki.strangerClient.key);
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  code: number;
  output: string;
  /** The handshake completed (s_client printed the negotiated protocol). */
  connected: boolean;
  protocol: string | undefined;
  alpn: string | undefined;
  /** SHA-256 fingerprint of the certificate the server sent (from `openssl x509` over -showcerts). */
  request: string;
}

/** Runs `openssl s_client` with `args`, sends `input`, and collects what it printed. */
function sClient(port: number, args: string[], input = ''): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      OPENSSL,
      // -ign_eof: with a request to send, wait for the answer (the server closes) after stdin ends.
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-CAfile',
        files['ca.pem'] as string,
        ...(input === '' ? [] : ['-ign_eof']),
        ...args,
      ],
      { timeout: 20_000 },
      (error, stdout, stderr) => {
        const output = `${stdout}\n${stderr}`;
        const protocol = /Protocol\s*(?:version)?\s*:\s*(TLSv[\d.]+)/.exec(output)?.[1];
        resolve({
          code: typeof error?.code === 'number' ? error.code : 0,
          output,
          connected: /^(?:New|Reused), TLSv/m.test(output) && protocol !== undefined,
          protocol,
          alpn: /ALPN protocol: (\S+)/.exec(output)?.[1],
          request: stdout,
        });
      },
    );
    child.stdin?.end(input);
  });
}

async function server(options: ServeOptions['tls'] = {}) {
  const running = await serve(
    (request, info) => Response.text(`hello ${info.tls?.peerCertificate?.subject.CN ?? 'anonymous'} ${request.path}`),
    { tls: { key: pki.server.key, cert: pki.server.cert, ...options } },
  );
  leaks.defer(() => running.close({ timeoutMs: 0 }));
  return running;
}

const REQUEST = 'GET /openssl HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

test('TLS 1.2 and 1.3 are accepted; 1.0 and 1.1 are refused by the server', { skip }, async () => {
  const https = await server();
  const port = https.address.port;
  for (const [flag, protocol] of [
    ['-tls1_3', 'TLSv1.3'],
    ['-tls1_2', 'TLSv1.2'],
  ]) {
    const outcome = await sClient(port, [flag as string, '-servername', 'localhost'], REQUEST);
    assert.equal(outcome.protocol, protocol, outcome.output);
    assert.match(outcome.request, /HTTP\/1\.1 200 OK[\s\S]*hello anonymous \/openssl/);
    assert.match(outcome.output, /Verify return code: 0 \(ok\)/);
  }
  // SECLEVEL=0: OpenSSL's own client would refuse to offer these; the refusal must be the server's.
  for (const flag of ['-tls1', '-tls1_1']) {
    const outcome = await sClient(port, [flag, '-cipher', 'DEFAULT@SECLEVEL=0'], REQUEST);
    assert.equal(outcome.connected, false, outcome.output);
    assert.doesNotMatch(outcome.request, /HTTP\/1\.1 200/);
  }
  await eventually(() => https.tlsStats?.failed === 2, 'two refused handshakes counted by the server');
});

test('ALPN: a client offering h2 and http/1.1 gets h2; one offering http/1.1 gets it and an answer', {
  skip,
}, async () => {
  const https = await server();
  const h2 = await sClient(https.address.port, ['-alpn', 'h2,http/1.1', '-servername', 'localhost']);
  assert.equal(h2.alpn, 'h2', h2.output);
  const outcome = await sClient(https.address.port, ['-alpn', 'http/1.1', '-servername', 'localhost'], REQUEST);
  assert.equal(outcome.alpn, 'http/1.1', outcome.output);
  assert.match(outcome.request, /HTTP\/1\.1 200 OK/);
});

test('SNI picks the certificate of the name asked for', { skip }, async () => {
  const https = await server({ sni: { 'a.test': pki.apex, '*.wild.test': pki.wildcard } });
  const port = https.address.port;
  const served = async (name: string): Promise<string> => {
    const outcome = await sClient(port, ['-servername', name], '');
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(outcome.output)?.[0];
    assert.ok(pem !== undefined, outcome.output);
    return fingerprintOf(`${pem}\n`);
  };
  assert.equal(await served('a.test'), await fingerprintOf(pki.apex.cert));
  assert.equal(await served('api.wild.test'), await fingerprintOf(pki.wildcard.cert));
  assert.equal(await served('localhost'), await fingerprintOf(pki.server.cert));
});

test('client certificates: one from the CA is accepted, a stranger and none are refused', { skip }, async () => {
  const https = await server({ ca: pki.ca.cert, requestCert: true });
  const port = https.address.port;
  const alice = await sClient(
    port,
    ['-servername', 'localhost', '-cert', files['client.pem'] as string, '-key', files['client-key.pem'] as string],
    REQUEST,
  );
  assert.match(alice.request, /hello alice \/openssl/, alice.output);
  const stranger = await sClient(
    port,
    ['-servername', 'localhost', '-cert', files['stranger.pem'] as string, '-key', files['stranger-key.pem'] as string],
    REQUEST,
  );
  assert.doesNotMatch(stranger.request, /HTTP\/1\.1 200/, stranger.output);
  const none = await sClient(port, ['-servername', 'localhost'], REQUEST);
  assert.doesNotMatch(none.request, /HTTP\/1\.1 200/, none.output);
  await eventually(() => https.tlsStats?.clientCertRefused === 2, 'two refusals counted');
});
