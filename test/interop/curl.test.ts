/**
 * curl (the Debian package; `.ci/run` installs it) as a client of the echo handler: keep-alive reuse
 * across URLs of one invocation, `Expect: 100-continue` (curl sends it for large bodies and waits for
 * the 100), chunked uploads, HEAD, and bodies of a few MiB both ways. curl missing is a failure, not
 * a skip: interop is part of the contract (issue 3).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { trackLeaks } from '../helpers/leaks.js';
import { pattern } from '../helpers/patterns.js';
import { echoedHeader, parseEcho, startEcho } from './echo-fixture.js';

const leaks = trackLeaks();

interface CurlResult {
  stdout: string;
  stderr: string;
}

function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['--silent', '--show-error', '--http1.1', ...args],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`curl ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

before(async () => {
  try {
    await curl(['--version']);
  } catch (error) {
    throw new Error(
      'curl is required by the interop tests and was not found: install the Debian package (apt-get install curl; .ci/run does it)',
      { cause: error },
    );
  }
});

function tempFile(bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirekit-curl-'));
  leaks.defer(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'body.bin');
  writeFileSync(path, bytes);
  return path;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

test('curl: two URLs in one invocation reuse one kept-alive connection', async () => {
  const server = await startEcho(leaks);
  const { stdout, stderr } = await curl(['-v', '-w', '\n', `${server.url}/one`, `${server.url}/two?x=1`]);
  const [one, two] = stdout.trim().split('\n').map(parseEcho);
  assert.equal(one?.target, '/one');
  assert.equal(two?.target, '/two?x=1');
  assert.match(stderr, /Re-using existing connection/i);
  assert.equal(server.opened(), 1);
});

test('curl: a large --data-binary upload sends Expect: 100-continue, gets the 100, and the body arrives whole', async () => {
  const server = await startEcho(leaks);
  const body = pattern(3 * 1024 * 1024, 1);
  const file = tempFile(body);
  // Without -H 'Expect:' curl adds `Expect: 100-continue` to a body this size and waits for the 100.
  const { stdout, stderr } = await curl(['-v', '--data-binary', `@${file}`, `${server.url}/upload`]);
  assert.match(stderr, /< HTTP\/1\.1 100 Continue/);
  const echo = parseEcho(stdout);
  assert.equal(echoedHeader(echo, 'expect'), '100-continue');
  assert.equal(echo.method, 'POST');
  assert.equal(sha256(Buffer.from(echo.body, 'base64')), sha256(body));
});

test('curl: a chunked upload (Transfer-Encoding: chunked) is decoded', async () => {
  const server = await startEcho(leaks);
  const body = pattern(2 * 1024 * 1024 + 17, 2);
  const file = tempFile(body);
  const { stdout } = await curl([
    '-H',
    'Transfer-Encoding: chunked',
    '-H',
    'Expect:',
    '--data-binary',
    `@${file}`,
    `${server.url}/chunked`,
  ]);
  const echo = parseEcho(stdout);
  assert.equal(echoedHeader(echo, 'transfer-encoding'), 'chunked');
  assert.equal(echo.body.length, Buffer.from(body).toString('base64').length);
  assert.equal(sha256(Buffer.from(echo.body, 'base64')), sha256(body));
});

test('curl: HEAD gets the head the GET would get, no body, and the connection goes on', async () => {
  const server = await startEcho(leaks);
  // One invocation: HEAD, then (after --next) a GET on the same connection.
  const { stdout, stderr } = await curl(['-I', '-v', `${server.url}/h`, '--next', `${server.url}/h`]);
  const split = stdout.indexOf('\r\n\r\n');
  const head = stdout.slice(0, split);
  const get = parseEcho(stdout.slice(split + 4));
  assert.ok(head.startsWith('HTTP/1.1 200'), head);
  // The echo of the HEAD request is the GET's with another method: that is the length it announces.
  const wanted = Buffer.byteLength(JSON.stringify({ ...get, method: 'HEAD' }));
  assert.equal(/content-length: (\d+)/i.exec(head)?.[1], String(wanted));
  assert.equal(get.method, 'GET', 'the GET after the HEAD was answered in step');
  assert.match(stderr, /Re-using existing connection/i);
  assert.equal(server.opened(), 1);
});

test('curl: a response of several MiB (the echo of a 4 MiB body) arrives whole', async () => {
  const server = await startEcho(leaks);
  const body = pattern(4 * 1024 * 1024, 3);
  const file = tempFile(body);
  const { stdout } = await curl(['-H', 'Expect:', '--data-binary', `@${file}`, `${server.url}/big`]);
  assert.ok(stdout.length > 5 * 1024 * 1024);
  assert.equal(sha256(Buffer.from(parseEcho(stdout).body, 'base64')), sha256(body));
});
