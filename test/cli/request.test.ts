/**
 * `wirekit request` in process (an injected CliIo): items, forms, files, exit codes, -v, --timings,
 * downloads, and the difference between a terminal (pretty, coloured) and a pipe (bytes as received).
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

function packageVersion(): string {
  const root = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(root, 'utf8')) as { version: string }).version;
}
let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wirekit-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

async function run(
  args: string[],
  options: { tty?: boolean; stdin?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  const memory = memoryIo({ ...options, cwd: dir });
  const code = await main(['request', ...args], memory.io);
  const stdoutBytes = memory.stdout();
  return { code, stdout: stdoutBytes.toString(), stdoutBytes, stderr: memory.stderr().toString() };
}

/** Echoes the request as JSON; some paths answer with other statuses. */
async function echo() {
  return rawServer(leaks, (req, socket) => {
    const status = Number(/^\/status\/(\d+)/.exec(req.path)?.[1] ?? 200);
    if (status === 301) return void socket.write(reply('', 301, { Location: '/status/200' }));
    const hop = /^\/hop\/(\d+)$/.exec(req.path);
    if (hop !== null) {
      const location = `/hop/${Number(hop[1]) + 1}`;
      return void setTimeout(() => socket.write(reply('', 302, { Location: location })), 100);
    }
    if (req.path === '/binary')
      return void socket.write(reply('\u0000\u0001\u0002', 200, { 'Content-Type': 'application/octet-stream' }));
    if (req.path === '/slow') return;
    const body = JSON.stringify({
      method: req.method,
      path: req.path,
      headers: req.headers,
      body: req.body.toString('latin1'),
    });
    socket.write(reply(body, status, { 'Content-Type': 'application/json' }));
  });
}

type Echo = { method: string; path: string; headers: Record<string, string>; body: string };

describe('items', () => {
  test('headers, query parameters, string and raw JSON fields; POST by default with data', async () => {
    const server = await echo();
    const r = await run([
      `${server.url}/echo`,
      'X-Trace:abc',
      'q==a b',
      'name=wirekit',
      'n:=3',
      'tags:=["x","y"]',
      'ok:=true',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as Echo;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.path, '/echo?q=a+b');
    assert.equal(seen.headers['x-trace'], 'abc');
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(seen.body), { name: 'wirekit', n: 3, tags: ['x', 'y'], ok: true });
  });

  test('an explicit method, a short URL (:port/path), and GET without data', async () => {
    const server = await echo();
    const del = JSON.parse((await run(['DELETE', `:${server.port}/thing`])).stdout) as Echo;
    assert.equal(del.method, 'DELETE');
    assert.equal(del.headers.host, `localhost:${server.port}`);
    assert.equal((JSON.parse((await run([`127.0.0.1:${server.port}/`])).stdout) as Echo).method, 'GET');
  });

  test('--form: urlencoded fields, or multipart with a file', async () => {
    const server = await echo();
    const plain = JSON.parse((await run(['--form', `${server.url}/f`, 'a=1', 'b=two words'])).stdout) as Echo;
    assert.equal(plain.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
    assert.equal(plain.body, 'a=1&b=two+words');
    writeFileSync(join(dir, 'note.txt'), 'file content');
    const multi = JSON.parse((await run(['-f', `${server.url}/f`, 'title=cat', 'doc@note.txt'])).stdout) as Echo;
    assert.match(multi.headers['content-type'] ?? '', /^multipart\/form-data; boundary=/);
    assert.match(multi.body, /name="doc"; filename="note.txt"[\s\S]*file content/);
  });

  test('@file and @- send a body as is', async () => {
    const server = await echo();
    writeFileSync(join(dir, 'body.bin'), 'raw body');
    const fromFile = JSON.parse(
      (await run(['PUT', `${server.url}/u`, '@body.bin', 'Content-Type:text/plain'])).stdout,
    ) as Echo;
    assert.deepEqual(
      [fromFile.method, fromFile.body, fromFile.headers['content-type']],
      ['PUT', 'raw body', 'text/plain'],
    );
    const fromStdin = JSON.parse((await run([`${server.url}/u`, '@-'], { stdin: 'piped in' })).stdout) as Echo;
    assert.deepEqual([fromStdin.method, fromStdin.body], ['POST', 'piped in']);
  });

  test('User-Agent: wirekit/<version> and Accept: */* by default, overridable by header items', async () => {
    const server = await echo();
    const seen = JSON.parse((await run([`${server.url}/`])).stdout) as Echo;
    assert.equal(seen.headers['user-agent'], `wirekit/${packageVersion()}`);
    assert.equal(seen.headers.accept, '*/*');
    const own = JSON.parse((await run([`${server.url}/`, 'User-Agent:probe/1', 'Accept:text/plain'])).stdout) as Echo;
    assert.deepEqual([own.headers['user-agent'], own.headers.accept], ['probe/1', 'text/plain']);
  });

  test('--json asks for JSON and labels the body JSON even without data items', async () => {
    const server = await echo();
    const seen = JSON.parse((await run(['--json', `${server.url}/`])).stdout) as Echo;
    assert.deepEqual(
      [seen.method, seen.headers['content-type'], seen.headers.accept],
      ['GET', 'application/json', 'application/json, */*;q=0.5'],
    );
  });

  test('usage errors exit 2 with a message', async () => {
    for (const args of [
      [],
      ['--ca', '/nonexistent/ca.pem', 'http://x'],
      ['http://x', 'n:=not-json'],
      ['http://x', 'nonsense'],
      ['--json', '--form', 'http://x'],
      ['http://x', 'f@a.txt'],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^wirekit request: /);
    }
  });
});

describe('exit codes', () => {
  test('2xx 0, 3xx 3 (not followed) or 0 with --follow, 4xx 4, 5xx 5, network failure 6', async () => {
    const server = await echo();
    assert.equal((await run([`${server.url}/status/201`])).code, 0);
    assert.equal((await run([`${server.url}/status/301`])).code, 3);
    assert.equal((await run(['--follow', `${server.url}/status/301`])).code, 0);
    assert.equal((await run([`${server.url}/status/404`])).code, 4);
    assert.equal((await run([`${server.url}/status/503`])).code, 5);
    const refused = await run(['http://127.0.0.1:9/']);
    assert.equal(refused.code, 6);
    assert.match(refused.stderr, /WK_ERR_CONNECT: .*ECONNREFUSED/);
    const slow = await run(['--timeout', '0.2', `${server.url}/slow`]);
    assert.equal(slow.code, 6);
    assert.match(slow.stderr, /WK_ERR_TOTAL_TIMEOUT/);
  });

  test('--timeout is a total across redirects (each hop alone is well under it)', async () => {
    const server = await echo();
    const r = await run(['--follow', '--timeout', '0.3', `${server.url}/hop/0`]);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /^wirekit request: WK_ERR_TOTAL_TIMEOUT: .*0\.3 s/);
  });
});

describe('output', () => {
  test('piped: the body exactly as received, nothing else on stdout', async () => {
    const server = await echo();
    const r = await run([`${server.url}/binary`]);
    assert.deepEqual([...r.stdoutBytes], [0, 1, 2]);
    assert.equal(r.stderr, '');
  });

  test('terminal: pretty and coloured JSON; NO_COLOR keeps it pretty but plain; binary is not dumped', async () => {
    const server = await echo();
    const coloured = await run([`${server.url}/p`], { tty: true });
    const esc = (code: number, text: string): string => `\u001b[${code}m${text}\u001b[0m`;
    assert.ok(coloured.stdout.startsWith(`{\n  ${esc(34, '"method"')}: ${esc(32, '"GET"')},`), coloured.stdout);
    const plain = await run([`${server.url}/p`], { tty: true, env: { NO_COLOR: '1' } });
    assert.match(plain.stdout, /^\{\n {2}"method": "GET",\n/);
    assert.ok(plain.stdout.endsWith('}\n'));
    const binary = await run([`${server.url}/binary`], { tty: true });
    assert.equal(binary.stdout, '(binary body, 3 bytes: use --download, or pipe it)\n');
  });

  test('-v prints the request and response heads of every hop on stderr', async () => {
    const server = await echo();
    const r = await run(['-v', '-F', `${server.url}/status/301`, 'X-Hop:1']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /^GET \/status\/301 HTTP\/1\.1\nHost: 127\.0\.0\.1:\d+\nX-Hop: 1\n/);
    assert.match(r.stderr, /HTTP\/1\.1 301 Moved Permanently\nContent-Length: 0\nLocation: \/status\/200\n/);
    assert.match(r.stderr, /GET \/status\/200 HTTP\/1\.1\n[\s\S]*HTTP\/1\.1 200 OK\n/);
    assert.equal((JSON.parse(r.stdout) as Echo).path, '/status/200');
  });

  test('--timings prints one line with every phase', async () => {
    const server = await echo();
    const r = await run(['--timings', `${server.url}/t`]);
    assert.match(r.stderr, /^dns \d+\.\dms {2}connect \d+\.\dms {2}tls 0\.0ms {2}ttfb \d+\.\dms {2}total \d+\.\dms\n$/);
  });

  test('--download saves the body to -o, or to a name from the URL', async () => {
    const server = await echo();
    const named = await run(['-d', `${server.url}/files/report.json`]);
    assert.equal(named.code, 0);
    assert.match(named.stderr, /saved \d+ bytes to .*report\.json/);
    assert.equal((JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Echo).path, '/files/report.json');
    const again = await run(['-d', `${server.url}/files/report.json`]);
    assert.match(again.stderr, /report\.json-1\n/, 'an existing file is not overwritten');
    await run(['-o', 'chosen.out', `${server.url}/x`]);
    assert.equal((JSON.parse(readFileSync(join(dir, 'chosen.out'), 'utf8')) as Echo).path, '/x');
  });

  test('wirekit request --help documents the exit codes', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Exit codes:[\s\S]*6 {2}network, TLS, timeout or protocol failure/);
  });
});
