/**
 * `wirekit serve` as a user runs it: a child process on port 0 against a temp directory, every
 * flag checked over HTTP, one log line per request, and a graceful stop on SIGTERM.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { BIN, DIST_DIR, PACKAGE_MAIN } from '../helpers/paths.js';
import { sleep } from '../helpers/wait.js';

interface Running {
  child: ChildProcess;
  url: string;
  /** stdout and stderr, as they arrived. */
  output: () => string;
  /** stderr alone (warnings would land there). */
  errors: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts `wirekit serve …args --port 0` and waits for the line with its URL; piped, so with the
 * pretty log asked for unless the args choose (the JSON log, piped's default, is tested below).
 */
async function start(args: string[]): Promise<Running> {
  const log = args.includes('-q') || args.includes('--log') ? [] : ['--log', 'pretty'];
  const child = spawn(process.execPath, [BIN, 'serve', ...args, ...log, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while (!/at (http:\/\/\S+)\//.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start:\n${out}`);
    await sleep(25);
  }
  const url = (/at (http:\/\/\S+?)\/\n/.exec(out) as RegExpExecArray)[1] as string;
  return { child, url, output: () => out, errors: () => err, exited };
}

/** Waits (bounded) until the output matches `pattern`. */
async function waitForOutput(running: Running, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pattern.test(running.output())) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} in the output:\n${running.output()}`);
    await sleep(20);
  }
}

/**
 * Starts a download of `path` and abandons it as a user closing curl does: reads the head, stops
 * reading so the server waits for the socket to drain, then resets the connection.
 */
async function abandonDownload(running: Running, path: string): Promise<void> {
  const { port, hostname } = new URL(running.url);
  const socket = createConnection({ port: Number(port), host: hostname });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => resolve());
  });
  socket.on('error', () => {});
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  await new Promise((resolve) => socket.once('data', resolve));
  socket.pause();
  // Time for the server to fill the socket buffers; the test passes whichever way the reset lands.
  await sleep(300);
  socket.resetAndDestroy();
}

async function stop(running: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  running.child.kill(signal);
  return running.exited;
}

let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'wirekit-serve-'));
  writeFileSync(join(root, 'video.bin'), '');
  truncateSync(join(root, 'video.bin'), 64 * 1024 * 1024); // sparse: larger than any socket buffer
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>home</title><p>home page</p>');
  writeFileSync(join(root, 'big.txt'), 'wirekit '.repeat(4096));
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'docs', 'a.txt'), 'a\n');
  writeFileSync(join(root, '.env'), 'SECRET=1\n');
});

after(() => rmSync(root, { recursive: true, force: true }));

test('serves files and listings, logs one line per request, stops on SIGTERM', async () => {
  const running = await start([root]);
  try {
    const file = await fetch(`${running.url}/docs/a.txt`);
    assert.equal(file.status, 200);
    assert.equal(await file.text(), 'a\n');
    const listing = await fetch(`${running.url}/docs/`);
    assert.match(await listing.text(), /a\.txt/);
    const missing = await fetch(`${running.url}/nope.txt`);
    assert.equal(missing.status, 404);
    await missing.arrayBuffer();
    await waitForOutput(running, /\/nope\.txt 404/);
    const lines = running.output().split('\n');
    assert.ok(
      lines.some((l) => /^\d\d:\d\d:\d\d GET \/docs\/a\.txt 200 2 B \d+\.\d ms$/.test(l)),
      running.output(),
    );
    assert.ok(lines.some((l) => / GET \/nope\.txt 404 /.test(l)));
    assert.ok(!running.output().includes('\x1b['), 'no colour when stdout is not a terminal');
  } finally {
    assert.equal(await stop(running), 0);
  }
  assert.match(running.output(), /SIGTERM: stopping/);
});

test('an abandoned download is logged as such and prints no warning, with or without -q', async () => {
  const logged = await start([root]);
  try {
    await abandonDownload(logged, '/video.bin');
    await waitForOutput(logged, /GET \/video\.bin 200 - [\d.]+ ms \(client went away\)/);
  } finally {
    assert.equal(await stop(logged), 0);
  }
  assert.equal(logged.errors(), '', 'nothing on stderr');
  const quiet = await start([root, '-q']);
  try {
    await abandonDownload(quiet, '/video.bin');
    // Nothing to wait for in the log: a later request, then the stop, give the reset time to land
    // (the logged run above is the strict check).
    assert.equal((await fetch(`${quiet.url}/docs/a.txt`)).status, 200);
  } finally {
    assert.equal(await stop(quiet), 0);
  }
  assert.equal(quiet.errors(), '', 'nothing on stderr');
});

test('--no-listing, --spa, --cors, --compress and --cache change the answers', async () => {
  const running = await start([root, '--no-listing', '--spa', '--cors', '--compress', '--cache', '60']);
  try {
    assert.equal((await fetch(`${running.url}/docs/`)).status, 404);
    const spa = await fetch(`${running.url}/some/client/route`, { headers: { accept: 'text/html' } });
    assert.equal(spa.status, 200);
    assert.match(await spa.text(), /home page/);
    const asset = await fetch(`${running.url}/missing.js`, { headers: { accept: 'text/html' } });
    assert.equal(asset.status, 404, 'no SPA fallback for asset-like paths');
    await asset.arrayBuffer();
    const cors = await fetch(`${running.url}/docs/a.txt`, {
      headers: { origin: 'http://example.test', range: 'bytes=0-0' },
    });
    assert.equal(cors.status, 206);
    assert.equal(cors.headers.get('access-control-allow-origin'), '*');
    // A cross-origin player or downloader reads these; browsers hide fields that are not exposed.
    const exposed = (cors.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    for (const name of ['content-range', 'content-length', 'etag', 'accept-ranges', 'last-modified']) {
      assert.ok(exposed.includes(name), `${name} is exposed (${exposed.join(', ')})`);
    }
    assert.match(cors.headers.get('cache-control') ?? '', /max-age=60/);
    await cors.arrayBuffer();
    const raw = await rawGet(running.url, '/big.txt', { 'accept-encoding': 'gzip' });
    assert.equal(raw.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(raw.body).toString(), 'wirekit '.repeat(4096));
  } finally {
    assert.equal(await stop(running), 0);
  }
});

test('other methods on a file get 405 with Allow: GET, HEAD; missing files 404', async () => {
  const running = await start([root]);
  try {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const res = await fetch(`${running.url}/docs/a.txt`, { method });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'GET, HEAD', method);
      await res.arrayBuffer();
    }
    const missing = await fetch(`${running.url}/nope.txt`);
    assert.equal(missing.status, 404);
    await missing.arrayBuffer();
  } finally {
    assert.equal(await stop(running), 0);
  }
});

test('--host binds the address given (the URL line shows it)', async () => {
  const running = await start([root, '--host', '::1']);
  try {
    assert.match(running.url, /^http:\/\/\[::1\]:\d+$/);
    assert.equal(await (await fetch(`${running.url}/docs/a.txt`)).text(), 'a\n');
  } finally {
    assert.equal(await stop(running), 0);
  }
  const short = await start([root, '-H', '127.0.0.1']);
  try {
    assert.match(short.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    assert.equal(await stop(short), 0);
  }
});

test('bound to every interface (0.0.0.0) it shows URLs a browser can open: loopback, then the network', async () => {
  const running = await start([root, '--host', '0.0.0.0']);
  try {
    assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await (await fetch(`${running.url}/docs/a.txt`)).text(), 'a\n');
    const port = new URL(running.url).port;
    for (const line of running
      .output()
      .split('\n')
      .filter((l) => l.includes('on the network'))) {
      assert.match(line, new RegExp(`^ {2}on the network: http://\\d+\\.\\d+\\.\\d+\\.\\d+:${port}/$`));
    }
    assert.ok(!running.output().includes('0.0.0.0'), running.output());
  } finally {
    assert.equal(await stop(running), 0);
  }
});

test('dotfiles are hidden unless --dotfiles', async () => {
  const hidden = await start([root]);
  try {
    const res = await fetch(`${hidden.url}/.env`);
    assert.equal(res.status, 404);
    await res.arrayBuffer();
  } finally {
    assert.equal(await stop(hidden), 0);
  }
  const shown = await start([root, '--dotfiles']);
  try {
    assert.equal(await (await fetch(`${shown.url}/.env`)).text(), 'SECRET=1\n');
  } finally {
    assert.equal(await stop(shown), 0);
  }
});

test('-q logs no requests; Ctrl-C (SIGINT) stops it with exit code 0', async () => {
  const running = await start([root, '-q']);
  try {
    assert.equal((await fetch(`${running.url}/docs/a.txt`)).status, 200);
    const missing = await fetch(`${running.url}/nope.txt`);
    assert.equal(missing.status, 404);
    await missing.arrayBuffer();
  } finally {
    assert.equal(await stop(running, 'SIGINT'), 0);
  }
  assert.match(running.output(), /SIGINT: stopping/);
  assert.doesNotMatch(running.output(), / (GET|HEAD) \//, 'no request lines');
});

test('serve --help lists every option and exits 0', async () => {
  const child = spawn(process.execPath, [BIN, 'serve', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  for (const option of [
    '-p, --port <n>',
    '-H, --host <addr>',
    '--cors',
    '--spa',
    '--no-listing',
    '--compress',
    '--cache <s>',
    '--dotfiles',
    '--log <format>',
    '-q, --quiet',
    '-h, --help',
  ]) {
    assert.ok(out.includes(option), `${option} is listed`);
  }
});

test('runs a module that default-exports an App (JavaScript and TypeScript)', async () => {
  const index = pathToFileURL(PACKAGE_MAIN).href;
  const js = join(root, 'app.mjs');
  writeFileSync(
    js,
    `import { App } from '${index}';\nconst app = new App();\napp.get('/hi/:name', (c) => c.json({ hi: c.req.param('name') }));\nexport default app;\n`,
  );
  const ts = join(root, 'app.ts');
  writeFileSync(
    ts,
    `import { App } from '${index}';\nconst app: App = new App();\napp.get('/', (c) => c.text('typed'));\nexport default app;\n`,
  );
  const jsRun = await start([js, '--cors']);
  try {
    const res = await fetch(`${jsRun.url}/hi/ada`, { headers: { origin: 'http://x.test' } });
    assert.deepEqual(await res.json(), { hi: 'ada' });
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal((await fetch(`${jsRun.url}/other`)).status, 404);
  } finally {
    assert.equal(await stop(jsRun), 0);
  }
  // `wirekit serve app.ts` finds tsx next to the module: the test's module lives in a temp dir, so
  // link this repo's node_modules there as a user's project would have them.
  const { symlinkSync } = await import('node:fs');
  symlinkSync(join(DIST_DIR, '../node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  const tsRun = await start([ts]);
  try {
    assert.equal(await (await fetch(`${tsRun.url}/`)).text(), 'typed');
  } finally {
    assert.equal(await stop(tsRun), 0);
  }
});

test('a bad argument exits 2 with a message', async () => {
  const child = spawn(process.execPath, [BIN, 'serve', join(root, 'nope'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 2);
  assert.match(err, /no such file or directory/);
});

/** A GET over node:http, so the test sees the raw Content-Encoding (fetch would decode it). */
async function rawGet(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${path}`, { headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}
