/** jsonLogger: one JSON line per record, levels, children's bindings, errors with their stack. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { faultLog, jsonLogger, type LogLevel } from '../../src/util/logger.js';
import { stderrDuring } from '../helpers/stderr.js';

function capture(level?: LogLevel) {
  const lines: string[] = [];
  const log = jsonLogger({ ...(level === undefined ? {} : { level }), write: (line) => lines.push(line) });
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { log, lines, records };
}

describe('jsonLogger', () => {
  test('one line of JSON per record: time, level, msg, then the fields', () => {
    const { log, lines, records } = capture();
    log.info({ port: 3000 }, 'listening');
    log.warn('plain message');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.ok(line.endsWith('}\n') && !line.slice(0, -1).includes('\n'), line);
    const [first, second] = records();
    assert.equal(first?.level, 'info');
    assert.equal(first?.msg, 'listening');
    assert.equal(first?.port, 3000);
    assert.ok(!Number.isNaN(Date.parse(String(first?.time))), 'an ISO time');
    assert.equal(second?.level, 'warn');
    assert.equal(second?.msg, 'plain message');
  });

  test('records below the level are dropped (the default is info); silent drops all', () => {
    const info = capture();
    info.log.debug('hidden');
    info.log.error('shown');
    assert.deepEqual(
      info.records().map((r) => r.msg),
      ['shown'],
    );
    const debug = capture('debug');
    debug.log.debug('shown');
    assert.equal(debug.lines.length, 1);
    const silent = capture('silent');
    silent.log.error('hidden');
    silent.log.child({ a: 1 }).error('hidden');
    assert.equal(silent.lines.length, 0);
    assert.throws(() => jsonLogger({ level: 'loud' as LogLevel }), /unknown log level "loud"/);
  });

  test("a child's records carry its bindings and its parent's; the parent's do not", () => {
    const { log, records } = capture();
    const child = log.child({ reqId: 'r1' }).child({ user: 'ann' });
    child.info({ status: 200 }, 'done');
    log.info('parent');
    const [c, p] = records();
    assert.deepEqual({ reqId: c?.reqId, user: c?.user, status: c?.status }, { reqId: 'r1', user: 'ann', status: 200 });
    assert.equal(p?.reqId, undefined);
  });

  test('an err field is written with type, message, code, stack and cause; a cycle does not throw', () => {
    const { log, records } = capture();
    const cause = new RangeError('inner');
    const error = Object.assign(new TypeError('outer', { cause }), { code: 'E_X' });
    faultLog()(log, error, { status: 500 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    log.info({ cyclic, big: 1n }, 'odd values');
    const [fault, odd] = records();
    assert.equal(fault?.level, 'error');
    assert.equal(fault?.msg, 'outer');
    assert.equal(fault?.status, 500);
    const err = fault?.err as Record<string, unknown>;
    assert.equal(err.type, 'TypeError');
    assert.equal(err.code, 'E_X');
    assert.match(String(err.stack), /TypeError: outer\n\s+at /);
    assert.equal((err.cause as Record<string, unknown>).message, 'inner');
    assert.equal(odd?.msg, 'odd values');
    assert.equal(typeof odd?.cyclic, 'string');
  });

  test('faults are rate-limited per kind: the first at once, then one per interval saying how many were held back', () => {
    const { log, records } = capture();
    let now = 0;
    const faults = faultLog({ intervalMs: 1000, now: () => now });
    for (let i = 0; i < 5; i++) faults(log.child({ reqId: `r${i}` }), new Error('db down'), { status: 500 });
    faults(log, new Error('disk full'));
    now = 1500;
    faults(log.child({ reqId: 'r9' }), new Error('db down'), { status: 500 });
    const seen = records().map((r) => [r.msg, r.reqId, r.suppressed]);
    assert.deepEqual(seen, [
      ['db down', 'r0', undefined],
      ['disk full', undefined, undefined],
      ['db down', 'r9', 4],
    ]);
  });

  test('writes to standard error by default', async () => {
    const written = await stderrDuring(() => jsonLogger().info('to stderr'));
    assert.equal(written.length, 1);
    assert.equal(JSON.parse(written[0] as string).msg, 'to stderr');
  });
});
