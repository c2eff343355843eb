/**
 * A CliIo in memory, for running CLI commands in process: stdout and stderr are collected (and
 * report `isTTY` as asked), stdin is the given text, `stopped()` the given promise (never, by default).
 */
import { Readable, Writable } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';

/** What a test can set of the fake process. */
export interface MemoryIoOptions {
  cwd: string;
  /** Both stdout and stderr are terminals (`isTTY`). */
  tty?: boolean;
  /** stderr alone is a terminal (default: as `tty`): stdout piped, progress on a terminal. */
  stderrTty?: boolean;
  stdin?: string;
  /** Standard input is a terminal (`isTTY`), still reading `stdin`'s text. */
  stdinTty?: boolean;
  env?: Record<string, string>;
  stopped?: Promise<NodeJS.Signals>;
}

/** The io and what was written to it. */
export interface MemoryIo {
  io: CliIo;
  stdout(): Buffer;
  stderr(): Buffer;
}

export function memoryIo(options: MemoryIoOptions): MemoryIo {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (into: Buffer[], isTTY: boolean) =>
    Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          into.push(Buffer.from(chunk));
          callback();
        },
      }),
      { isTTY },
    );
  const io: CliIo = {
    stdout: sink(out, options.tty === true),
    stderr: sink(err, options.stderrTty ?? options.tty === true),
    stdin: Object.assign(Readable.from([Buffer.from(options.stdin ?? '')]), { isTTY: options.stdinTty === true }),
    env: options.env ?? {},
    cwd: options.cwd,
    stopped: () => options.stopped ?? new Promise(() => {}),
    warnings: () => () => {},
  };
  return { io, stdout: () => Buffer.concat(out), stderr: () => Buffer.concat(err) };
}
