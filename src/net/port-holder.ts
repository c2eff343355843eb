/**
 * Who holds a TCP port, for an EADDRINUSE that says what to do: on Linux, the listening socket's
 * inode from /proc/net/tcp{,6}, then the process with a descriptor on that inode (/proc/PID/fd),
 * then its command line. Best effort: anything unreadable (another user's process, no /proc) is
 * skipped, nothing throws, and the search stops after a time budget (1 s by default).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * A process holding a port.
 *
 * @example
 * ```ts
 * const holder: PortHolder = { pid: 4242, command: 'node server.js' };
 * ```
 */
export interface PortHolder {
  pid: number;
  /** Its command line, arguments joined by spaces (cut at 200 characters). */
  command: string;
}

/** The state of a listening socket in /proc/net/tcp (TCP_LISTEN). */
const LISTEN_STATE = '0A';

/**
 * The process listening on TCP `port`, when the OS tells (Linux, and a process we may inspect);
 * undefined otherwise. Stops looking through processes after `budgetMs`.
 *
 * @example
 * ```ts
 * findPortHolder(3000); // { pid: 4242, command: 'node server.js' }
 * ```
 */
export function findPortHolder(port: number, budgetMs = 1_000): PortHolder | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const inodes = listeningInodes(port);
    if (inodes.size === 0) return undefined;
    // The budget bounds the walk over processes; reading the socket tables is a few reads, though
    // the kernel may take a while to write a table of many sockets (TIME_WAIT ones included).
    const pid = ownerOf(inodes, performance.now() + budgetMs);
    return pid === undefined ? undefined : { pid, command: commandOf(pid) };
  } catch {
    return undefined;
  }
}

/**
 * What an EADDRINUSE on `port` should say: who holds the port when the OS tells, and what to do.
 *
 * @example
 * ```ts
 * addressInUseHint(3000); // 'port 3000 is held by pid 4242 (node server.js); stop it, or choose another port (port 0 picks a free one)'
 * ```
 */
export function addressInUseHint(port: number): string {
  const holder = findPortHolder(port);
  const who =
    holder === undefined ? `port ${port} is in use` : `port ${port} is held by pid ${holder.pid} (${holder.command})`;
  return `${who}; stop it, or choose another port (port 0 picks a free one)`;
}

/** Inodes of sockets listening on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    // Columns: sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== LISTEN_STATE) continue;
      const local = fields[1] as string;
      if (local.slice(local.indexOf(':') + 1) === hexPort && fields[9] !== '0') inodes.add(fields[9] as string);
    }
  }
  return inodes;
}

/**
 * The first process with a descriptor on one of `inodes`, searched until `deadline`: this process
 * first (a second server in the same program), then the newest first (the server started a moment
 * ago is the likely holder, and a machine's oldest processes hold the most descriptors).
 */
function ownerOf(inodes: ReadonlySet<string>, deadline: number): number | undefined {
  const links = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const pids = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid)
    .sort((a, b) => b - a);
  for (const pid of [process.pid, ...pids]) {
    if (performance.now() > deadline) return undefined;
    if (holds(pid, links)) return pid;
  }
  return undefined;
}

function holds(pid: number, links: ReadonlySet<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // gone, or another user's
  }
  for (const fd of fds) {
    try {
      if (links.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

function commandOf(pid: number): string {
  try {
    // Arguments joined by spaces, and any control character (a newline in a `-e` script) as a space.
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .replace(/[\0\s]+/g, ' ')
      .trim();
    const command = raw === '' ? 'unknown command' : raw;
    return command.length > 200 ? `${command.slice(0, 197)}…` : command;
  } catch {
    return 'unknown command';
  }
}
