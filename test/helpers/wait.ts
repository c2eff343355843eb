/**
 * Waiting in tests, defined once: let time pass (`sleep`), poll until something holds with a
 * deadline (`eventually`), wait for a value to stop changing (`stable`), and ask whether a promise
 * is still pending. Tests wait for outcomes, never for a fixed time, and assert no durations: the
 * deadlines here are generous because the suite runs on two shared, often busy cores.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms`: to let time pass (a peer that must not be heard from), never to assert a timing. */
export function sleep(ms: number): Promise<void> {
  return delay(ms);
}

/**
 * Polls `predicate` every few milliseconds until it returns true, and fails after `timeoutMs`.
 * `what` names the awaited outcome in the failure (a function, to describe the state at that time,
 * such as a child process's output). A predicate may throw to give up early.
 *
 * @example
 * ```ts
 * await eventually(() => server.connections === 0, 'every connection closed');
 * ```
 */
export async function eventually(
  predicate: () => boolean,
  what: string | (() => string),
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${typeof what === 'string' ? what : what()}`);
    await delay(5);
  }
}

/**
 * Waits until `value()` has not changed for `quietMs` (a producer blocked on backpressure), and
 * returns it; fails after `timeoutMs` of change. A wait, never an assertion about time.
 */
export async function stable(value: () => number, quietMs = 300, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = value();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`still changing after ${timeoutMs} ms`);
    await delay(20);
    if (value() !== last) {
      last = value();
      since = Date.now();
    }
  }
  return last;
}

/** Whether `promise` is still pending after `ms` (it must not have settled: a negative check). */
export async function stillPending(promise: Promise<unknown>, ms = 50): Promise<boolean> {
  const marker = Symbol('pending');
  const winner = await Promise.race([
    promise.then(
      () => 'settled',
      () => 'settled',
    ),
    delay(ms).then(() => marker),
  ]);
  return winner === marker;
}
