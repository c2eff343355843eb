/** The terminal logger of `wirekit serve`: access lines, other records with their fields and stacks, levels, children. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { painter } from '../../src/cli/paint.js';
import { prettyLogger } from '../../src/cli/pretty-logger.js';

const at = new Date(2026, 0, 2, 3, 4, 5);

function capture(colour = false, level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  const log = prettyLogger({
    write: (line) => lines.push(line),
    paint: painter(colour),
    now: () => at,
    ...(level ? { level } : {}),
  });
  return { log, lines };
}

test('a request record is one access line; a cut response says why, with - for the bytes', () => {
  const { log, lines } = capture();
  const base = { method: 'GET', path: '/a.txt', status: 200, durationMs: 3.25, remoteAddress: '127.0.0.1' };
  log.info({ ...base, bytes: 1536 }, 'request completed');
  log.info({ ...base, bytes: -1, incomplete: true, clientGone: true }, 'request completed');
  log.info({ ...base, bytes: -1, incomplete: true, clientGone: false }, 'request completed');
  log.child({ reqId: 'r1' }).info({ ...base, bytes: 2, user: 'ada' }, 'request completed');
  assert.deepEqual(lines, [
    '03:04:05 GET /a.txt 200 1.5 KiB 3.3 ms\n',
    '03:04:05 GET /a.txt 200 - 3.3 ms (client went away)\n',
    '03:04:05 GET /a.txt 200 - 3.3 ms (response failed)\n',
    '03:04:05 GET /a.txt 200 2 B 3.3 ms user=ada\n',
  ]);
});

test('other records: LEVEL, message, fields as key=value, an error stack indented below', () => {
  const { log, lines } = capture();
  log.warn({ port: 8080, path: '/x y' }, 'slow');
  const err = new Error('db down');
  err.stack = 'Error: db down\n    at query (db.js:1:1)';
  log.child({ reqId: 'k1' }).error({ err, status: 500 }, 'db down');
  log.info('plain message');
  assert.deepEqual(lines, [
    '03:04:05 WARN slow port=8080 path="/x y"\n',
    '03:04:05 ERROR db down reqId=k1 status=500\n    Error: db down\n    at query (db.js:1:1)\n',
    '03:04:05 INFO plain message\n',
  ]);
});

test('levels below the threshold are dropped; colours follow the painter', () => {
  const quiet = capture(false, 'warn');
  quiet.log.info('hidden');
  quiet.log.debug('hidden');
  quiet.log.error('shown');
  assert.deepEqual(quiet.lines, ['03:04:05 ERROR shown\n']);
  const coloured = capture(true);
  coloured.log.info({ method: 'POST', path: '/', status: 503, bytes: 0, durationMs: 1 }, 'request completed');
  assert.ok(coloured.lines[0]?.includes('\u001b[31m503\u001b[0m'), coloured.lines[0]);
  assert.ok(coloured.lines[0]?.startsWith('\u001b[2m03:04:05\u001b[0m \u001b[1mPOST\u001b[0m'), coloured.lines[0]);
});

test('control characters in a logged path or field are shown escaped, not sent to the terminal', () => {
  const { log, lines } = capture();
  log.info({ method: 'GET', path: '/a\u001b[2Jb', status: 404, bytes: 0, durationMs: 1 }, 'request completed');
  log.warn({ agent: 'x\u009b31m y\u007f' }, 'odd\nline');
  assert.deepEqual(lines, [
    '03:04:05 GET /a\\x1b[2Jb 404 0 B 1.0 ms\n',
    '03:04:05 WARN odd\\x0aline agent="x\\x9b31m y\\x7f"\n',
  ]);
});
