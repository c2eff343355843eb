/**
 * `wirekit serve`'s log through a logger, as users run it: piped, JSON records (announcements,
 * requests, a handler's fault with its stack, the stop); on a real terminal (a pty through
 * `script`), coloured lines; `--log` and `-q` checked.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { trackLeaks } from '../helpers/leaks.js';
import { BIN, PACKAGE_MAIN } from '../helpers/paths.js';
import { start, wirekit } from './processes.js';

const leaks = trackLeaks();
const hasScript = spawnSync('script', ['--version']).status === 0;
const skipPty = hasScript || process.env.CI === 'true' ? false : 'needs script: apt-get install util-linux';

let root = '';
before(() => {
  root = mkdtempSync(join(tmpdir(), 'wirekit-serve-log-'));
  writeFileSync(join(root, 'a.txt'), 'a\n');
  writeFileSync(
    join(root, 'app.mjs'),
    `import { App } from '${pathToFileURL(PACKAGE_MAIN).href}';
const app = new App();
app.get('/boom', () => { throw new Error('kaboom'); });
export default app;
`,
  );
});
after(() => rmSync(root, { recursive: true, force: true }));

type Record = { level: string; msg: string; [key: string]: unknown };

/** The JSON records on stdout so far (every line must be one). */
function records(stdout: Buffer): Record[] {
  const lines = stdout
    .toString()
    .split('\n')
    .filter((line) => line !== '');
  return lines.map((line) => JSON.parse(line) as Record);
}

test('piped, the log is JSON records: listening, each request, the stop', async () => {
  const serve = wirekit(leaks, ['serve', root, '--port', '0'], null);
  await serve.waitFor(/"msg":"listening"/, true);
  const listening = records(serve.stdout())[0] as Record;
  assert.equal(listening.level, 'info');
  assert.equal(listening.root, root);
  const url = listening.url as string;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(await (await fetch(`${url}a.txt`)).text(), 'a\n');
  await serve.waitFor(/"msg":"request completed"/, true);
  serve.child.kill('SIGTERM');
  assert.equal(await serve.exited, 0, serve.stderr());
  const all = records(serve.stdout());
  const request = all.find((r) => r.msg === 'request completed') as Record;
  assert.deepEqual(
    [request.method, request.path, request.status, request.bytes, request.remoteAddress],
    ['GET', '/a.txt', 200, 2, '127.0.0.1'],
  );
  assert.equal(typeof request.durationMs, 'number');
  assert.deepEqual(all.at(-1)?.msg, 'stopping');
  assert.equal(all.at(-1)?.signal, 'SIGTERM');
  assert.equal(serve.stderr(), '');
});

test("an app module's fault is an error record with its stack, on the same log, not on stderr", async () => {
  const serve = wirekit(leaks, ['serve', join(root, 'app.mjs'), '--port', '0', '--log', 'json'], null);
  await serve.waitFor(/"msg":"listening"/, true);
  const url = (records(serve.stdout())[0] as Record).url as string;
  const res = await fetch(`${url}boom`);
  assert.equal(res.status, 500);
  assert.ok(!(await res.text()).includes('kaboom'), 'the stack stays on the server');
  await serve.waitFor(/"level":"error"/, true);
  serve.child.kill('SIGTERM');
  assert.equal(await serve.exited, 0);
  const fault = records(serve.stdout()).find((r) => r.level === 'error') as Record;
  const err = fault.err as { message: string; stack: string };
  assert.equal(err.message, 'kaboom');
  assert.match(err.stack, /Error: kaboom\n\s+at /);
  assert.equal(serve.stderr(), '');
});

test('--log takes json, pretty or off; -q is --log off and goes with no other', async () => {
  for (const [args, expected] of [
    [['--log', 'yaml'], /^wirekit serve: --log: json, pretty or off, not "yaml"\n {6}--log <format>/],
    [['-q', '--log', 'json'], /^wirekit serve: -q is --log off; it cannot go with --log json\n/],
  ] as const) {
    const r = wirekit(leaks, ['serve', root, '--port', '0', ...args], null);
    assert.equal(await r.exited, 2);
    assert.match(r.stderr(), expected);
  }
  const off = wirekit(leaks, ['serve', root, '--port', '0', '--log', 'off'], null);
  const url = (await off.waitFor(/at (http:\S+\/)\n/, true))[1] as string;
  assert.equal((await fetch(`${url}a.txt`)).status, 200);
  off.child.kill('SIGTERM');
  assert.equal(await off.exited, 0);
  assert.doesNotMatch(off.stdout().toString(), /a\.txt/, 'no request lines');
});

test('on a terminal the log is coloured lines, one per request', { skip: skipPty }, async () => {
  const quoted = [process.execPath, BIN, 'serve', root, '--port', '0'].map((a) => `'${a}'`).join(' ');
  const command = `env -u NO_COLOR -u FORCE_COLOR -u NODE_DISABLE_COLORS TERM=xterm ${quoted}`;
  const pty = start(leaks, 'script', ['-qec', command, '/dev/null'], null);
  const url = (await pty.waitFor(/at (http:\S+\/)\r\n/, true))[1] as string;
  assert.equal((await fetch(`${url}missing`)).status, 404);
  const line = (await pty.waitFor(/\r\n(.*\/missing.*)\r\n/, true))[1] as string;
  const esc = (code: number, text: string): string => `\u001b[${code}m${text}\u001b[0m`;
  assert.ok(line.startsWith(esc(2, line.slice(4, 12))), JSON.stringify(line));
  assert.ok(line.includes(` ${esc(1, 'GET')} /missing ${esc(33, '404')} `), JSON.stringify(line));
  pty.child.kill('SIGTERM');
  await pty.exited;
});
