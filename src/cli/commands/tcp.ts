/**
 * `wirekit tcp connect|listen`: netcat on wirekit's sockets (`connect`, `listen`, `Connection`),
 * with line framing, hex dumps, timeouts and TLS for connect.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Connection, connect, listen, NetError, type Server, TimeoutError } from '../../index.js';
import { type HostPort, parseHostPort } from '../../tools/index.js';
import { describeError } from '../describe-error.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, EXIT_HELP, exitCodeOf } from '../netcat/exit-codes.js';
import { runSession, type SessionOptions, StdinSource } from '../netcat/session.js';
import { parseCommandArgs } from '../parse-args.js';
import { parseDuration } from '../parse-units.js';
import { UsageError } from '../usage-error.js';

const HELP = `Usage: wirekit tcp connect HOST:PORT [options]
       wirekit tcp listen [HOST:]PORT [options]

Netcat on wirekit's sockets: standard input goes to the socket and the socket to standard output.
When standard input ends, our side of the connection is closed (FIN: the peer reads end of file)
and what the peer still sends is printed; when the peer closes its side, the command exits, even
if standard input is still open. 'listen' accepts one connection (HOST defaults to 127.0.0.1).

Options:
  -k, --keep-open       listen: after a connection ends, accept the next one; connections are
                        served one at a time (as OpenBSD nc -k does, not ncat's broadcast), and
                        standard input goes on where the previous connection left it; Ctrl-C stops
  -L, --lines           send standard input line by line; print the peer's bytes as whole lines
      --crlf            with --lines, end each line sent with CRLF
  -x, --hex             dump both directions in hex on stderr ('>' sent, '<' received; offset,
                        hex, ASCII), like socat -x: standard output stays the data itself
  -w, --timeout <dur>   connect timeout and idle timeout (no byte either way); for listen also
                        the wait for a connection (250ms, 5s, 1m; a bare number is seconds)
      --tls             connect: speak TLS (certificates verified unless --insecure)
      --insecure        with --tls: do not verify the server's certificate
      --ca <file>       with --tls: also trust this CA certificate (PEM)
      --servername <n>  with --tls: the name sent by SNI and checked (default: HOST)
  -v, --verbose         say where it listens and who connected (on stderr)
  -h, --help            show this help

${EXIT_HELP}
Examples:
  echo 'GET / HTTP/1.0' | wirekit tcp connect example.com:80 --lines --crlf
  wirekit tcp listen 9000 > received.bin
  wirekit tcp connect 127.0.0.1:9000 < file.bin
  wirekit tcp connect example.com:443 --tls --timeout 5s
`;

/** netcat's flags, answered with ours. */
const NC_TIPS: Readonly<Record<string, string>> = {
  '-l': 'listening is a word: wirekit tcp listen PORT',
  '-N': 'the end of standard input always closes our side (FIN)',
  '-q': 'the end of standard input always closes our side (FIN); the peer closing ends the command',
  '-u': 'UDP is its own command: wirekit udp send|listen',
  '-p': 'the port is part of the address: wirekit tcp listen 9000',
};

interface TcpFlags extends SessionOptions {
  mode: 'connect' | 'listen';
  target: HostPort;
  keepOpen: boolean;
  timeoutMs: number;
  tls: boolean;
  insecure: boolean;
  ca: string | undefined;
  servername: string | undefined;
  verbose: boolean;
}

const ADDRESS_OF = { connect: 'HOST:PORT', listen: '[HOST:]PORT' } as const;

function parseFlags(args: readonly string[]): TcpFlags {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      'keep-open': { type: 'boolean', short: 'k', default: false },
      lines: { type: 'boolean', short: 'L', default: false },
      crlf: { type: 'boolean', default: false },
      hex: { type: 'boolean', short: 'x', default: false },
      timeout: { type: 'string', short: 'w' },
      tls: { type: 'boolean', default: false },
      insecure: { type: 'boolean', default: false },
      ca: { type: 'string' },
      servername: { type: 'string' },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    NC_TIPS,
  );
  const [mode, address, ...extra] = positionals;
  if (mode !== 'connect' && mode !== 'listen') {
    throw new UsageError(
      mode === undefined ? 'say connect or listen' : `say connect or listen, not ${JSON.stringify(mode)}`,
    );
  }
  if (address === undefined) throw new UsageError(`tcp ${mode} needs an address (${ADDRESS_OF[mode]})`);
  if (extra.length > 0) throw new UsageError(`tcp ${mode} takes one address, got ${[address, ...extra].join(' ')}`);
  let target: HostPort;
  try {
    target = parseHostPort(address);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (mode === 'connect' && (target.port === 0 || !address.includes(':'))) {
    throw new UsageError(`tcp connect needs HOST:PORT, got ${JSON.stringify(address)}`);
  }
  if (mode === 'listen' && values.tls) throw new UsageError('--tls is for connect', { flag: '--tls' });
  if (values.crlf && !values.lines) throw new UsageError('--crlf goes with --lines', { flag: '--crlf' });
  if (values['keep-open'] && mode === 'connect') {
    throw new UsageError('--keep-open is for listen', { flag: '--keep-open' });
  }
  return {
    mode,
    target,
    keepOpen: values['keep-open'] === true,
    lines: values.lines === true,
    crlf: values.crlf === true,
    hex: values.hex === true,
    timeoutMs: values.timeout === undefined ? 0 : parseDuration('--timeout', values.timeout),
    tls: values.tls === true,
    insecure: values.insecure === true,
    ca: values.ca,
    servername: values.servername,
    verbose: values.verbose === true,
  };
}

function label(where: { address: string; port: number } | undefined): string {
  if (where === undefined) return '?';
  return where.address.includes(':') ? `[${where.address}]:${where.port}` : `${where.address}:${where.port}`;
}

async function openTls(flags: TcpFlags, ca: Buffer | undefined): Promise<Connection> {
  const { host, port } = flags.target;
  const servername = flags.servername ?? (isIP(host) === 0 ? host : undefined);
  const socket = tlsConnect({
    host,
    port,
    rejectUnauthorized: !flags.insecure,
    ...(ca === undefined ? {} : { ca }),
    ...(servername === undefined ? {} : { servername }),
  });
  const remoteAddress = { address: host, port, family: isIP(host) === 6 ? ('IPv6' as const) : ('IPv4' as const) };
  await new Promise<void>((done, fail) => {
    let tcpUp = false;
    const timer =
      flags.timeoutMs > 0
        ? setTimeout(() => {
            socket.destroy();
            fail(new TimeoutError('WK_ERR_CONNECT_TIMEOUT', `no TLS connection within ${flags.timeoutMs} ms`));
          }, flags.timeoutMs)
        : undefined;
    socket.once('connect', () => {
      tcpUp = true;
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      done();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      const code = tcpUp ? 'WK_ERR_TLS' : 'WK_ERR_CONNECT';
      fail(
        new NetError(code, `${tcpUp ? 'TLS handshake' : 'connect'} failed: ${error.message}`, {
          cause: error,
          remoteAddress,
        }),
      );
    });
  });
  return Connection.from(socket, { idleTimeoutMs: flags.timeoutMs });
}

async function readCa(path: string | undefined, io: CliIo): Promise<Buffer | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(resolve(io.cwd, path));
  } catch (error) {
    throw new UsageError(`--ca: ${(error as Error).message}`, { flag: '--ca' });
  }
}

/** Runs a session and closes the connection; resolves with the exit code. */
async function serve(conn: Connection, flags: TcpFlags, io: CliIo, source: StdinSource): Promise<number> {
  try {
    await runSession(conn, io, source, flags);
    return EXIT.ok;
  } catch (error) {
    io.stderr.write(`wirekit tcp: ${describeError(error)}\n`);
    return exitCodeOf(error);
  } finally {
    await conn.close({ timeoutMs: 1_000 }).catch(() => {});
  }
}

async function runConnect(flags: TcpFlags, io: CliIo): Promise<number> {
  const ca = await readCa(flags.ca, io);
  const source = new StdinSource(io.stdin);
  try {
    const conn = flags.tls
      ? await openTls(flags, ca)
      : await connect({ ...flags.target, connectTimeoutMs: flags.timeoutMs, idleTimeoutMs: flags.timeoutMs });
    if (flags.verbose) io.stderr.write(`Connected to ${label(conn.remoteAddress)}\n`);
    return await serve(conn, flags, io, source);
  } catch (error) {
    io.stderr.write(`wirekit tcp: ${describeError(error)}\n`);
    return exitCodeOf(error);
  } finally {
    source.stop();
  }
}

/** Accepted connections, taken one at a time. */
class Arrivals {
  readonly #queue: Connection[] = [];
  #wake: (() => void) | undefined;

  readonly push = (conn: Connection): void => {
    this.#queue.push(conn);
    this.#wake?.();
  };

  async next(timeoutMs: number, stopped: Promise<unknown>): Promise<Connection | undefined> {
    let timer: NodeJS.Timeout | undefined;
    while (this.#queue.length === 0) {
      const arrived = new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      const late = new Promise<'late'>((resolve) => {
        if (timeoutMs > 0) timer ??= setTimeout(() => resolve('late'), timeoutMs);
      });
      const outcome = await Promise.race([arrived, late, stopped.then(() => 'stopped' as const)]);
      if (outcome === 'stopped') return undefined;
      if (outcome === 'late') throw new TimeoutError('WK_ERR_IDLE_TIMEOUT', `no connection within ${timeoutMs} ms`);
    }
    clearTimeout(timer);
    return this.#queue.shift();
  }
}

async function runListen(flags: TcpFlags, io: CliIo): Promise<number> {
  const arrivals = new Arrivals();
  let server: Server;
  try {
    server = await listen(
      { ...flags.target, idleTimeoutMs: flags.timeoutMs, allowHalfOpen: true, onError: () => {} },
      arrivals.push,
    );
  } catch (error) {
    io.stderr.write(`wirekit tcp: ${describeError(error)}\n`);
    return exitCodeOf(error);
  }
  if (flags.verbose) io.stderr.write(`Listening on ${label(server.address)}\n`);
  const source = new StdinSource(io.stdin);
  // Only --keep-open runs until Ctrl-C; a single connection dies on Ctrl-C like any command.
  const stopped: Promise<unknown> = flags.keepOpen ? io.stopped() : new Promise(() => {});
  let code: number = EXIT.ok;
  try {
    for (;;) {
      const conn = await arrivals.next(flags.timeoutMs, stopped);
      if (conn === undefined) break;
      if (!flags.keepOpen) void server.close();
      if (flags.verbose) io.stderr.write(`Connection from ${label(conn.remoteAddress)}\n`);
      code = await Promise.race([serve(conn, flags, io, source), stopped.then(() => EXIT.ok)]);
      if (!flags.keepOpen) break;
    }
  } catch (error) {
    io.stderr.write(`wirekit tcp: ${describeError(error)}\n`);
    code = exitCodeOf(error);
  } finally {
    source.stop();
    await server.close({ timeoutMs: 0 });
  }
  return code;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args);
  return flags.mode === 'connect' ? runConnect(flags, io) : runListen(flags, io);
}

/**
 * `wirekit tcp`: netcat for TCP.
 *
 * @example
 * ```ts
 * await tcpCommand.run(['connect', '127.0.0.1:9000', '--lines'], processIo());
 * ```
 */
export const tcpCommand: Command = {
  name: 'tcp',
  summary: 'netcat for TCP: connect or listen, stdin to the socket, the socket to stdout',
  help: HELP,
  run,
};
