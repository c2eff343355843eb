/**
 * `tls: { keyFile, certFile }`: the files are read again when they change (a renewal), in either
 * order, the old pair serving until the new key and certificate agree; a pair that stays
 * mismatched is reported once. Files are replaced the way renewal tools do it (rename over).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isWirekitError } from '../../../src/errors.js';
import { Response, serve } from '../../../src/http/index.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { RawClient } from '../../helpers/raw-client.js';
import { fingerprintOf, type TestPki, testPki } from '../../helpers/tls-certs.js';
import { eventually } from '../../helpers/wait.js';

const leaks = trackLeaks();
let pki: TestPki;
let dir = '';

before(async () => {
  pki = await testPki();
  dir = mkdtempSync(join(tmpdir(), 'wirekit-tls-files-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Replaces `path` atomically (write aside, rename over), as certbot and most deploy tools do. */
function replace(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

async function servedFingerprint(port: number): Promise<string> {
  const raw = await RawClient.connectTls(port, { ca: pki.ca.cert, servername: 'localhost' });
  const fingerprint = raw.tls.getPeerCertificate().fingerprint256;
  raw.destroy();
  return fingerprint;
}

/** New connections until one is served `fingerprint` (at most 100, 100 ms apart). */
async function untilServed(port: number, fingerprint: string): Promise<void> {
  let seen = '';
  for (let i = 0; i < 100 && seen !== fingerprint; i++) {
    seen = await servedFingerprint(port);
    if (seen !== fingerprint) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(seen, fingerprint);
}

async function filesServer(name: string, fileReloadGraceMs: number, errors: Error[]) {
  const keyFile = join(dir, `${name}-key.pem`);
  const certFile = join(dir, `${name}.pem`);
  writeFileSync(keyFile, pki.server.key);
  writeFileSync(certFile, pki.server.cert);
  const server = await serve(() => Response.text('ok'), {
    tls: { keyFile, certFile, fileReloadGraceMs },
    onError: (error) => errors.push(error),
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  return { server, keyFile, certFile };
}

test('a renewed certificate is picked up; while only one file is replaced the old pair serves', async () => {
  const errors: Error[] = [];
  const { server, keyFile, certFile } = await filesServer('renew', 60_000, errors);
  const port = server.address.port;
  const open = await RawClient.connectTls(port, { ca: pki.ca.cert, servername: 'localhost' });
  leaks.defer(() => open.destroy());
  assert.equal(await servedFingerprint(port), await fingerprintOf(pki.server.cert));
  // Step one: the certificate alone. It does not match the key in use: nothing changes.
  replace(certFile, pki.renewed.cert);
  // Give the watcher a few retry rounds; the old pair must still be served meanwhile.
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(await servedFingerprint(port), await fingerprintOf(pki.server.cert));
  }
  // Step two: the key. Now they agree, and new connections get the new certificate.
  replace(keyFile, pki.renewed.key);
  await untilServed(port, await fingerprintOf(pki.renewed.cert));
  // The connection made before the reload is untouched.
  await open.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  const [response] = await open.read(1);
  assert.equal(response?.status, 200);
  assert.equal(open.tls.getPeerCertificate().fingerprint256, await fingerprintOf(pki.server.cert));
  assert.deepEqual(errors, []);
});

test('a pair that stays mismatched past fileReloadGraceMs is reported once; fixing it applies it', async () => {
  const errors: Error[] = [];
  const { server, keyFile, certFile } = await filesServer('mismatch', 300, errors);
  const port = server.address.port;
  replace(certFile, pki.renewed.cert);
  await eventually(() => errors.length > 0, 'the mismatch to be reported');
  assert.ok(isWirekitError(errors[0], 'WK_ERR_TLS_CREDENTIALS'));
  assert.match(errors[0]?.message ?? '', /still disagree/);
  // Several grace periods later: still one report, still the old certificate.
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await servedFingerprint(port), await fingerprintOf(pki.server.cert));
  }
  assert.equal(errors.length, 1);
  replace(keyFile, pki.renewed.key);
  await untilServed(port, await fingerprintOf(pki.renewed.cert));
});
