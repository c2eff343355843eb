/** Process warnings seen by a test: what the default error reporting printed while it ran. */
import type { LeakTracker } from './leaks.js';

/**
 * Every process warning emitted until the current test ends (the listener goes with the tracker's
 * cleanup).
 *
 * @example
 * ```ts
 * const warnings = warningsDuringTest(leaks);
 * await fetch(`${server.url}/fault`);
 * await settle();
 * assert.deepEqual(describeWarnings(warnings), []);
 * ```
 */
export function warningsDuringTest(leaks: LeakTracker): Error[] {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning);
  };
  process.on('warning', onWarning);
  leaks.defer(() => process.off('warning', onWarning));
  return warnings;
}

/** `Name: message` of each warning, so a failing assertion shows what was warned about. */
export function describeWarnings(warnings: readonly Error[]): string[] {
  return warnings.map((warning) => `${warning.name}: ${warning.message}`);
}

/** Lets warnings emitted on the next tick arrive. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
