/**
 * Running a cluster primary as a child process (as a user would: `node app.js`), reading what it
 * logs, and stopping it for sure at the end of the test.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent } from '../../src/client/agent.js';
import { type RequestInit, request as send } from '../../src/client/request.js';
import type { LeakTracker } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';

export const CLUSTER_APP = fileURLToPath(new URL('./fixtures/cluster-app.js', import.meta.url));

export interface RunningPrimary {
  readonly child: ChildProcess;
  /** The URL of the `listening` line, or the whole `ready` line. */
  readonly url: string;
  /** Every line the primary and its workers printed so far. */
  readonly lines: string[];
  /** Resolves with the exit code (or signal) once the primary exited. */
  readonly exited: Promise<number | string>;
  /** Waits (bounded) for a printed line that matches. */
  line(pattern: RegExp, what: string, timeoutMs?: number): Promise<string>;
}

/** Starts `script` (with `args`) and `env`, and waits for its `listening <url>` line (or `ready`). */
export async function startPrimary(
  leaks: LeakTracker,
  env: Record<string, string>,
  script = CLUSTER_APP,
  args: readonly string[] = [],
  ready = /^listening /,
): Promise<RunningPrimary> {
  const child = spawn(process.execPath, ['--enable-source-maps', script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  leaks.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  });
  const line = async (pattern: RegExp, what: string, timeoutMs = 30_000): Promise<string> => {
    await eventually(() => lines.some((l) => pattern.test(l)) || child.exitCode !== null, what, timeoutMs);
    const found = lines.find((l) => pattern.test(l));
    if (found === undefined)
      throw new Error(`${what}: the primary exited (${child.exitCode}); it said:\n${lines.join('\n')}`);
    return found;
  };
  const listening = await line(ready, 'the cluster listens');
  // `listening <url>` from the fixture; another ready line is returned whole.
  const url = listening.startsWith('listening ') ? listening.slice('listening '.length) : listening;
  return { child, url, lines, exited, line };
}

/** A request through an agent of the test's own, closed after it (the global one keeps idle pools). */
export function requestOwnAgent(leaks: LeakTracker, url: string, options: RequestInit = {}) {
  const agent = new Agent();
  leaks.defer(() => agent.close());
  return send(url, { ...options, dispatcher: agent });
}

/** GET `url` (the fixture's `/`) on a new connection, so the kernel (reuseport) or the primary (round robin) picks a worker anew. */
export async function workerJson(
  leaks: LeakTracker,
  url: string,
): Promise<{ pid: number; slot: number; generation: number }> {
  const res = await requestOwnAgent(leaks, url, { headers: { connection: 'close' } });
  assert.equal(res.status, 200);
  return (await res.body.json()) as { pid: number; slot: number; generation: number };
}
