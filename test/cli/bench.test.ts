/**
 * `wirekit bench` in process (an injected CliIo) against counting servers: the JSON schema, the
 * table, the live display on a pipe and on a terminal, --html, --compare, --list, request
 * options, Ctrl-C, exit codes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { rawServer, reply } from '../client/helpers.js';
import { memoryIo } from '../helpers/cli-io.js';
import { trackLeaks } from '../helpers/leaks.js';

const leaks = trackLeaks();
let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wirekit-bench-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], options: { tty?: boolean; stopped?: Promise<NodeJS.Signals> } = {}): Promise<Run> {
  const memory = memoryIo({ ...options, cwd: dir });
  const code = await main(['bench', ...args], memory.io);
  return { code, stdout: memory.stdout().toString(), stderr: memory.stderr().toString() };
}

async function server(onRequest?: () => void) {
  return rawServer(leaks, (req, socket) => {
    onRequest?.();
    socket.write(reply(`you sent ${req.method} ${req.path} ${req.body.toString()}`));
  });
}

describe('output', () => {
  test('--json: one object with the documented fields; counts match the server', async () => {
    const s = await server();
    const r = await run([`${s.url}/`, '-n', '300', '-c', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as Record<string, unknown> & {
      latency: { p50: number; p90: number; p99: number; max: number };
    };
    assert.equal(result.schema, 'wirekit-bench/1');
    assert.equal(result.requests, 300);
    assert.equal(s.requests.length, 300);
    assert.equal(typeof result.durationMs, 'number');
    assert.ok((result.rps as number) > 0);
    for (const key of ['p50', 'p90', 'p99', 'max'] as const) assert.equal(typeof result.latency[key], 'number', key);
    assert.ok(result.latency.max >= result.latency.p99 && result.latency.p99 >= result.latency.p50);
    assert.equal(result.errors, 0);
    assert.deepEqual(result.statusCodes, { 200: 300 });
    assert.ok(Array.isArray(result.timeline));
    assert.equal(typeof result.histogram, 'string');
  });

  test('the table on stdout; on a pipe, plain progress lines once a second on stderr', async () => {
    const s = await server();
    // The progress timer fires (at least) at 1 s before the 1.6 s stop: timers run in due order.
    const r = await run([`${s.url}/`, '-d', '1.6s', '-c', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Latency \(ms\)\s+p50/);
    assert.match(r.stdout, /Requests\s+[\d,]+ in \d\.\d\d s: [\d,]+ req\/s/);
    const lines = r.stderr.split('\n').filter((l) => / req\/s/.test(l));
    assert.ok(lines.length >= 1, r.stderr);
    assert.match(
      lines[0] as string,
      /^\s+1\.\d s \/ 1\.6 s\s+[\d,]+ req\/s\s+p50 [\d.]+ ms\s+p99 [\d.]+ ms\s+errors 0$/,
    );
    assert.ok(!r.stderr.includes('\x1b'), 'no control codes on a pipe');
  });

  test('on a terminal the line is redrawn in place and cleared before the report', async () => {
    const s = await server();
    // The 250 ms progress timer fires before the 0.6 s stop.
    const r = await run([`${s.url}/`, '-d', '0.6s', '-c', '2'], { tty: true });
    assert.equal(r.code, 0);
    const [banner, ...frames] = r.stderr.split('\r\x1b[2K');
    assert.match(banner as string, /^Benchmarking .* \(Ctrl-C stops and reports\)\n$/);
    assert.ok(frames.length >= 2, 'at least one frame, then the clearing');
    assert.match(frames[0] as string, /^\s*0\.\d s \/ 0\.6 s\s+[\d,]+ req\/s.*errors 0$/);
    assert.ok(r.stderr.endsWith('\r\x1b[2K'), 'the live line is cleared');
  });

  test('--html writes a self-contained report', async () => {
    const s = await server();
    const r = await run([`${s.url}/`, '-n', '200', '-q', '--html', 'report.html']);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 3);
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i, 'no external asset');
  });

  test('--compare two results', async () => {
    const s = await server();
    for (const name of ['a.json', 'b.json']) {
      const r = await run([`${s.url}/`, '-d', '2.1s', '-c', '2', '-q', '--json']);
      writeFileSync(join(dir, name), r.stdout);
    }
    const c = await run(['--compare', 'a.json', 'b.json']);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /^A: a\.json \(\d s\)\nB: b\.json/);
    assert.match(c.stdout, /req\/s\s+[\d,]+\s+[\d,]+\s+[+-][\d.]+%/);
    assert.match(c.stdout, /p99 \(ms\)/);
    const bad = await run(['--compare', 'a.json']);
    assert.equal(bad.code, 2);
  });
});

describe('requests', () => {
  test('-m, -H, -b and --body-file shape every request', async () => {
    const s = await server();
    const r = await run([
      `${s.url}/echo`,
      '-m',
      'put',
      '-H',
      'X-Run: 7',
      '-H',
      'content-type: text/plain',
      '-b',
      'abc',
      '-n',
      '20',
      '-q',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(s.requests.length, 20);
    assert.ok(s.requests.every((q) => q.method === 'PUT' && q.body.toString() === 'abc' && q.headers['x-run'] === '7'));
    writeFileSync(join(dir, 'body.bin'), Buffer.from([0, 1, 2]));
    const f = await run([`${s.url}/file`, '--body-file', 'body.bin', '-n', '5', '-q']);
    assert.equal(f.code, 0, f.stderr);
    const fromFile = s.requests.filter((q) => q.path === '/file');
    assert.equal(fromFile.length, 5);
    assert.ok(fromFile.every((q) => q.method === 'POST' && q.body.equals(Buffer.from([0, 1, 2]))));
  });

  test('--list: a JSON-lines mix against a base URL', async () => {
    const s = await server();
    writeFileSync(join(dir, 'mix.jsonl'), '# mix\n{"path":"/a"}\n{"method":"POST","path":"/b","body":"x"}\n');
    const r = await run(['--list', 'mix.jsonl', s.url, '-n', '40', '-c', '1', '--json', '-q']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { targets: { url: string; method: string; requests: number }[] };
    assert.deepEqual(
      result.targets.map((t) => [t.method, new URL(t.url).pathname, t.requests]),
      [
        ['GET', '/a', 20],
        ['POST', '/b', 20],
      ],
    );
    assert.equal(s.requests.filter((q) => q.path === '/b' && q.body.toString() === 'x').length, 20);
  });
});

describe('stopping and exit codes', () => {
  test('Ctrl-C stops the run and prints the report of what ran', async () => {
    let stop!: (signal: NodeJS.Signals) => void;
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      stop = resolve;
    });
    let seen = 0;
    const s = await server(() => {
      if (++seen === 100) stop('SIGINT');
    });
    const r = await run([`${s.url}/`, '-d', '60s', '-q'], { stopped });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\(stopped early\)/);
    assert.match(r.stdout, /Requests\s+[\d,]+ in/);
  });

  test('exit 1 when nothing answered; 2 for usage errors', async () => {
    const s = await server();
    const port = s.port;
    await s.close();
    const refused = await run([`http://127.0.0.1:${port}/`, '-n', '3', '-q']);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /Errors\s+3 \(connect 3\): WK_ERR_CONNECT 3/);
    for (const args of [
      ['ws://127.0.0.1:1/', '--http2'],
      ['ws://127.0.0.1:1/', '--message-bytes', 'lots'],
      ['ws://127.0.0.1:1/', 'http://127.0.0.1:1/'],
      ['http://127.0.0.1:1/', '-c', 'many'],
      ['http://127.0.0.1:1/', '-d', '10 parsecs'],
      ['http://127.0.0.1:1/', '--no-such-flag'],
      ['http://127.0.0.1:1/', '-H', 'no colon'],
      [],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^wirekit bench: /);
    }
  });
});
