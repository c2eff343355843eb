/** Runs a compiled example as a child process and reads its output (for the example tests). */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DIST_DIR, REPO_ROOT } from '../helpers/paths.js';
import { eventually } from '../helpers/wait.js';

/** A running example: its process, everything it printed so far, and a way to wait for a line. */
export interface RunningExample {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in stdout, failing after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Starts `dist/examples/<name>.js` with the given env and args (cwd: the repository root). */
export function startExample(name: string, env: Record<string, string> = {}, args: string[] = []): RunningExample {
  const child = spawn(process.execPath, [join(DIST_DIR, 'examples', `${name}.js`), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // 'close' (not 'exit'): the output streams are complete and their pipes released.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> => {
    const printed = (): string => `${name}.\nstdout: ${stdout}\nstderr: ${stderr}`;
    const seen = (): boolean => {
      if (pattern.test(stdout)) return true;
      if (child.exitCode !== null) throw new Error(`no ${pattern} before the exit of ${printed()}`);
      return false;
    };
    await eventually(seen, () => `${pattern} from ${printed()}`, timeoutMs);
    return stdout.match(pattern) as RegExpMatchArray;
  };
  return { child, output: () => stdout + stderr, waitFor, exited };
}

/** Runs an example to completion and returns its exit code and stdout. */
export async function runExample(
  name: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; output: string }> {
  const running = startExample(name, env, args);
  const code = await running.exited;
  const output = running.output();
  return { code, stdout: output, output };
}

/** Stops a long-running example with `signal` and waits for it to exit. */
export async function stopExample(running: RunningExample, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (running.child.exitCode === null) running.child.kill(signal);
  return running.exited;
}
