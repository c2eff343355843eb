/**
 * The deployment examples under test: wirekit nodes (examples/deploy/node.ts) as processes on
 * their own loopback addresses, and the real nginx and HAProxy running examples/deploy's
 * configurations with the ports and paths replaced (unprivileged-style: a temporary prefix holds
 * the pid file, logs and temp dirs; listening on loopback only). nginx and haproxy come from
 * Debian's packages: required when CI=true, otherwise the tests skip with one line.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LeakTracker } from '../helpers/leaks.js';
import { freePort } from '../helpers/redis-server.js';
import { eventually } from '../helpers/wait.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE_SCRIPT = join(ROOT, 'dist/examples/deploy/node.js');

function installed(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command} || test -x /usr/sbin/${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The skip reason of a test that needs `commands` (Debian packages of the same names), or false. */
export function needs(...commands: string[]): string | false {
  const missing = commands.filter((c) => !installed(c));
  if (missing.length === 0) return false;
  if (process.env.CI === 'true')
    throw new Error(`CI needs ${missing.join(', ')} (apt-get install ${missing.join(' ')})`);
  return `needs ${missing.join(', ')} (Debian packages ${missing.join(' ')})`;
}

export interface Proc {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | string>;
}

/** Spawns a process whose output is kept, killed (SIGKILL) after the test if still running. */
export function run(leaks: LeakTracker, command: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  leaks.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, output: () => output, exited };
}

export interface NodeSet {
  readonly port: number;
  readonly hosts: readonly string[];
  readonly nodes: Proc[];
}

/** Three nodes on 127.0.0.2–4, one port (the configurations name these addresses). */
export async function startNodes(leaks: LeakTracker, env: Record<string, string> = {}): Promise<NodeSet> {
  const hosts = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
  let port = await freePort();
  // The port must be free on every address (it is picked on 127.0.0.1).
  for (let i = 0; i < 20 && !(await freeOnAll(port, hosts)); i++) port = await freePort();
  const nodes = hosts.map((host, i) =>
    run(leaks, process.execPath, [NODE_SCRIPT], { HOST: host, PORT: String(port), NODE_NAME: `n${i + 1}`, ...env }),
  );
  for (const node of nodes) {
    await eventually(
      () => /listening on/.test(node.output()) || node.child.exitCode !== null,
      'a node listens',
      20_000,
    );
    if (node.child.exitCode !== null) throw new Error(`a node did not start:\n${node.output()}`);
  }
  return { port, hosts, nodes };
}

async function freeOnAll(port: number, hosts: readonly string[]): Promise<boolean> {
  const { createServer } = await import('node:net');
  for (const host of hosts) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, host, () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

/**
 * Writes `file` of examples/deploy into a temporary prefix, with every /tmp/wirekit-<x> path
 * moved there, the nodes' port 3000 replaced and the listening port replaced.
 */
function render(file: string, nodePort: number, listen: [from: number, to: number]): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wk-deploy-'));
  // nginx's workers may run as another user (nobody) when started by root: they use the temp dirs.
  chmodSync(dir, 0o777);
  const text = readFileSync(join(ROOT, 'examples/deploy', file), 'utf8')
    .replace(/\/tmp\/wirekit-(nginx|haproxy)/g, dir)
    .replaceAll(':3000', `:${nodePort}`)
    .replaceAll(`:${listen[0]}`, `:${listen[1]}`);
  const config = join(dir, file);
  writeFileSync(config, text);
  return { dir, config };
}

/** nginx with examples/deploy/nginx.conf; resolves with its URL once it listens. */
export function startNginx(leaks: LeakTracker, nodePort: number): Promise<{ url: string; proc: Proc }> {
  return startProxy(leaks, nodePort, 'nginx.conf', 8080, (dir, config) => ['nginx', ['-p', dir, '-c', config]]);
}

/** HAProxy with examples/deploy/haproxy.cfg; resolves with its URL once it listens. */
export function startHaproxy(leaks: LeakTracker, nodePort: number): Promise<{ url: string; proc: Proc }> {
  return startProxy(leaks, nodePort, 'haproxy.cfg', 8081, (_dir, config) => ['haproxy', ['-db', '-f', config]]);
}

/** Runs a proxy on its rendered configuration (its port `configPort` moved to a free one), stopped with SIGTERM after the test. */
async function startProxy(
  leaks: LeakTracker,
  nodePort: number,
  file: string,
  configPort: number,
  command: (dir: string, config: string) => [string, string[]],
): Promise<{ url: string; proc: Proc }> {
  const port = await freePort();
  const { dir, config } = render(file, nodePort, [configPort, port]);
  leaks.defer(() => rmSync(dir, { recursive: true, force: true }));
  const [program, args] = command(dir, config);
  const proc = run(leaks, program, args);
  leaks.defer(async () => {
    if (proc.child.exitCode === null) {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });
  await listening(port, proc);
  return { url: `http://127.0.0.1:${port}`, proc };
}

async function listening(port: number, proc: Proc): Promise<void> {
  const { connect } = await import('node:net');
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  const deadline = Date.now() + 20_000;
  while (!(await accepts())) {
    if (proc.child.exitCode !== null) throw new Error(`the proxy exited:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`the proxy did not listen:\n${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Sends `head` (a request head; `Host` and the final CRLF added) from `localAddress` and resolves
 * with what came back once it matches `until` (the socket is then closed).
 */
export async function exchange(
  leaks: LeakTracker,
  url: string,
  head: string,
  until: RegExp,
  options: { localAddress?: string } = {},
): Promise<string> {
  const { connect } = await import('node:net');
  const { port, hostname } = new URL(url);
  const socket = connect({ port: Number(port), host: hostname, localAddress: options.localAddress ?? '127.0.0.1' });
  leaks.defer(() => socket.destroy());
  let text = '';
  return new Promise((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (until.test(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed before ${until}; got:\n${text}`)));
    socket.write(`${head}\r\nHost: ${hostname}:${port}\r\n\r\n`);
  });
}
