/**
 * `wirekit cert` and `wirekit serve --tls` as a user runs them: the CA and certificate made once and
 * reused, `--force` and extra names, and curl trusting the CA (`--cacert`) against `serve --tls`,
 * with the development certificate or with `--cert`/`--key`. curl is required when CI=true.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { curlRequest } from '../helpers/curl.js';
import { trackLeaks } from '../helpers/leaks.js';
import { wirekit } from './processes.js';

const CURL = '/usr/bin/curl';
const skipCurl = existsSync(CURL) || process.env.CI === 'true' ? false : 'needs curl: apt-get install curl';
const leaks = trackLeaks();
let home = '';

before(() => {
  home = mkdtempSync(join(tmpdir(), 'wirekit-cert-'));
});
after(() => rmSync(home, { recursive: true, force: true }));

async function cert(args: string[]): Promise<string> {
  const proc = wirekit(leaks, ['cert', ...args], null);
  const code = await proc.exited;
  assert.equal(code, 0, proc.stderr());
  return proc.stdout().toString();
}

const fingerprint = (path: string): string => new X509Certificate(readFileSync(path)).fingerprint256;

test('wirekit cert makes a CA and a localhost certificate once, reuses them, and renews on --force', async () => {
  const dir = join(home, 'certs');
  const first = await cert(['--dir', dir]);
  assert.match(first, /CA\s+\S+ca\.pem \(created\)/);
  assert.match(first, /update-ca-certificates/);
  assert.match(first, /security add-trusted-cert/);
  assert.match(first, /NODE_EXTRA_CA_CERTS=/);
  assert.match(first, /Firefox/);
  const leaf = new X509Certificate(readFileSync(join(dir, 'localhost.pem')));
  const ca = new X509Certificate(readFileSync(join(dir, 'ca.pem')));
  assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
  assert.equal(ca.ca, true);
  assert.equal(leaf.ca, false);
  assert.ok(leaf.checkHost('localhost') && leaf.checkIP('127.0.0.1') && leaf.checkIP('::1'));
  assert.equal(statSync(join(dir, 'ca-key.pem')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'localhost-key.pem')).mode & 0o777, 0o600);
  const caPrint = fingerprint(join(dir, 'ca.pem'));
  const leafPrint = fingerprint(join(dir, 'localhost.pem'));

  const again = await cert(['--dir', dir]);
  assert.match(again, /ca\.pem \(reused\)/);
  assert.match(again, /localhost\.pem \(reused/);
  assert.equal(fingerprint(join(dir, 'localhost.pem')), leafPrint);

  // An extra name: same CA, a new certificate covering it.
  const named = await cert(['--dir', dir, 'app.test', '*.app.test', '10.0.0.7']);
  assert.match(named, /ca\.pem \(reused\)/);
  assert.equal(fingerprint(join(dir, 'ca.pem')), caPrint);
  const wider = new X509Certificate(readFileSync(join(dir, 'localhost.pem')));
  assert.ok(wider.checkHost('app.test') && wider.checkHost('x.app.test') && wider.checkIP('10.0.0.7'));

  const forced = await cert(['--dir', dir, '--force']);
  assert.match(forced, /ca\.pem \(created\)/);
  assert.notEqual(fingerprint(join(dir, 'ca.pem')), caPrint);
});

test('wirekit cert refuses a name that is not a host name or address', async () => {
  const proc = wirekit(leaks, ['cert', '--dir', join(home, 'bad'), 'a b'], null);
  assert.equal(await proc.exited, 2);
  assert.match(proc.stderr(), /not a host name/);
});

test('wirekit serve --tls uses the development certificate; curl --cacert trusts it', { skip: skipCurl }, async () => {
  const config = join(home, 'config');
  const env = { ...process.env, XDG_CONFIG_HOME: config };
  const serve = wirekit(leaks, ['serve', home, '--tls', '--port', '0', '--quiet'], null, env);
  const [, url] = await serve.waitFor(/at (https:\/\/127\.0\.0\.1:\d+)\//, true);
  const ca = join(config, 'wirekit', 'ca.pem');
  assert.ok(existsSync(ca), serve.stdout().toString());
  assert.equal((await curlRequest(`${url}/`, ['--cacert', ca])).status, 200);
  // By name too: the certificate covers localhost.
  const port = new URL(url as string).port;
  const byName = await curlRequest(`https://localhost:${port}/`, [
    '--cacert',
    ca,
    '--resolve',
    `localhost:${port}:127.0.0.1`,
  ]);
  assert.equal(byName.status, 200);
  // Without the CA, curl refuses the certificate (it is not from a public CA).
  await assert.rejects(curlRequest(`${url}/`), /certificate/);
  serve.child.kill('SIGTERM');
  assert.equal(await serve.exited, 0);
});

test('wirekit serve --cert/--key serves the given files', { skip: skipCurl }, async () => {
  const dir = join(home, 'given');
  await cert(['--dir', dir]);
  const serve = wirekit(
    leaks,
    ['serve', home, '--cert', join(dir, 'localhost.pem'), '--key', join(dir, 'localhost-key.pem'), '--port', '0', '-q'],
    null,
  );
  const [, url] = await serve.waitFor(/at (https:\/\/127\.0\.0\.1:\d+)\//, true);
  assert.equal((await curlRequest(`${url}/`, ['--cacert', join(dir, 'ca.pem')])).status, 200);
  serve.child.kill('SIGTERM');
  assert.equal(await serve.exited, 0);
  const lone = wirekit(leaks, ['serve', home, '--cert', join(dir, 'localhost.pem')], null);
  assert.notEqual(await lone.exited, 0);
});
