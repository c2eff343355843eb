/**
 * One netcat session over a connection: standard input to the socket, the socket to standard
 * output. Standard input's end half-closes the socket (FIN), and the session ends when the peer
 * closes its side, whether or not standard input is done.
 */
import { type Connection, encodeLine, LineDecoder, lines } from '../../index.js';
import type { CliIo } from '../io.js';
import { HexDumper } from './hex-dump.js';

/**
 * Standard input, read by one session after another (`listen --keep-open`): a read still waiting
 * when a session ends is handed to the next one, so no input is lost between sessions.
 */
export class StdinSource {
  readonly #stdin: CliIo['stdin'];
  readonly #iterator: AsyncIterator<string | Buffer>;
  #pending: Promise<IteratorResult<string | Buffer>> | undefined;
  #ended = false;

  constructor(stdin: CliIo['stdin']) {
    this.#stdin = stdin;
    this.#iterator = stdin[Symbol.asyncIterator]();
  }

  /** The next chunk, or null once standard input has ended. */
  async next(): Promise<Uint8Array | null> {
    if (this.#ended) return null;
    this.#pending ??= this.#iterator.next();
    const result = await this.#pending;
    this.#pending = undefined;
    if (result.done === true) {
      this.#ended = true;
      return null;
    }
    return typeof result.value === 'string' ? Buffer.from(result.value) : result.value;
  }

  /** Stops reading standard input, so the process can exit while it is still open. */
  stop(): void {
    const stdin = this.#stdin as CliIo['stdin'] & { destroy?: () => void };
    stdin.pause();
    stdin.destroy?.();
  }
}

/**
 * How a session frames and shows the bytes.
 *
 * @example
 * ```ts
 * const options: SessionOptions = { lines: true, crlf: false, hex: false };
 * ```
 */
export interface SessionOptions {
  /** Send standard input line by line, and print the peer's bytes by whole lines. */
  lines: boolean;
  /** With `lines`, end sent lines with CRLF. */
  crlf: boolean;
  /** Dump both directions in hex on stderr. */
  hex: boolean;
}

const OVER = Symbol('over');

async function write(stream: NodeJS.WritableStream, data: Uint8Array | string): Promise<void> {
  if (!stream.write(data)) await new Promise((resolve) => stream.once('drain', resolve));
}

/** Standard input to `conn` until it ends (then FIN), or until `over` resolves. */
async function pump(
  conn: Connection,
  source: StdinSource,
  options: SessionOptions,
  dump: HexDumper | undefined,
  over: Promise<typeof OVER>,
): Promise<void> {
  const decoder = options.lines ? new LineDecoder() : undefined;
  const delimiter = options.crlf ? '\r\n' : '\n';
  const send = async (bytes: Uint8Array): Promise<void> => {
    dump?.sent(bytes);
    await conn.write(bytes);
  };
  for (;;) {
    const chunk = await Promise.race([source.next(), over]);
    if (chunk === OVER) return;
    if (chunk === null) break;
    if (decoder === undefined) await send(chunk);
    else for (const line of decoder.push(chunk)) await send(encodeLine(line, delimiter));
  }
  const rest = decoder?.end();
  if (rest !== undefined) await send(encodeLine(rest, delimiter));
  await conn.end();
}

/**
 * Runs one session; resolves once the peer has closed its side, or rejects with the socket's
 * error (a reset, an idle timeout).
 */
export async function runSession(
  conn: Connection,
  io: CliIo,
  source: StdinSource,
  options: SessionOptions,
): Promise<void> {
  const dump = options.hex ? new HexDumper((text) => io.stderr.write(text)) : undefined;
  let finish: (value: typeof OVER) => void = () => {};
  const over = new Promise<typeof OVER>((resolve) => {
    finish = resolve;
  });
  // A failed write also fails the socket, and the read below reports it: nothing to add here.
  const outbound = pump(conn, source, options, dump, over).catch(() => {});
  try {
    if (options.lines) {
      for await (const line of lines(conn)) {
        const bytes = Buffer.from(`${line}\n`);
        dump?.received(bytes);
        await write(io.stdout, bytes);
      }
    } else {
      for await (const chunk of conn) {
        dump?.received(chunk);
        await write(io.stdout, chunk);
      }
    }
  } finally {
    finish(OVER);
  }
  await outbound;
}
