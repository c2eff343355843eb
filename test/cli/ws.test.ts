/**
 * `wirekit ws`: in process against wirekit's server (lines to messages, messages to stdout, --json,
 * binary in hex, headers and subprotocols, every exit code), and as a user runs it: the installed
 * bundle against `wirekit serve` of an app module with WebSocket routes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { main } from '../../src/cli/main.js';
import { rawServer } from '../client/helpers.js';
import { memoryIo } from '../helpers/cli-io.js';
import { trackLeaks } from '../helpers/leaks.js';
import { BIN, PACKAGE_MAIN } from '../helpers/paths.js';
import { eventually } from '../helpers/wait.js';
import { echoServer, startWsServer } from '../ws/helpers.js';
import { start } from './processes.js';

const leaks = trackLeaks();

async function ws(args: string[], stdin = '') {
  const memory = memoryIo({ cwd: '/', stdin });
  const code = await main(['ws', ...args], memory.io);
  return { code, stdout: memory.stdout().toString(), stderr: memory.stderr().toString() };
}

describe('wirekit ws in process', () => {
  test('lines of stdin go out as text messages, echoes come back on stdout, the end of stdin closes 1000: exit 0', async () => {
    const server = await echoServer(leaks);
    const result = await ws([`${server.url}/echo`], 'hello\nworld\r\nlast without newline');
    assert.equal(result.stdout, 'hello\nworld\nlast without newline\n');
    assert.equal(result.code, 0, result.stderr);
    await eventually(() => server.closes.length === 1, 'the server saw the close');
    assert.equal(server.closes[0]?.code, 1000);
  });

  test('--json: one record per message and the close; --binary sends bytes, shown as hex', async () => {
    const server = await echoServer(leaks);
    const text = await ws([server.url, '--json'], 'a "quoted" line\n');
    assert.deepEqual(
      text.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
      [
        { type: 'text', data: 'a "quoted" line' },
        { type: 'close', code: 1000, reason: '' },
      ],
    );
    const binary = await ws([server.url, '--binary'], 'hi\n');
    assert.equal(binary.stdout, '6869\n');
    const both = await ws([server.url, '--binary', '--json'], 'hi\n');
    assert.deepEqual(JSON.parse(both.stdout.split('\n')[0] as string), { type: 'binary', hex: '6869' });
  });

  test('--header and --subprotocol reach the upgrade; --compress negotiates; -v tells what was agreed', async () => {
    let seen: { offered: string[]; auth: string | null } | undefined;
    const server = await echoServer(leaks, {
      perMessageDeflate: true,
      protocol: (offered, req) => {
        seen = { offered, auth: req.headers.get('authorization') };
        return offered[1] ?? '';
      },
    });
    const args = [server.url, '-H', 'Authorization: Bearer t', '-s', 'one', '--subprotocol', 'two'];
    const result = await ws([...args, '--compress', '-v'], 'x\n');
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(seen, { offered: ['one', 'two'], auth: 'Bearer t' });
    assert.match(result.stderr, /subprotocol: two; extensions: permessage-deflate/);
    assert.match(result.stderr, /closed with 1000/);
  });

  test('exit codes: another close code 6, no closing handshake 4, refused 7, unreachable 1, timeout 3, usage 2', async () => {
    const closing = await startWsServer(leaks, { open: (socket) => socket.close(4001, 'go away') });
    const closed = await ws([closing.url], '');
    assert.equal(closed.code, 6);
    assert.match(closed.stderr, /closed with 4001 \(go away\)/);

    const dropping = await startWsServer(leaks, { open: (socket) => socket.terminate() });
    assert.equal((await ws([dropping.url], '')).code, 4);

    const refusing = await rawServer(leaks, (_request, socket) => {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    });
    const refused = await ws([refusing.url.replace('http', 'ws')]);
    assert.equal(refused.code, 7);
    assert.match(refused.stderr, /404 instead of 101/);

    const silent = await rawServer(leaks, () => {});
    assert.equal((await ws([silent.url.replace('http', 'ws'), '--timeout', '100ms'])).code, 3);

    const port = silent.port;
    await silent.close();
    assert.equal((await ws([`ws://127.0.0.1:${port}/`])).code, 1);

    assert.equal((await ws([])).code, 2);
    assert.equal((await ws(['http://example.com/'])).code, 2);
    assert.equal((await ws(['ws://x/', '-H', 'no colon'])).code, 2);
  });
});

test('wirekit serve runs an app module with WebSocket routes; wirekit ws talks to it; SIGTERM closes with 1001', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirekit-ws-cli-'));
  leaks.defer(() => rmSync(dir, { recursive: true, force: true }));
  const app = join(dir, 'app.mjs');
  writeFileSync(
    app,
    [
      `import { App } from '${pathToFileURL(PACKAGE_MAIN).href}';`,
      'const app = new App();',
      "app.get('/', (c) => c.text('page'));",
      "app.ws('/shout/:name', { message: (ws, data) => ws.send(String(data).toUpperCase() + ', ' + ws.data.name),",
      "  upgrade: (c) => ({ name: c.req.param('name') }) });",
      'export default app;',
    ].join('\n'),
  );
  const serve = start(leaks, process.execPath, [BIN, 'serve', app, '--port', '0', '--log', 'pretty'], null);
  const [, url] = await serve
    .waitFor(/at (http:\/\/\S+?)\/\n/, true)
    .catch(() => serve.waitFor(/at (http:\/\/\S+?)\/\n/));
  const base = (url as string).replace('http', 'ws');
  const once = start(leaks, process.execPath, [BIN, 'ws', `${base}/shout/ada`], 'hello\n');
  assert.equal(await once.exited, 0, once.stderr());
  assert.equal(once.stdout().toString(), 'HELLO, ada\n');
  // A session left open (stdin not ended) is closed by the server's shutdown: 1001, exit 6.
  const open = start(leaks, process.execPath, [BIN, 'ws', `${base}/shout/bob`, '--json'], null);
  open.child.stdin?.write('hi\n');
  await eventually(
    () => open.stdout().toString().includes('HI, bob'),
    () => open.stderr(),
  );
  serve.child.kill('SIGTERM');
  assert.equal(await open.exited, 6, open.stderr());
  assert.match(open.stdout().toString(), /"type":"close","code":1001/);
  assert.equal(await serve.exited, 0);
});
