/** The exit codes of `wirekit request`, documented in its --help and the README. */

/**
 * Exit codes: the status class of the final response, or why there is none.
 *
 * @example
 * ```ts
 * return EXIT.failure; // network, TLS, timeout or protocol failure
 * ```
 */
export const EXIT = {
  ok: 0,
  usage: 2,
  redirect: 3,
  clientError: 4,
  serverError: 5,
  failure: 6,
} as const;

/**
 * The exit code of a final status: 0 for 1xx/2xx, else its class (3, 4, 5).
 *
 * @example
 * ```ts
 * statusExitCode(404); // 4
 * ```
 */
export function statusExitCode(status: number): number {
  if (status < 300) return EXIT.ok;
  if (status < 400) return EXIT.redirect;
  return status < 500 ? EXIT.clientError : EXIT.serverError;
}
