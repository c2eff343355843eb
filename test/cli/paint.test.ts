/** The CLI's one painter: when colours are on (terminal, NO_COLOR, FORCE_COLOR, TERM), styles, sizes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colorEnabled, humanBytes, isTerminal, painter, statusStyle } from '../../src/cli/paint.js';
import { parseDuration } from '../../src/cli/parse-units.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

test('colours go to a terminal, unless NO_COLOR (non-empty), NODE_DISABLE_COLORS or TERM=dumb', () => {
  assert.equal(colorEnabled(tty, {}), true);
  assert.equal(colorEnabled(pipe, {}), false);
  assert.equal(colorEnabled(tty, { NO_COLOR: '1' }), false);
  assert.equal(colorEnabled(tty, { NO_COLOR: '' }), true, 'no-color.org: present and not empty');
  assert.equal(colorEnabled(tty, { NODE_DISABLE_COLORS: '1' }), false);
  assert.equal(colorEnabled(tty, { TERM: 'dumb' }), false);
  assert.equal(isTerminal(tty, { TERM: 'dumb' }), false, 'no redrawn lines on a dumb terminal either');
  assert.equal(isTerminal(tty, { TERM: 'xterm-256color' }), true);
});

test('FORCE_COLOR decides when set, as Node and chalk read it: 0 and false off, anything else on', () => {
  for (const value of ['1', '2', '3', 'true', ''])
    assert.equal(colorEnabled(pipe, { FORCE_COLOR: value }), true, value);
  for (const value of ['0', 'false', 'FALSE']) assert.equal(colorEnabled(tty, { FORCE_COLOR: value }), false, value);
  assert.equal(colorEnabled(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }), true, 'FORCE_COLOR wins, as in Node');
});

test('a painter paints only when on; statuses are coloured by class; sizes read as people say them', () => {
  assert.equal(painter(true)('green', 'ok'), '\u001b[32mok\u001b[0m');
  assert.equal(painter(false)('green', 'ok'), 'ok');
  assert.deepEqual([101, 204, 302, 404, 503].map(statusStyle), ['green', 'green', 'cyan', 'yellow', 'red']);
  assert.deepEqual([-1, 0, 1536, 10 * 1024 * 1024].map(humanBytes), ['-', '0 B', '1.5 KiB', '10 MiB']);
});

test('durations: a unit, or a bare number of seconds (as nc -w, curl and wrk read it)', () => {
  assert.equal(parseDuration('--timeout', '5'), 5000);
  assert.equal(parseDuration('--timeout', '0.25'), 250);
  assert.equal(parseDuration('--latency', '100ms'), 100);
  assert.equal(parseDuration('--duration', '2m'), 120_000);
  assert.throws(() => parseDuration('--timeout', '5 parsecs'), /--timeout: unknown duration unit "parsecs"/);
});
