/**
 * A usage mistake on the command line: `wirekit` prints the message, then a hint (the line of the
 * `--help` text that documents `flag`, or the command's usage lines), and exits with code 2.
 *
 * @example
 * ```ts
 * throw new UsageError(`--port: not a port number: "abc"`, { flag: '--port' });
 * ```
 */
export class UsageError extends Error {
  /** The flag the mistake is about (`--port`), whose help line is the hint. */
  readonly flag: string | undefined;

  constructor(message: string, options: { flag?: string | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.flag = options.flag;
  }
}
