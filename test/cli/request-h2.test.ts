/**
 * `wirekit request --http2` against wirekit's own HTTPS server: HTTP/2 by ALPN (`HTTP/2.0 200` in
 * the printed head (-p h), as curl prints `HTTP/2 200`), and HTTP/1.1 without the flag.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { Response } from '../../src/http/message/index.js';
import { serve } from '../../src/http/server/index.js';
import { memoryIo } from '../helpers/cli-io.js';
import { trackLeaks } from '../helpers/leaks.js';
import { selfSignedCertificate } from '../helpers/tls-cert.js';

const leaks = trackLeaks();
let dir = '';
let key = '';
let cert = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wirekit-cli-h2-'));
  ({ key, cert } = selfSignedCertificate());
  writeFileSync(join(dir, 'ca.pem'), cert);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('--http2 speaks HTTP/2 by ALPN to an HTTPS server; without it, HTTP/1.1', async () => {
  const server = await serve((req, info) => new Response(`${req.version} ${info.tls?.alpnProtocol}`), {
    tls: { key, cert },
  });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const url = `https://localhost:${server.address.port}/`;
  const h2 = memoryIo({ cwd: dir });
  assert.equal(await main(['request', '--http2', '--ca', 'ca.pem', url], h2.io), 0);
  assert.equal(h2.stdout().toString(), '2.0 h2');
  const h2Head = memoryIo({ cwd: dir });
  assert.equal(await main(['request', '--http2', '--ca', 'ca.pem', '-p', 'h', url], h2Head.io), 0);
  assert.match(h2Head.stdout().toString(), /^HTTP\/2\.0 200\n/);
  const h1 = memoryIo({ cwd: dir });
  assert.equal(await main(['request', '--ca', 'ca.pem', url], h1.io), 0);
  assert.equal(h1.stdout().toString(), '1.1 http/1.1');
  const h1Head = memoryIo({ cwd: dir });
  assert.equal(await main(['request', '--ca', 'ca.pem', '-p', 'h', url], h1Head.io), 0);
  assert.match(h1Head.stdout().toString(), /^HTTP\/1\.1 200 OK\n/);
});
