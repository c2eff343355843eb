/** util/warning-limiter: the first warning of a kind now, then one line per interval with a count. Hand-driven clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WarningLimiter } from '../../src/util/warning-limiter.js';

/** A limiter on a clock the test moves, recording what it would write. */
function limiter(intervalMs = 1000, maxKinds = 100) {
  let now = 0;
  const lines: { message: string; suppressed: number }[] = [];
  const warnings = new WarningLimiter({
    intervalMs,
    maxKinds,
    now: () => now,
    sink: (error, suppressed) => lines.push({ message: error.message, suppressed }),
  });
  return {
    warnings,
    lines,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

test('the first of a kind goes out at once; repeats within the interval are only counted', () => {
  const { warnings, lines, advance } = limiter(1000);
  for (let i = 0; i < 50; i++) {
    warnings.warn(new Error('db down'));
    advance(10);
  }
  assert.deepEqual(lines, [{ message: 'db down', suppressed: 0 }]);
  advance(500); // 1000 ms after the first
  warnings.warn(new Error('db down'));
  assert.deepEqual(lines, [
    { message: 'db down', suppressed: 0 },
    { message: 'db down', suppressed: 49 },
  ]);
  warnings.warn(new Error('db down'));
  advance(999);
  warnings.warn(new Error('db down'));
  assert.equal(lines.length, 2, 'still within the second interval');
  advance(1);
  warnings.warn(new Error('db down'));
  assert.deepEqual(lines.at(-1), { message: 'db down', suppressed: 2 });
});

test('kinds are apart: by name, code and message', () => {
  const { warnings, lines } = limiter();
  warnings.warn(new Error('a'));
  warnings.warn(new TypeError('a'));
  warnings.warn(Object.assign(new Error('a'), { code: 'EIO' }));
  warnings.warn(new Error('b'));
  warnings.warn(new Error('a'));
  assert.deepEqual(
    lines.map((l) => l.message),
    ['a', 'a', 'a', 'b'],
  );
});

test('a quiet kind shows its next warning at once, without a count', () => {
  const { warnings, lines, advance } = limiter(1000);
  warnings.warn(new Error('rare'));
  advance(60_000);
  warnings.warn(new Error('rare'));
  assert.deepEqual(lines, [
    { message: 'rare', suppressed: 0 },
    { message: 'rare', suppressed: 0 },
  ]);
});

test('messages that vary every time (ids in them) stay bounded: past maxKinds they share one budget', () => {
  const { warnings, lines, advance } = limiter(1000, 3);
  for (let i = 0; i < 100; i++) warnings.warn(new Error(`user ${i} failed`));
  assert.deepEqual(
    lines.map((l) => l.message),
    ['user 0 failed', 'user 1 failed', 'user 2 failed', 'user 3 failed'],
    'three kinds, then one line for all the others',
  );
  advance(1000);
  warnings.warn(new Error('user 100 failed'));
  assert.deepEqual(lines.at(-1), { message: 'user 100 failed', suppressed: 0 }, 'expired kinds make room again');
});

test('the default sink writes a process warning, with the count once some were held back', async () => {
  let now = 0;
  const seen: { name: string; message: string; code: unknown }[] = [];
  const onWarning = (warning: Error): void => {
    if (warning.message.startsWith('limiter-test')) {
      seen.push({ name: warning.name, message: warning.message, code: (warning as { code?: unknown }).code });
    }
  };
  process.on('warning', onWarning);
  try {
    const warnings = new WarningLimiter({ intervalMs: 60_000, now: () => now });
    const fault = () => Object.assign(new RangeError('limiter-test overflow'), { code: 'EXAMPLE' });
    for (let i = 0; i < 4; i++) warnings.warn(fault());
    now += 60_000;
    warnings.warn(fault());
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, [
      { name: 'RangeError', message: 'limiter-test overflow', code: 'EXAMPLE' },
      {
        name: 'RangeError',
        message: 'limiter-test overflow (3 more like it in the last 60 s were not shown)',
        code: 'EXAMPLE',
      },
    ]);
  } finally {
    process.off('warning', onWarning);
  }
});
