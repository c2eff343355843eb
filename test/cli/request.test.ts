/**
 * `wirekit request` in process (an injected CliIo): items, forms, files, methods, URLs and exit
 * codes. What it prints is in request-output.test.ts, downloads in request-download.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { trackLeaks } from '../helpers/leaks.js';
import { type Echo, echoServer, type Run, type RunOptions, runRequest } from './request-fixtures.js';

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

const run = (args: string[], options?: RunOptions): Promise<Run> => runRequest(dir, args, options);
const echo = () => echoServer(leaks);

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
    const piped = await run([`${server.url}/u`, '@-'], { stdin: 'piped in' });
    const fromStdin = JSON.parse(piped.stdout) as Echo;
    assert.deepEqual([fromStdin.method, fromStdin.body], ['POST', 'piped in']);
    assert.equal(piped.stderr, '', 'piped input needs no word');
    const typed = await run([`${server.url}/u`, '@-'], { stdin: 'typed', stdinTty: true });
    assert.equal(typed.stderr, '(the request body from standard input: type it, then Ctrl-D)\n');
  });

  test('User-Agent: wirekit/<version> and Accept: */* by default, overridable by header items', async () => {
    const server = await echo();
    const seen = JSON.parse((await run([`${server.url}/`])).stdout) as Echo;
    assert.equal(seen.headers['user-agent'], `wirekit/${packageVersion()}`);
    assert.equal(seen.headers.accept, '*/*');
    const own = JSON.parse((await run([`${server.url}/`, 'User-Agent:probe/1', 'Accept:text/plain'])).stdout) as Echo;
    assert.deepEqual([own.headers['user-agent'], own.headers.accept], ['probe/1', 'text/plain']);
  });

  test('a method in lower case is sent in upper case', async () => {
    const server = await echo();
    const put = JSON.parse((await run(['put', `${server.url}/thing`, 'a=1'])).stdout) as Echo;
    assert.deepEqual([put.method, put.path], ['PUT', '/thing']);
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
      ['ftp://example.com/file'],
      ['http://x', '@missing-file.bin'],
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
    const redirect = await run([`${server.url}/status/301`]);
    assert.equal(redirect.code, 3);
    assert.equal(redirect.stderr, 'wirekit request: 301 to /status/200 not followed (-F follows redirects)\n');
    assert.equal((await run(['--follow', `${server.url}/status/301`])).code, 0);
    assert.equal((await run([`${server.url}/status/404`])).code, 4);
    assert.equal((await run([`${server.url}/status/503`])).code, 5);
    const refused = await run(['http://127.0.0.1:9/']);
    assert.equal(refused.code, 6);
    assert.match(refused.stderr, /WK_ERR_CONNECT: .*ECONNREFUSED/);
    const slow = await run(['--timeout', '200ms', `${server.url}/slow`]);
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
