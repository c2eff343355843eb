/**
 * `wirekit request` (the installed bin) beside curl, both against a node:http server, a peer that
 * is not ours: for each case the body on stdout is byte for byte what `curl` prints, and both sent
 * the server the same method, path and body. Cases cover what a curl user relies on: chunked and
 * gzip answers (`--compressed`), a binary body, redirects followed (`-L`), HEAD, and a JSON POST.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { BIN } from '../helpers/paths.js';

const BINARY = randomBytes(300 * 1024);
const seen: string[] = [];
let base = '';
let close: () => Promise<void> = async () => {};

function route(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  seen.push(`${req.method} ${req.url} ${body.toString('utf8')}`);
  switch (req.url) {
    case '/chunked':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first,');
      setTimeout(() => res.end('second'), 20);
      return;
    case '/gzip': {
      const zipped = gzipSync(Buffer.from('compressed text\n'.repeat(200)));
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': zipped.length });
      res.end(zipped);
      return;
    }
    case '/binary':
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BINARY.length });
      res.end(BINARY);
      return;
    case '/hop':
      res.writeHead(302, { location: '/chunked' });
      res.end('moved');
      return;
    default:
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, body: body.toString('utf8') }));
  }
}

before(async () => {
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => route(req, res, Buffer.concat(parts)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
  close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
});

after(() => close());

function run(command: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024, timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stderr.toString()}`));
        else resolve(stdout);
      },
    );
  });
}

/** The same request through both clients; returns both outputs and what the server saw of each. */
async function both(curlArgs: string[], wirekitArgs: string[]) {
  seen.length = 0;
  const byCurl = await run('curl', ['--silent', '--show-error', '--http1.1', ...curlArgs]);
  const curlSaw = seen.splice(0);
  const byWirekit = await run(process.execPath, [BIN, 'request', ...wirekitArgs]);
  return { byCurl, byWirekit, curlSaw, wirekitSaw: seen.splice(0) };
}

const cases: [string, string[], string[]][] = [
  ['a chunked answer', ['/chunked'], ['/chunked']],
  ['a gzip answer, decoded (curl --compressed)', ['--compressed', '/gzip'], ['/gzip']],
  ['a binary body', ['/binary'], ['/binary']],
  ['a redirect followed (curl -L)', ['-L', '/hop'], ['--follow', '/hop']],
  [
    'a JSON POST',
    ['-X', 'POST', '-H', 'content-type: application/json', '--data', '{"n":1}', '/echo'],
    ['POST', '/echo', 'n:=1'],
  ],
];

for (const [name, curlArgs, wirekitArgs] of cases) {
  test(`${name}: the same bytes out, the same request in`, async () => {
    const withBase = (args: string[]) => args.map((a) => (a.startsWith('/') ? `${base}${a}` : a));
    const { byCurl, byWirekit, curlSaw, wirekitSaw } = await both(withBase(curlArgs), withBase(wirekitArgs));
    assert.ok(
      byCurl.equals(byWirekit),
      `stdout differs:\ncurl:    ${byCurl.subarray(0, 200)}\nwirekit: ${byWirekit.subarray(0, 200)}`,
    );
    assert.deepEqual(wirekitSaw, curlSaw);
  });
}

test('HEAD: no body from either, and the server saw a HEAD', async () => {
  const { byCurl, byWirekit, curlSaw, wirekitSaw } = await both(
    ['--head', '-o', '/dev/null', `${base}/binary`],
    ['HEAD', `${base}/binary`],
  );
  assert.equal(byCurl.byteLength, 0);
  assert.equal(byWirekit.byteLength, 0);
  assert.deepEqual(wirekitSaw, curlSaw);
  assert.deepEqual(curlSaw, ['HEAD /binary ']);
});
