/**
 * `wirekit request --download` against a real node:http server: an error status saves nothing,
 * redirects are followed, names are safe, and `--continue` resumes with Range (206 appended, 200
 * started again, 416 already complete, a wrong Content-Range refused), also after a cut transfer
 * and after Ctrl-C.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { closeAfter, within } from '../client/helpers.js';
import { memoryIo } from '../helpers/cli-io.js';
import { type LeakTracker, trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';
import { type Run, type RunOptions, runRequest } from './request-fixtures.js';

const leaks = trackLeaks();
let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wirekit-download-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], options?: RunOptions): Promise<Run> => runRequest(dir, args, options);
const file = (name: string): string => join(dir, name);

/** 200 KiB of bytes that differ from offset to offset, so a misplaced append shows. */
const PAYLOAD = Buffer.from(Array.from({ length: 200 * 1024 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));

/**
 * Answers `/file.bin` with ranges as RFC 9110 §14 says; other paths misbehave on purpose (`/cut`
 * closes midway, `/stall` stops sending midway).
 */
function serveFile(req: IncomingMessage, res: ServerResponse, ranges: string[]): void {
  const url = req.url ?? '/';
  ranges.push(req.headers.range ?? '');
  if (url === '/missing.bin') {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not here');
    return;
  }
  if (url.startsWith('/go/')) {
    res.writeHead(302, { Location: '/file.bin', 'Content-Length': '0' }).end();
    return;
  }
  if (url === '/disposition') {
    res.writeHead(200, { 'Content-Disposition': 'attachment; filename="../../evil/.hidden.txt"' }).end('x');
    return;
  }
  if (url === '/stall/file.bin') {
    res.writeHead(200, { 'Content-Length': String(PAYLOAD.length) });
    res.write(PAYLOAD.subarray(0, 50_000));
    return;
  }
  if (url === '/cut/file.bin') {
    res.writeHead(200, { 'Content-Length': String(PAYLOAD.length) });
    res.write(PAYLOAD.subarray(0, 50_000), () => res.destroy());
    return;
  }
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range === null || url === '/ignore/file.bin') {
    res.writeHead(200, { 'Content-Length': String(PAYLOAD.length) }).end(PAYLOAD);
    return;
  }
  const start = Number(range[1]);
  if (start >= PAYLOAD.length) {
    res.writeHead(416, { 'Content-Range': `bytes */${PAYLOAD.length}` }).end();
    return;
  }
  const from = url === '/badrange/file.bin' ? 0 : start;
  res.writeHead(206, {
    'Content-Range': `bytes ${from}-${PAYLOAD.length - 1}/${PAYLOAD.length}`,
    'Content-Length': String(PAYLOAD.length - from),
  });
  res.end(PAYLOAD.subarray(from));
}

async function fileServer(tracker: LeakTracker): Promise<{ url: string; ranges: string[] }> {
  const ranges: string[] = [];
  const server = createServer((req, res) => serveFile(req, res, ranges));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeAfter(tracker, server);
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, ranges };
}

describe('--download', () => {
  test('an error status saves nothing, not even an empty file, and exits by its class', async () => {
    const server = await fileServer(leaks);
    const named = await run(['-d', `${server.url}/missing.bin`]);
    assert.equal(named.code, 4);
    assert.equal(named.stderr, 'wirekit request: 404 Not Found: nothing saved\n');
    assert.equal(named.stdout, '');
    assert.ok(!existsSync(file('missing.bin')));
    const chosen = await run(['-o', 'chosen.bin', `${server.url}/missing.bin`]);
    assert.equal(chosen.code, 4);
    assert.ok(!existsSync(file('chosen.bin')));
  });

  test('follows redirects and names the file after the URL asked for', async () => {
    const server = await fileServer(leaks);
    const r = await run(['-d', `${server.url}/go/data.bin`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readFileSync(file('data.bin')), PAYLOAD);
    assert.match(r.stderr, new RegExp(`saved ${PAYLOAD.length} bytes to .*data\\.bin\\n$`));
  });

  test('a name from Content-Disposition loses its directories and leading dots', async () => {
    const server = await fileServer(leaks);
    const r = await run(['-d', `${server.url}/disposition`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(file('hidden.txt'), 'utf8'), 'x');
  });

  test('on a terminal: the response head and a progress line on stderr, cleared at the end', async () => {
    const server = await fileServer(leaks);
    const r = await run(['-o', 'tty.bin', `${server.url}/file.bin`], { stderrTty: true, env: { NO_COLOR: '1' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const clear = '\r\u001b[2K';
    assert.match(r.stderr, /^HTTP\/1\.1 200 OK\n/);
    const progress = r.stderr.slice(r.stderr.indexOf('\n\n') + 2);
    assert.ok(progress.startsWith(`${clear}  `), JSON.stringify(progress));
    assert.match(progress.slice(clear.length), /^ {2}[\d.]+ KiB of 200 KiB {2}\d+%/);
    assert.ok(progress.endsWith(`${clear}saved 204800 bytes to ${file('tty.bin')}\n`), JSON.stringify(progress));
  });
});

describe('--continue', () => {
  test('asks for the bytes after the partial file and appends the 206 answer', async () => {
    const server = await fileServer(leaks);
    writeFileSync(file('part.bin'), PAYLOAD.subarray(0, 1000));
    const r = await run(['-c', '-o', 'part.bin', `${server.url}/file.bin`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(server.ranges, ['bytes=1000-']);
    assert.deepEqual(readFileSync(file('part.bin')), PAYLOAD);
    assert.match(r.stderr, /saved 203800 more bytes to .*part\.bin \(204800 in all\)\n$/);
  });

  test('without -o it resumes the file named after the URL; without a file it downloads it all', async () => {
    const server = await fileServer(leaks);
    writeFileSync(file('file.bin'), PAYLOAD.subarray(0, 4096));
    assert.equal((await run(['-c', `${server.url}/file.bin`])).code, 0);
    assert.deepEqual(readFileSync(file('file.bin')), PAYLOAD);
    const fresh = await run(['-c', '-o', 'fresh.bin', `${server.url}/file.bin`]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.deepEqual(server.ranges, ['bytes=4096-', ''], 'no Range for a file that is not there');
    assert.deepEqual(readFileSync(file('fresh.bin')), PAYLOAD);
  });

  test('starts again when the server ignores the range (200)', async () => {
    const server = await fileServer(leaks);
    writeFileSync(file('stale.bin'), 'x'.repeat(500));
    const r = await run(['-c', '-o', 'stale.bin', `${server.url}/ignore/file.bin`]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readFileSync(file('stale.bin')), PAYLOAD);
    assert.match(r.stderr, /whole file \(200, not 206\): downloading it again from the start/);
  });

  test('416 on a complete file: already complete, exit 0, the file untouched', async () => {
    const server = await fileServer(leaks);
    writeFileSync(file('done.bin'), PAYLOAD);
    const r = await run(['-c', '-o', 'done.bin', `${server.url}/file.bin`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /done\.bin is already complete \(204800 bytes\)\n$/);
    assert.deepEqual(readFileSync(file('done.bin')), PAYLOAD);
  });

  test('a Content-Range that does not start at the end of the file saves nothing', async () => {
    const server = await fileServer(leaks);
    writeFileSync(file('odd.bin'), PAYLOAD.subarray(0, 10));
    const r = await run(['-c', '-o', 'odd.bin', `${server.url}/badrange/file.bin`]);
    assert.equal(r.code, 6);
    assert.match(r.stderr, /asked for bytes=10- and got Content-Range: bytes 0-204799\/204800: nothing saved/);
    assert.deepEqual(readFileSync(file('odd.bin')), PAYLOAD.subarray(0, 10));
  });

  test('a transfer cut short keeps what arrived, says so, and --continue completes it', async () => {
    const server = await fileServer(leaks);
    const cut = await run(['-o', 'cut.bin', `${server.url}/cut/file.bin`]);
    assert.equal(cut.code, 6);
    const kept = readFileSync(file('cut.bin'));
    assert.ok(kept.length > 0 && kept.length < PAYLOAD.length, `${kept.length} bytes kept`);
    assert.deepEqual(kept, PAYLOAD.subarray(0, kept.length));
    assert.match(cut.stderr, new RegExp(`cut short: ${kept.length} bytes in .*cut\\.bin \\(--continue resumes it\\)`));
    const resumed = await run(['-c', '-o', 'cut.bin', `${server.url}/file.bin`]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(readFileSync(file('cut.bin')), PAYLOAD);
  });
});

test('Ctrl-C during a download keeps what arrived, says how to resume, exits 130', async () => {
  const server = await fileServer(leaks);
  let interrupt: (signal: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    interrupt = resolve;
  });
  const memory = memoryIo({ cwd: dir, stopped });
  const exited = main(['request', '-o', 'int.bin', `${server.url}/stall/file.bin`], memory.io);
  await eventually(() => existsSync(file('int.bin')) && statSync(file('int.bin')).size === 50_000, 'half the file');
  interrupt('SIGINT');
  assert.equal(await within(exited, 'the download to end after Ctrl-C'), 130);
  assert.match(
    memory.stderr().toString(),
    /cut short: 50000 bytes in .*int\.bin \(--continue resumes it\)\nwirekit request: interrupted \(SIGINT\)\n$/,
  );
  assert.equal((await run(['-c', '-o', 'int.bin', `${server.url}/file.bin`])).code, 0);
  assert.deepEqual(readFileSync(file('int.bin')), PAYLOAD);
});
