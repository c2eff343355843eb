/**
 * What the `wirekit request` tests share: the command run in process on an injected CliIo, and a
 * raw server that echoes each request as JSON (some paths answer otherwise).
 */
import { main } from '../../src/cli/main.js';
import { rawServer, reply } from '../client/helpers.js';
import { memoryIo } from '../helpers/cli-io.js';
import type { LeakTracker } from '../helpers/leaks.js';

export interface Run {
  code: number;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

export interface RunOptions {
  tty?: boolean;
  stderrTty?: boolean;
  stdin?: string;
  stdinTty?: boolean;
  env?: Record<string, string>;
}

/** `wirekit request …args` with `cwd` as the working directory. */
export async function runRequest(cwd: string, args: string[], options: RunOptions = {}): Promise<Run> {
  const memory = memoryIo({ ...options, cwd });
  const code = await main(['request', ...args], memory.io);
  const stdoutBytes = memory.stdout();
  return { code, stdout: stdoutBytes.toString(), stdoutBytes, stderr: memory.stderr().toString() };
}

/** What the echo server answers: the request as it arrived. */
export type Echo = { method: string; path: string; headers: Record<string, string>; body: string };

/**
 * Echoes the request as JSON. `/status/N` answers N (301 redirects to /status/200), `/hop/N`
 * redirects to the next hop after 100 ms, `/binary` is three bytes with a NUL, `/text` is text
 * without a final newline, `/slow` never answers.
 */
export async function echoServer(leaks: LeakTracker) {
  return rawServer(leaks, (req, socket) => {
    const status = Number(/^\/status\/(\d+)/.exec(req.path)?.[1] ?? 200);
    if (status === 301) return void socket.write(reply('', 301, { Location: '/status/200' }));
    const hop = /^\/hop\/(\d+)$/.exec(req.path);
    if (hop !== null) {
      const location = `/hop/${Number(hop[1]) + 1}`;
      return void setTimeout(() => socket.write(reply('', 302, { Location: location })), 100);
    }
    if (req.path === '/binary')
      return void socket.write(reply('\u0000\u0001\u0002', 200, { 'Content-Type': 'application/octet-stream' }));
    if (req.path === '/text') return void socket.write(reply('no newline', 200, { 'Content-Type': 'text/plain' }));
    if (req.path === '/slow') return;
    const body = JSON.stringify({
      method: req.method,
      path: req.path,
      headers: req.headers,
      body: req.body.toString('latin1'),
    });
    socket.write(reply(body, status, { 'Content-Type': 'application/json' }));
  });
}
