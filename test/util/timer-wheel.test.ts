/** util/timer-wheel: fires after (never before) the deadline, cancels, moves, stops when empty. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimerWheel } from '../../src/util/timer-wheel.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, sleep } from '../helpers/wait.js';

trackLeaks();

test('a callback fires, not before its deadline, and the wheel then stops', async () => {
  const wheel = new TimerWheel({ resolutionMs: 10 });
  let firedAt = -1;
  const deadline = wheel.now() + 30;
  wheel.add(deadline, () => {
    firedAt = wheel.now();
  });
  assert.equal(wheel.running, true);
  await eventually(() => firedAt !== -1, 'the callback');
  assert.ok(firedAt >= deadline, `fired ${deadline - firedAt} ms early`);
  assert.equal(wheel.size, 0);
  assert.equal(wheel.running, false, 'no interval left once empty');
});

test('cancel prevents the callback; cancelling the last entry stops the wheel', async () => {
  const wheel = new TimerWheel({ resolutionMs: 10 });
  let fired = false;
  const handle = wheel.after(20, () => {
    fired = true;
  });
  handle.cancel();
  handle.cancel();
  assert.equal(handle.active, false);
  assert.equal(wheel.running, false);
  await sleep(60);
  assert.equal(fired, false);
});

test('refresh moves a deadline later (and re-arms a fired entry)', async () => {
  let now = 0;
  const wheel = new TimerWheel({ resolutionMs: 10, now: () => now });
  let fired = 0;
  const handle = wheel.add(50, () => {
    fired++;
  });
  handle.refresh(1000);
  now = 500;
  await sleep(50);
  assert.equal(fired, 0, 'not at 500 when moved to 1000');
  now = 1000;
  await eventually(() => fired === 1, 'fired at the new deadline');
  handle.refresh(1200);
  assert.equal(handle.active, true);
  now = 1300;
  await eventually(() => fired === 2, 'fired again after re-arming');
  assert.equal(wheel.running, false);
});

test('a callback that cancels a later entry of the same slot stops it', async () => {
  const wheel = new TimerWheel({ resolutionMs: 10 });
  const seen: string[] = [];
  const deadline = wheel.now() + 20;
  let second: { cancel(): void } | undefined;
  wheel.add(deadline, () => {
    seen.push('first');
    second?.cancel();
  });
  second = wheel.add(deadline, () => seen.push('second'));
  wheel.add(deadline, () => seen.push('third'));
  await eventually(() => seen.includes('third'), 'the tick');
  assert.deepEqual(seen, ['first', 'third']);
  assert.equal(wheel.size, 0);
  assert.equal(wheel.running, false);
});
