/**
 * What `wirekit request` prints, in process with an injected terminal or pipe: httpie's defaults
 * (status line, headers and body on a terminal; the body alone, byte for byte, piped), --print,
 * -v and --all over redirect hops, colours by NO_COLOR/FORCE_COLOR, and bodies streamed as they come.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { rawServer } from '../client/helpers.js';
import { memoryIo } from '../helpers/cli-io.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';
import { type Echo, echoServer, type Run, type RunOptions, runRequest } from './request-fixtures.js';

const leaks = trackLeaks();
let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wirekit-request-output-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], options?: RunOptions): Promise<Run> => runRequest(dir, args, options);
const esc = (code: number, text: string): string => `\u001b[${code}m${text}\u001b[0m`;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what is removed
const plain = (text: string): string => text.replace(/\u001b\[\d+m/g, '');

/** The head and the body of an output with one response (split at the blank line). */
function split(output: string): { head: string; body: string } {
  const end = output.indexOf('\n\n');
  return { head: output.slice(0, end + 1), body: output.slice(end + 2) };
}

describe('a terminal', () => {
  test('shows the status line and the headers, then the JSON body formatted and coloured', async () => {
    const server = await echoServer(leaks);
    const r = await run([`${server.url}/p`], { tty: true });
    assert.equal(r.code, 0, r.stderr);
    const { head, body } = split(plain(r.stdout));
    assert.match(head, /^HTTP\/1\.1 200 OK\nContent-Length: \d+\nContent-Type: application\/json\n$/);
    assert.ok(r.stdout.includes(esc(32, '200 OK')), 'the status is coloured by its class');
    assert.ok(split(r.stdout).body.startsWith(`{\n  ${esc(34, '"method"')}: ${esc(32, '"GET"')},`), r.stdout);
    assert.match(body, /^\{\n {2}"method": "GET",\n[\s\S]*\}\n$/);
    assert.equal(r.stderr, '');
  });

  test('NO_COLOR keeps the layout without colours; FORCE_COLOR=0 too; an empty NO_COLOR does not count', async () => {
    const server = await echoServer(leaks);
    const coloured = await run([`${server.url}/p`], { tty: true });
    for (const env of [{ NO_COLOR: '1' }, { FORCE_COLOR: '0' }, { TERM: 'dumb' }]) {
      const r = await run([`${server.url}/p`], { tty: true, env });
      assert.ok(!r.stdout.includes('\u001b['), `no escape codes with ${JSON.stringify(env)}`);
      assert.equal(r.stdout.replace(/Date: .*\n/, ''), plain(coloured.stdout).replace(/Date: .*\n/, ''));
    }
    const empty = await run([`${server.url}/p`], { tty: true, env: { NO_COLOR: '' } });
    assert.ok(empty.stdout.includes('\u001b['), 'NO_COLOR= (empty) leaves colours on, as no-color.org says');
  });

  test('ends a body with a newline when it has none; does not dump a binary body', async () => {
    const server = await echoServer(leaks);
    const text = await run([`${server.url}/text`], { tty: true });
    assert.equal(split(text.stdout).body, 'no newline\n');
    const binary = await run([`${server.url}/binary`], { tty: true, env: { NO_COLOR: '1' } });
    assert.equal(
      split(binary.stdout).body,
      '(binary body, 3 B: not shown on a terminal; use --download, or pipe it)\n',
    );
  });

  test('shows a streamed body as it arrives (an event stream is not held until its end)', async () => {
    let finish: () => void = () => {};
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write(
        'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n' +
          '0b\r\ndata: one\n\n\r\n',
      );
      finish = () => socket.write('0b\r\ndata: two\n\n\r\n0\r\n\r\n');
    });
    const memory = memoryIo({ cwd: dir, tty: true, env: { NO_COLOR: '1' } });
    const exited = main(['request', `${server.url}/events`], memory.io);
    await eventually(() => memory.stdout().toString().includes('data: one'), 'the first event on stdout');
    assert.ok(!memory.stdout().toString().includes('data: two'));
    finish();
    assert.equal(await exited, 0);
    assert.ok(memory.stdout().toString().endsWith('\n\ndata: one\n\ndata: two\n\n'), memory.stdout().toString());
  });
});

describe('a pipe', () => {
  test('gets the body alone, byte for byte, nothing added', async () => {
    const server = await echoServer(leaks);
    const text = await run([`${server.url}/text`]);
    assert.equal(text.stdout, 'no newline');
    assert.equal(text.stderr, '');
    const binary = await run([`${server.url}/binary`]);
    assert.deepEqual([...binary.stdoutBytes], [0, 1, 2]);
  });

  test('a status other than 2xx is named on stderr, since stdout does not show it', async () => {
    const server = await echoServer(leaks);
    const r = await run([`${server.url}/status/404`]);
    assert.equal(r.code, 4);
    assert.equal((JSON.parse(r.stdout) as Echo).path, '/status/404');
    assert.equal(r.stderr, 'wirekit request: 404 Not Found\n');
    assert.equal((await run(['-p', 'hb', `${server.url}/status/404`])).stderr, '', 'not when the head is printed');
  });

  test('FORCE_COLOR colours the heads it prints; the body stays as received', async () => {
    const server = await echoServer(leaks);
    const r = await run(['-p', 'hb', `${server.url}/text`], { env: { FORCE_COLOR: '1' } });
    assert.ok(r.stdout.startsWith(esc(2, 'HTTP/1.1')), r.stdout);
    assert.ok(r.stdout.endsWith('\n\nno newline'), r.stdout);
  });
});

describe('--print, -v and --all', () => {
  test('-p selects the parts: H request head, B request body, h response head, b response body', async () => {
    const server = await echoServer(leaks);
    const heads = await run(['-p', 'h', `${server.url}/text`]);
    assert.match(heads.stdout, /^HTTP\/1\.1 200 OK\nContent-Length: 10\nContent-Type: text\/plain\n\n$/);
    const both = await run(['-p', 'Hh', `${server.url}/text`, 'X-A:1']);
    assert.match(both.stdout, /^GET \/text HTTP\/1\.1\nHost: 127\.0\.0\.1:\d+\nX-A: 1\n[\s\S]*\n\nHTTP\/1\.1 200 OK\n/);
    const sent = await run(['-p', 'B', `${server.url}/echo`, 'a=1']);
    assert.equal(sent.stdout, '{"a":"1"}');
    const body = await run(['-p', 'b', `${server.url}/text`], { tty: true });
    assert.equal(body.stdout, 'no newline\n');
    const all = await run(['-p', 'HBhb', `${server.url}/echo`, 'a=1']);
    const [request, response] = all.stdout.split('\n\nHTTP/1.1 200 OK\n');
    assert.match(request ?? '', /^POST \/echo HTTP\/1\.1\n[\s\S]*Content-Length: 9\n\n\{"a":"1"\}$/);
    assert.match(response ?? '', /\n\n\{"method":"POST"/);
  });

  test('-v prints every part of every hop on stdout, in order', async () => {
    const server = await echoServer(leaks);
    const r = await run(['-v', '-F', `${server.url}/status/301`, 'X-Hop:1']);
    assert.equal(r.code, 0, r.stderr);
    const order = [
      /^GET \/status\/301 HTTP\/1\.1\nHost: 127\.0\.0\.1:\d+\nX-Hop: 1\n/m,
      /^HTTP\/1\.1 301 Moved Permanently\nContent-Length: 0\nLocation: \/status\/200\n/m,
      /^GET \/status\/200 HTTP\/1\.1\n/m,
      /^HTTP\/1\.1 200 OK\n/m,
      /^\{"method":"GET","path":"\/status\/200"/m,
    ].map((pattern) => pattern.exec(r.stdout)?.index ?? -1);
    assert.ok(
      order.every((at, i) => at >= 0 && (i === 0 || at > (order[i - 1] as number))),
      `${order.join(' ')}\n${r.stdout}`,
    );
    assert.equal(r.stderr, '');
  });

  test('with --follow only the final exchange is printed, unless --all', async () => {
    const server = await echoServer(leaks);
    const last = await run(['-p', 'Hh', '-F', `${server.url}/status/301`]);
    assert.match(last.stdout, /^GET \/status\/200 HTTP\/1\.1\n/);
    assert.ok(!last.stdout.includes('/status/301') && !last.stdout.includes(' 301 '), last.stdout);
    const every = await run(['-p', 'Hh', '-F', '--all', `${server.url}/status/301`]);
    assert.match(
      every.stdout,
      /^GET \/status\/301 [\s\S]*\nHTTP\/1\.1 301 [\s\S]*\nGET \/status\/200 [\s\S]*\nHTTP\/1\.1 200 OK\n/,
    );
  });

  test("the server's control characters in a head are shown escaped, on a terminal or piped", async () => {
    const server = await rawServer(leaks, (_req, socket) => {
      socket.write(Buffer.from('HTTP/1.1 200 O\x9bK\r\nX-Evil: a\x9b2Jb\r\nContent-Length: 0\r\n\r\n', 'latin1'));
    });
    for (const tty of [true, false]) {
      const r = await run(['-p', 'h', `${server.url}/`], { tty, env: { NO_COLOR: '1' } });
      assert.equal(r.stdout, 'HTTP/1.1 200 O\\x9bK\nX-Evil: a\\x9b2Jb\nContent-Length: 0\n\n');
    }
  });

  test('--timings prints one line with every phase on stderr', async () => {
    const server = await echoServer(leaks);
    const r = await run(['--timings', `${server.url}/t`]);
    assert.match(r.stderr, /^dns \d+\.\dms {2}connect \d+\.\dms {2}tls 0\.0ms {2}ttfb \d+\.\dms {2}total \d+\.\dms\n$/);
  });

  test('--help documents --print and the exit codes', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /-p, --print <what> +what to print: H request head, B request body, h response head,/);
    assert.match(r.stdout, /Exit codes:[\s\S]*6 {2}network, TLS, timeout or protocol failure/);
  });
});
