/**
 * After-each leak check (docs/architecture.md, Tests): no socket, server or timer a test opened may
 * outlive it. Resources are counted with `process.getActiveResourcesInfo()` against a baseline
 * taken before the test, with a short settle for sockets that are closing; the shared timer wheel
 * must have no entries left (an entry is a pending idle, connect or close timeout).
 *
 * Use it in every test file that opens sockets:
 *
 * ```ts
 * const leaks = trackLeaks();
 * test('...', async () => {
 *   const server = await listen({ port: 0 }, handler);
 *   leaks.defer(() => server.close({ timeoutMs: 0 }));
 * });
 * ```
 *
 * Deferred cleanups run (last first) before the check, even when the test failed, so a failing
 * test does not also hang the run with an open server.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach } from 'node:test';
import { timerWheel } from '../../src/util/timer-wheel.js';
import { sleep } from './wait.js';

/** Resource types that a test must not leave behind (names from getActiveResourcesInfo). */
export const WATCHED_RESOURCES: ReadonlySet<string> = new Set([
  'TCPSocketWrap',
  'TCPServerWrap',
  'TCPWrap',
  'PipeWrap',
  'PipeServerWrap',
  'UDPWrap',
  'Timeout',
]);

/** Counts of the watched resource types now active. */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) {
    if (WATCHED_RESOURCES.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** What is active now beyond `baseline`, e.g. `['TCPSocketWrap ×2', 'timer wheel entries ×1']`. */
export function leaksSince(baseline: ReadonlyMap<string, number>, wheelBaseline = 0): string[] {
  const out: string[] = [];
  for (const [name, count] of activeResources()) {
    const extra = count - (baseline.get(name) ?? 0);
    if (extra > 0) out.push(`${name} ×${extra}`);
  }
  const entries = timerWheel.size - wheelBaseline;
  if (entries > 0) out.push(`timer wheel entries ×${entries}`);
  return out;
}

/** Polls until nothing leaked since `baseline`, or fails the test after `settleMs`. */
export async function assertNoLeaksSince(
  baseline: ReadonlyMap<string, number>,
  wheelBaseline = 0,
  settleMs = 2000,
): Promise<void> {
  const deadline = Date.now() + settleMs;
  let leaks = leaksSince(baseline, wheelBaseline);
  while (leaks.length > 0 && Date.now() < deadline) {
    await sleep(20);
    leaks = leaksSince(baseline, wheelBaseline);
  }
  assert.deepEqual(leaks, [], `resources left open by the test: ${leaks.join(', ')}`);
}

/** Registers a cleanup for the current test. */
export interface LeakTracker {
  /** Runs `cleanup` after the test (last registered first), before the leak check. */
  defer(cleanup: () => unknown): void;
}

/**
 * Installs `beforeEach`/`afterEach` hooks in the current file or `describe` block that fail a
 * test which leaves a watched resource (or a timer-wheel entry) open.
 */
export function trackLeaks(options: { settleMs?: number } = {}): LeakTracker {
  let baseline = new Map<string, number>();
  let wheelBaseline = 0;
  let cleanups: (() => unknown)[] = [];
  beforeEach(() => {
    baseline = activeResources();
    wheelBaseline = timerWheel.size;
    cleanups = [];
  });
  afterEach(async () => {
    const pending = cleanups.reverse();
    cleanups = [];
    for (const cleanup of pending) {
      try {
        await cleanup();
      } catch {
        // A cleanup of a test that already failed may fail too; the leak check below still runs.
      }
    }
    await assertNoLeaksSince(baseline, wheelBaseline, options.settleMs);
  });
  return { defer: (cleanup) => cleanups.push(cleanup) };
}

/**
 * Runs `fn` and fails if it leaves a watched resource open: the same check as {@link trackLeaks}
 * for a single block.
 */
export async function withNoLeaks<T>(fn: () => Promise<T>, settleMs?: number): Promise<T> {
  const baseline = activeResources();
  const wheelBaseline = timerWheel.size;
  const result = await fn();
  await assertNoLeaksSince(baseline, wheelBaseline, settleMs);
  return result;
}
