/**
 * Child processes for the netcat tests: `wirekit` (the installed bundle) and the system's `nc`,
 * with their output collected and a wait for a line, each bounded by a deadline. Every process
 * started is killed after the test (by its own pid) if it is still running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { LeakTracker } from '../helpers/leaks.js';
import { BIN } from '../helpers/paths.js';

/** A running process and what it printed so far. */
export interface Proc {
  readonly child: ChildProcess;
  stdout(): Buffer;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Resolves with the first match of `pattern` on stderr (or stdout with `onStdout`). */
  waitFor(pattern: RegExp, onStdout?: boolean, timeoutMs?: number): Promise<RegExpExecArray>;
}

export function start(
  leaks: LeakTracker,
  command: string,
  args: string[],
  stdin?: string | null,
  env?: NodeJS.ProcessEnv,
): Proc {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(env === undefined ? {} : { env }) });
  const out: Buffer[] = [];
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  child.stdin?.on('error', () => {});
  if (stdin !== null) child.stdin?.end(stdin ?? '');
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  leaks.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const proc: Proc = {
    child,
    stdout: () => Buffer.concat(out),
    stderr: () => err,
    exited,
    async waitFor(pattern, onStdout = false, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(onStdout ? proc.stdout().toString() : err);
        if (match !== null) return match;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no ${pattern} from ${command} ${args.join(' ')}; stderr: ${err}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
  return proc;
}

/** `wirekit <args>` from the bundle, as users run it. */
export function wirekit(leaks: LeakTracker, args: string[], stdin?: string | null, env?: NodeJS.ProcessEnv): Proc {
  return start(leaks, process.execPath, [BIN, ...args], stdin, env);
}
