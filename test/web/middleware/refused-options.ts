/** The option checks of the middleware tests: each bad value fails when the middleware is made. */
import assert from 'node:assert/strict';
import { isWirekitError } from '../../../src/errors.js';

/**
 * Asserts that `make(options)` throws `WK_ERR_INVALID_ARGUMENT` with a message matching the case's
 * pattern (and, when given, passing `also`: a message must not show a secret), for every case.
 */
export function assertRefusedOptions(
  make: (options: never) => unknown,
  cases: readonly (readonly [unknown, RegExp])[],
  also: (message: string) => boolean = () => true,
): void {
  for (const [options, pattern] of cases) {
    assert.throws(
      () => make(options as never),
      (e) => isWirekitError(e, 'WK_ERR_INVALID_ARGUMENT') && pattern.test(e.message) && also(e.message),
      JSON.stringify(options),
    );
  }
}
