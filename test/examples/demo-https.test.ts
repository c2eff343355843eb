/**
 * `HTTPS=1 npm start`: the demo over HTTPS with the development certificate of `wirekit cert`
 * (made in $XDG_CONFIG_HOME/wirekit on first use), and the bench app with TLS_CERT/TLS_KEY.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureDevCertificate } from '../../src/cli/cert/dev-cert.js';
import { trackLeaks } from '../helpers/leaks.js';
import { DIST_DIR } from '../helpers/paths.js';
import { RawClient } from '../helpers/raw-client.js';
import { bodyText } from '../helpers/response-reader.js';
import { startExample, stopExample } from './run.js';

const leaks = trackLeaks();
let config = '';

before(() => {
  config = mkdtempSync(join(tmpdir(), 'wirekit-demo-https-'));
});
after(() => rmSync(config, { recursive: true, force: true }));

async function getOver(
  port: number,
  ca: string,
  path: string,
): Promise<{ status: number; body: string; alpn: string }> {
  const client = await RawClient.connectTls(port, { ca, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
  leaks.defer(() => client.destroy());
  await client.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  const [response] = await client.read(1);
  return {
    status: response?.status ?? 0,
    body: response ? bodyText(response) : '',
    alpn: String(client.tls.alpnProtocol),
  };
}

test('HTTPS=1: the demo serves over HTTPS with the development certificate', { timeout: 60_000 }, async () => {
  const demo = startExample('demo/main', { PORT: '0', HTTPS: '1', XDG_CONFIG_HOME: config });
  try {
    const match = await demo.waitFor(/wirekit demo running at https:\/\/127\.0\.0\.1:(\d+)\//);
    const ca = readFileSync(join(config, 'wirekit', 'ca.pem'), 'utf8');
    const items = await getOver(Number(match[1]), ca, '/api/items');
    assert.equal(items.status, 200);
    assert.ok(Array.isArray(JSON.parse(items.body)));
  } finally {
    await stopExample(demo);
  }
});

test('the bench app serves HTTPS (ALPN http/1.1) when TLS_CERT and TLS_KEY are set', { timeout: 60_000 }, async () => {
  const dev = await ensureDevCertificate({ dir: join(config, 'bench') });
  const child = spawn(process.execPath, [join(DIST_DIR, 'bench', 'app.js')], {
    env: { ...process.env, PORT: '0', TLS_CERT: dev.certFile, TLS_KEY: dev.keyFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('close', resolve));
  leaks.defer(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const deadline = Date.now() + 20_000;
  while (!/listening on https:\/\/127\.0\.0\.1:(\d+)/.test(out) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const port = Number(/listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
  assert.ok(port > 0, out);
  const hello = await getOver(port, readFileSync(dev.caFile, 'utf8'), '/json');
  assert.deepEqual(JSON.parse(hello.body), { message: 'Hello, World!' });
  assert.equal(hello.alpn, 'http/1.1');
  child.kill('SIGTERM');
  await exited;
});
