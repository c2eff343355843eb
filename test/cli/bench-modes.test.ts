/**
 * `wirekit bench --http2` and WebSocket mode in process (an injected CliIo) against wirekit's own
 * servers: HTTPS with h2 by ALPN, h2c with prior knowledge, and a WebSocket echo: the JSON result
 * says what was measured, the table and the live lines count messages for WebSockets, --html too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { Response } from '../../src/http/message/index.js';
import { type ServeOptions, serve } from '../../src/http/server/index.js';
import { memoryIo } from '../helpers/cli-io.js';
import { trackLeaks } from '../helpers/leaks.js';
import { selfSignedCertificate } from '../helpers/tls-cert.js';
import { startWsServer } from '../ws/helpers.js';

const leaks = trackLeaks();
let dir = '';
let cert = '';
let key = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wirekit-bench-modes-'));
  ({ key, cert } = selfSignedCertificate());
  writeFileSync(join(dir, 'ca.pem'), cert);
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const memory = memoryIo({ cwd: dir });
  const code = await main(['bench', ...args], memory.io);
  return { code, stdout: memory.stdout().toString(), stderr: memory.stderr().toString() };
}

async function versionServer(options: ServeOptions): Promise<{ port: number; versions: string[] }> {
  const versions: string[] = [];
  const server = await serve((req) => {
    versions.push(req.version);
    return new Response('hi');
  }, options);
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  return { port: server.address.port, versions };
}

test('--http2 over HTTPS: every request is HTTP/2; the table says so', async () => {
  const s = await versionServer({ tls: { key, cert } });
  const r = await run([`https://localhost:${s.port}/`, '--http2', '--ca', 'ca.pem', '-n', '100', '-c', '2', '-p', '5']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /HTTP\/2, 2 connections, pipelining 5/);
  assert.match(r.stdout, /Requests\s+100 in /);
  assert.equal(s.versions.length, 100);
  assert.ok(s.versions.every((v) => v === '2.0'));
});

test('--http2 on an http: URL is h2c with prior knowledge; --json says protocol h2', async () => {
  const s = await versionServer({ http2: 'h2c' });
  const r = await run([`:${s.port}/`, '--http2', '-n', '50', '--json', '-q']);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { protocol: string; requests: number; statusCodes: Record<string, number> };
  assert.equal(result.protocol, 'h2');
  assert.equal(result.requests, 50);
  assert.deepEqual(result.statusCodes, { 200: 50 });
  assert.ok(s.versions.every((v) => v === '2.0'));
});

test('ws:// URL: messages/s in the table and live lines, --message-bytes, --json and --html', async () => {
  const sizes: number[] = [];
  const fixture = await startWsServer(leaks, {
    message: (ws, data) => {
      sizes.push(typeof data === 'string' ? data.length : data.byteLength);
      ws.sendNow(data);
    },
  });
  const table = await run([`${fixture.url}/`, '-n', '200', '-c', '2', '--message-bytes', '1KiB', '--html', 'ws.html']);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^WS ws:\/\/127\.0\.0\.1:\d+\/: 200 messages, 2 connections, in flight 1, closed loop/);
  assert.match(table.stdout, /Messages\s+200 in [\d.]+ s: [\d,]+ msg\/s/);
  assert.doesNotMatch(table.stdout, /Status/);
  assert.ok(sizes.length === 200 && sizes.every((n) => n === 1024));
  const html = readFileSync(join(dir, 'ws.html'), 'utf8');
  assert.match(html, /Messages per second/);
  assert.match(html, /messages\/s/);
  const json = await run([`${fixture.url}/`, '-n', '30', '-b', 'hello', '--json', '-q']);
  const result = JSON.parse(json.stdout) as { protocol: string; requests: number; errors: number };
  assert.deepEqual([result.protocol, result.requests, result.errors], ['ws', 30, 0]);
});

test('--help documents --http2 (h2c) and the WebSocket mode', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--http2 .*h2c prior knowledge/);
  assert.match(r.stdout, /--message-bytes/);
  assert.match(r.stdout, /ws:\/\/127\.0\.0\.1:8080\/echo/);
});
