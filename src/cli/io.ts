/** What a CLI command may touch of the process: injectable, so commands are tested in process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /**
   * Resolves when the user asks to stop (Ctrl-C, SIGTERM). Commands that run until stopped call it;
   * the signals are only caught from that call on, so other commands die on Ctrl-C as usual.
   */
  stopped(): Promise<NodeJS.Signals>;
  /**
   * Sends the process's warnings (`process.emitWarning`: wirekit reports unexpected handler errors
   * that way when no logger is set) to `handler` instead of stderr; the returned function puts
   * things back. `wirekit serve` logs them with its requests.
   */
  warnings(handler: (warning: Error) => void): () => void;
}

/**
 * Says on stderr that `what` is read from standard input when that is a terminal, so a command
 * waiting for the user's typing does not look hung; piped input needs no word.
 *
 * @example
 * ```ts
 * promptForStdin(io, 'the datagram'); // (the datagram from standard input: type it, then Ctrl-D)
 * ```
 */
export function promptForStdin(io: CliIo, what: string): void {
  if (io.stdin.isTTY === true) io.stderr.write(`(${what} from standard input: type it, then Ctrl-D)\n`);
}

/** A sub-command: `wirekit <name> …`. `run` resolves with the exit code. */
export interface Command {
  readonly name: string;
  /** One line for `wirekit --help`. */
  readonly summary: string;
  /** The full `wirekit <name> --help` text. */
  readonly help: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/**
 * Exit code when whoever reads our output has gone (`wirekit request … | head -1`): 128 + SIGPIPE,
 * as a program killed by SIGPIPE reports it. Node ignores SIGPIPE and fails the write instead.
 *
 * @example
 * ```ts
 * if (code === BROKEN_PIPE_EXIT) console.error('the reader went away');
 * ```
 */
export const BROKEN_PIPE_EXIT = 141;

/**
 * Exits quietly when stdout or stderr is a pipe whose reader has gone, instead of dying on an
 * unhandled EPIPE with a stack trace; any other stream error is left as it was (thrown).
 */
function exitOnBrokenPipe(stream: NodeJS.WritableStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(BROKEN_PIPE_EXIT);
  });
}

/**
 * Routes `process` warnings to `handler`: Node's own listener, which prints them to stderr, is set
 * aside meanwhile (there is no other way to keep it quiet short of --no-warnings).
 */
function routeWarnings(handler: (warning: Error) => void): () => void {
  const previous = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', handler);
  return () => {
    process.off('warning', handler);
    for (const listener of previous) process.on('warning', listener);
  };
}

/**
 * The process's own I/O, with SIGINT/SIGTERM turned into `stopped`, and a closed output pipe
 * ending the process quietly (see {@link BROKEN_PIPE_EXIT}).
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(): CliIo {
  exitOnBrokenPipe(process.stdout);
  exitOnBrokenPipe(process.stderr);
  let stopped: Promise<NodeJS.Signals> | undefined;
  const whenStopped = (): Promise<NodeJS.Signals> => {
    stopped ??= new Promise<NodeJS.Signals>((resolve) => {
      const onSignal = (signal: NodeJS.Signals): void => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve(signal);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    return stopped;
  };
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    stopped: whenStopped,
    warnings: routeWarnings,
  };
}
