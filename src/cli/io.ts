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

/** The process's own I/O, with SIGINT/SIGTERM turned into `stopped`. */
export function processIo(): CliIo {
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
  };
}
