/**
 * The receiving half of a connection (the "Receiver" of `ws`'s Receiver/Sender split): the frame
 * parser, inflating compressed messages (in order: parsing pauses while a zlib stream works), the
 * queue for `for await`, and pausing the transport for any of them.
 */
import type { FrameFailure, FrameParserSink, WebSocketRole } from './codec/frame-parser.js';
import { FrameParser } from './codec/frame-parser.js';
import type { InflateResult, PerMessageDeflate } from './deflate.js';
import { Inbox, type ReceivedMessage } from './inbox.js';
import type { ResolvedWebSocketOptions } from './options.js';
import type { WebSocketTransport } from './transport.js';

/** Pause reasons (a bit each): an async inflate, the inbox over its mark, the application. */
const PAUSE_INFLATE = 1;
const PAUSE_INBOX = 2;
/**
 * The application's own pause (`ws.pause()`).
 *
 * @example
 * ```ts
 * receiver.setPaused(PAUSE_USER, true);
 * ```
 */
export const PAUSE_USER = 4;

/** Idle parsers kept per options, role and compression: enough for a burst of reads at once. */
const POOL_SIZE = 64;
const parserPools = new WeakMap<ResolvedWebSocketOptions, FrameParser[][]>();

function poolOf(options: ResolvedWebSocketOptions, role: WebSocketRole, compression: boolean): FrameParser[] {
  let pools = parserPools.get(options);
  if (pools === undefined) {
    pools = [[], [], [], []];
    parserPools.set(options, pools);
  }
  return pools[(role === 'server' ? 0 : 2) + (compression ? 1 : 0)] as FrameParser[];
}

function takePooledParser(
  options: ResolvedWebSocketOptions,
  role: WebSocketRole,
  compression: boolean,
  sink: FrameParserSink,
): FrameParser {
  const parser = poolOf(options, role, compression).pop();
  if (parser === undefined) {
    const { maxMessageBytes, maxFrameBytes, maxFragments } = options;
    return new FrameParser(sink, { role, maxMessageBytes, maxFrameBytes, maxFragments, compression });
  }
  parser.rebind(sink);
  return parser;
}

function givePooledParser(
  options: ResolvedWebSocketOptions,
  role: WebSocketRole,
  compression: boolean,
  parser: FrameParser,
): void {
  const pool = poolOf(options, role, compression);
  if (pool.length < POOL_SIZE) pool.push(parser);
}

/**
 * What a receiver tells its owner: one object shared by every connection (no closure per connection).
 *
 * @example
 * ```ts
 * const events: ReceiverEvents<Conn> = { message: (c, data, isText) => c.deliver(data, isText), ping() {}, closeFrame() {}, fail() {} };
 * ```
 */
export interface ReceiverEvents<O> {
  /** A message (text decoded); `true` when it was delivered to a handler, `false` to queue it. */
  message(owner: O, data: ReceivedMessage, isText: boolean): boolean;
  ping(owner: O, payload: Buffer): void;
  closeFrame(owner: O, code: number, reason: string): void;
  fail(owner: O, failure: FrameFailure): void;
}

/**
 * Parses, inflates and delivers what one connection receives.
 *
 * @example
 * ```ts
 * const receiver = new Receiver(transport, options, 'server', undefined, connection, events);
 * transport.start({ onData: (chunk) => receiver.push(chunk), onEnd() {}, onClose() {} });
 * ```
 */
export class Receiver<O> implements FrameParserSink {
  /** Bytes of frames received. */
  bytesReceived = 0;
  /** Set on every chunk received; cleared by the liveness check that looks at it. */
  received = false;
  /** Taken from the pool when bytes come, given back once idle (between messages). */
  #parser: FrameParser | undefined;
  readonly #role: WebSocketRole;
  readonly #transport: WebSocketTransport;
  readonly #options: ResolvedWebSocketOptions;
  readonly #deflate: PerMessageDeflate | undefined;
  readonly #owner: O;
  readonly #events: ReceiverEvents<O>;
  #inbox: Inbox | undefined;
  #paused = 0;
  #closed = false;

  constructor(
    transport: WebSocketTransport,
    options: ResolvedWebSocketOptions,
    role: WebSocketRole,
    deflate: PerMessageDeflate | undefined,
    owner: O,
    events: ReceiverEvents<O>,
  ) {
    this.#transport = transport;
    this.#options = options;
    this.#deflate = deflate;
    this.#owner = owner;
    this.#events = events;
    this.#role = role;
  }

  /** Bytes from the peer. */
  push(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    this.received = true;
    const parser = this.#parser ?? this.#takeParser();
    parser.push(chunk);
    // Between messages the parser holds nothing of ours: an idle connection keeps none.
    if (this.#parser === parser && parser.idle) {
      this.#parser = undefined;
      givePooledParser(this.#options, this.#role, this.#deflate !== undefined, parser);
    }
  }

  #takeParser(): FrameParser {
    const parser = takePooledParser(this.#options, this.#role, this.#deflate !== undefined, this);
    if (this.#paused !== 0) parser.pause();
    this.#parser = parser;
    return parser;
  }

  /** The queue `for await` reads (made on first use). */
  inbox(): Inbox {
    if (this.#inbox === undefined) {
      this.#inbox = new Inbox(this.#options.receiveHighWaterBytes, (full) => this.setPaused(PAUSE_INBOX, full));
      if (this.#closed) this.#inbox.end();
    }
    return this.#inbox;
  }

  /** Stops (or restarts) reading for `reason`; reading goes on once no reason is left. */
  setPaused(reason: number, on: boolean): void {
    const before = this.#paused;
    this.#paused = on ? before | reason : before & ~reason;
    if (before === 0 && this.#paused !== 0) {
      this.#parser?.pause();
      this.#transport.pause();
    } else if (before !== 0 && this.#paused === 0) {
      this.#transport.resume();
      this.#parser?.resume();
    }
  }

  /** The connection closed: `for await` ends once the queue is read. */
  closed(): void {
    this.#closed = true;
    this.#inbox?.end();
  }

  // ---- the parser's events ----

  onMessage(payload: Buffer, isText: boolean, compressed: boolean): void {
    if (compressed) this.#inflate(payload, isText);
    else this.#deliver(isText ? payload.toString() : payload, isText);
  }

  onPing(payload: Buffer): void {
    this.#events.ping(this.#owner, payload);
  }

  onPong(): void {}

  onCloseFrame(code: number, reason: string): void {
    this.#events.closeFrame(this.#owner, code, reason);
  }

  onFail(failure: FrameFailure): void {
    this.#events.fail(this.#owner, failure);
  }

  #deliver(message: ReceivedMessage, isText: boolean): void {
    if (!this.#events.message(this.#owner, message, isText)) this.inbox().push(message);
  }

  #inflate(payload: Buffer, isText: boolean): void {
    const deflate = this.#deflate as PerMessageDeflate;
    const limit = this.#options.maxMessageBytes;
    if (deflate.syncInflate) {
      this.#inflated(deflate.decompressSync(payload, limit, isText), isText);
      return;
    }
    this.setPaused(PAUSE_INFLATE, true);
    deflate.decompress(payload, limit, isText, (result) => {
      if (this.#closed) return;
      this.#inflated(result, isText);
      this.setPaused(PAUSE_INFLATE, false);
    });
  }

  #inflated(result: InflateResult, isText: boolean): void {
    if (result.ok) {
      this.#deliver(isText ? result.data.toString() : result.data, isText);
      return;
    }
    // The connection fails here: frames after this message (in the same chunk, or held while
    // inflating) must not reach the application.
    this.#parser?.stop();
    this.onFail({ closeCode: result.closeCode, errorCode: result.errorCode, message: result.message });
  }
}
