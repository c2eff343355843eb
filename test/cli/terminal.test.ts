/**
 * The terminal behaviour through a real pseudo-terminal (`script` from util-linux runs the bundled
 * `wirekit` on a pty), against the same run piped: what a user sees, not an injected `isTTY`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { trackLeaks } from '../helpers/leaks.js';
import { BIN } from '../helpers/paths.js';
import { start, wirekit } from './processes.js';
import { echoServer } from './request-fixtures.js';

const leaks = trackLeaks();
const hasScript = spawnSync('script', ['--version']).status === 0;
const skip = hasScript || process.env.CI === 'true' ? false : 'needs script: apt-get install util-linux';

/** `wirekit …args` on a pseudo-terminal, with colours left to the terminal; CRLF read as LF. */
async function onTerminal(args: string[]): Promise<{ code: number | string; output: string }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const command = `env -u NO_COLOR -u FORCE_COLOR -u NODE_DISABLE_COLORS TERM=xterm ${quoted}`;
  const proc = start(leaks, 'script', ['-qec', command, '/dev/null']);
  const code = await proc.exited;
  return { code, output: proc.stdout().toString().replace(/\r\n/g, '\n') };
}

test('wirekit request on a terminal: coloured status line and headers, formatted JSON; piped: the body', {
  skip,
}, async () => {
  const server = await echoServer(leaks);
  const shown = await onTerminal(['request', `${server.url}/users/1`]);
  assert.equal(shown.code, 0, shown.output);
  assert.ok(
    shown.output.startsWith('\u001b[2mHTTP/1.1\u001b[0m \u001b[1m\u001b[32m200 OK'),
    JSON.stringify(shown.output),
  );
  const esc = (code: number, text: string): string => `\u001b[${code}m${text}\u001b[0m`;
  assert.ok(shown.output.includes(`\n\n{\n  ${esc(34, '"method"')}: ${esc(32, '"GET"')},\n`), shown.output);
  assert.ok(shown.output.endsWith('}\n'), 'the body ends the output, with a newline');
  const piped = wirekit(leaks, ['request', `${server.url}/users/1`]);
  assert.equal(await piped.exited, 0);
  assert.match(piped.stdout().toString(), /^\{"method":"GET","path":"\/users\/1",.*\}$/);
});
