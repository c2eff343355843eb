/**
 * The WebSocket frame parser (the "Receiver" of RFC 6455 §5-6): bytes in, messages and control
 * frames out through a sink. Sans-I/O: no sockets, timers or zlib; a compressed message is handed
 * over whole, marked `compressed`, for the caller to inflate.
 *
 * Hot path: a frame that arrives whole in one chunk is parsed in place and its payload handed over
 * as a view of that chunk (no copy). Only a frame split across chunks, or a fragmented message, is
 * gathered (see gather.ts).
 *
 * Text is validated as it arrives (fail-fast, RFC 6455 §8.1): the first invalid byte fails the
 * connection with 1007 even if the frame, or the message, is not complete.
 */
import type { ErrorCode } from '../../errors.js';
import { parseClosePayload } from './close-payload.js';
import { CloseCode, MAX_CONTROL_PAYLOAD_BYTES, Opcode } from './constants.js';
import { headerSize, headerViolation, readLength } from './frame-header.js';
import type { FrameFailure, FrameParserOptions, FrameParserSink } from './frame-sink.js';
import { Gather } from './gather.js';
import { applyMaskBits, maskBits } from './mask.js';
import { Utf8Validator } from './utf8.js';

export type { FrameFailure, FrameParserOptions, FrameParserSink, WebSocketRole } from './frame-sink.js';

const HEADER = 0;
const PAYLOAD = 1;
const DONE = 2;

const EMPTY = Buffer.alloc(0);

/**
 * Parses frames pushed in any split.
 *
 * @example
 * ```ts
 * const parser = new FrameParser(sink, { role: 'server', maxMessageBytes: 16 << 20, maxFrameBytes: 16 << 20, maxFragments: 1024 });
 * socket.on('data', (chunk) => parser.push(chunk));
 * ```
 */
export class FrameParser {
  #sink: FrameParserSink;
  readonly #expectMasked: boolean;
  readonly #maxMessageBytes: number;
  readonly #maxFrameBytes: number;
  readonly #maxFragments: number;
  readonly #compression: boolean;
  #state = HEADER;
  #paused = false;
  #running = false;
  #held: Buffer[] | undefined;
  // A header split across chunks.
  #head: Buffer | undefined;
  #headLength = 0;
  // The frame being read.
  #fin = false;
  #opcode = 0;
  #frameLength = 0;
  #remaining = 0;
  #masked = false;
  #key = 0;
  #keyPhase = 0;
  // The message being read (opcode 0: none).
  #messageOpcode = 0;
  #compressed = false;
  #messageBytes = 0;
  #fragments = 0;
  #utf8: Utf8Validator | undefined;
  // Payload bytes of a split frame or a fragmented message (made on first use).
  #gather: Gather | undefined;
  // A control frame split across chunks.
  #control: Buffer | undefined;
  #controlLength = 0;

  constructor(sink: FrameParserSink, options: FrameParserOptions) {
    this.#sink = sink;
    this.#expectMasked = options.role === 'server';
    this.#maxMessageBytes = options.maxMessageBytes;
    this.#maxFrameBytes = options.maxFrameBytes;
    this.#maxFragments = options.maxFragments;
    this.#compression = options.compression ?? false;
  }

  /** True once a close frame or a failure ended parsing: later bytes are ignored. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /**
   * True between messages: no frame or fragmented message begun, nothing held, not paused. An idle
   * parser holds no state of its connection's, so one parser can serve many connections in turn
   * (see {@link FrameParser.rebind}).
   */
  get idle(): boolean {
    return (
      this.#state === HEADER &&
      this.#headLength === 0 &&
      this.#messageOpcode === 0 &&
      !this.#paused &&
      !this.#running &&
      (this.#held === undefined || this.#held.length === 0)
    );
  }

  /**
   * Points an {@link FrameParser.idle} parser at another sink (another connection with the same
   * options), so idle connections need not keep a parser each.
   *
   * @example
   * ```ts
   * if (parser.idle) pool.push(parser); // later: pool.pop()?.rebind(otherSink)
   * ```
   */
  rebind(sink: FrameParserSink): void {
    this.#sink = sink;
  }

  /** Bytes pushed while paused, not parsed yet. */
  get heldBytes(): number {
    let total = 0;
    for (const chunk of this.#held ?? []) total += chunk.length;
    return total;
  }

  /**
   * Stops parsing for good, as a failure does: later and held bytes are ignored. For the caller's
   * own verdicts on what the parser handed over (a compressed message that does not inflate,
   * RFC 7692 §8): nothing after the failing message may be delivered.
   *
   * @example
   * ```ts
   * if (!inflated.ok) { parser.stop(); closeWith(inflated.closeCode); }
   * ```
   */
  stop(): void {
    this.#state = DONE;
    this.#gather?.clear();
    this.#held = undefined;
  }

  /** Parses `chunk`, calling the sink for each event; holds it unparsed while paused. */
  push(chunk: Buffer): void {
    if (this.#state === DONE) return;
    if (this.#paused || this.#running) {
      if (this.#held === undefined) this.#held = [chunk];
      else this.#held.push(chunk);
      return;
    }
    this.#run(chunk);
  }

  /** Stops after the current event: later bytes are held until {@link FrameParser.resume}. */
  pause(): void {
    this.#paused = true;
  }

  /** Parses the held bytes (synchronously) and goes on parsing pushes. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#running) return;
    const next = this.#held?.shift();
    if (next !== undefined) this.#run(next);
  }

  #run(first: Buffer): void {
    this.#running = true;
    try {
      let chunk: Buffer | undefined = first;
      while (chunk !== undefined) {
        const at = this.#consume(chunk);
        if (this.#state === DONE) {
          this.#held = undefined;
          return;
        }
        if (at < chunk.length) {
          // Paused mid-chunk: the rest goes first when parsing resumes.
          if (this.#held === undefined) this.#held = [chunk.subarray(at)];
          else this.#held.unshift(chunk.subarray(at));
          return;
        }
        chunk = this.#paused ? undefined : this.#held?.shift();
      }
    } finally {
      this.#running = false;
    }
  }

  /** Parses from `chunk` until it is used up, the parser is paused or done; returns where it stopped. */
  #consume(chunk: Buffer): number {
    const length = chunk.length;
    let at = 0;
    while (at < length && !this.#paused && this.#state !== DONE) {
      at = this.#state === HEADER ? this.#readHeader(chunk, at) : this.#readPayload(chunk, at);
    }
    return at;
  }

  #readHeader(chunk: Buffer, at: number): number {
    const available = chunk.length - at;
    if (this.#headLength === 0 && available >= 2) {
      const size = headerSize(chunk[at + 1] as number);
      if (available >= size) {
        this.#parseHeader(chunk, at);
        return at + size;
      }
    }
    // The header is split across chunks: gather its (at most 14) bytes.
    const head = this.#head ?? Buffer.allocUnsafe(14);
    this.#head = head;
    let i = at;
    const before = this.#headLength;
    while (i < chunk.length && this.#headLength < 2) head[this.#headLength++] = chunk[i++] as number;
    if (this.#headLength < 2) return i;
    // The first two bytes decide every rule but the extended length's: judge them now, not once
    // up to 12 more bytes (length, key) have come.
    if (before < 2 && this.#violation(head[0] as number, head[1] as number)) return i;
    const size = headerSize(head[1] as number);
    // Where the key starts: the length is judged as soon as its bytes are in, the key not awaited.
    const keyAt = (head[1] as number) & 0x80 ? size - 4 : size;
    const had = this.#headLength;
    while (i < chunk.length && this.#headLength < size) head[this.#headLength++] = chunk[i++] as number;
    if (keyAt > 2 && had < keyAt && this.#headLength >= keyAt && this.#lengthViolation(head)) return i;
    if (this.#headLength < size) return i;
    this.#headLength = 0;
    this.#parseHeader(head, 0);
    return i;
  }

  /** Reads and checks a complete header at `buf[at]` (RFC 6455 §5.2, §5.4, §5.5; RFC 7692 §6). */
  #parseHeader(buf: Buffer, at: number): void {
    const b0 = buf[at] as number;
    const b1 = buf[at + 1] as number;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    let size = b1 & 0x7f;
    // The common frame (a whole small text or binary message, masked as the role wants) needs
    // none of the checks below: FIN set, RSV clear, a 7-bit length, no message in progress.
    const common =
      (b0 === 0x81 || b0 === 0x82) && size < 126 && masked === this.#expectMasked && this.#messageOpcode === 0;
    if (!common) {
      if (this.#violation(b0, b1)) return;
      const length = readLength(buf, at);
      if (typeof length === 'string') {
        this.#protocolError(length);
        return;
      }
      size = length;
    }
    if (opcode === Opcode.Text || opcode === Opcode.Binary) this.#startMessage(opcode, (b0 & 0x40) !== 0);
    if (opcode < 0x8) {
      const limit = this.#limitCrossed(size);
      if (limit !== undefined) {
        this.#fail(CloseCode.MessageTooBig, 'WK_ERR_WS_MESSAGE_TOO_LARGE', limit);
        return;
      }
    }
    this.#fin = (b0 & 0x80) !== 0;
    this.#opcode = opcode;
    this.#frameLength = size;
    this.#remaining = size;
    this.#masked = masked;
    if (masked) {
      this.#key = maskBits(buf, at + headerSize(b1) - 4);
      this.#keyPhase = 0;
    }
    if (size > 0) {
      this.#state = PAYLOAD;
    } else if (opcode >= 0x8) {
      this.#controlFrame(EMPTY);
    } else {
      this.#endDataFrame();
    }
  }

  /**
   * Fails the connection if the first two header bytes break a rule (the same verdict however the
   * header arrives). A 7-bit length code of 126 or 127 on a control frame already means over 125.
   */
  #violation(b0: number, b1: number): boolean {
    const masked = (b1 & 0x80) !== 0;
    const inMessage = this.#messageOpcode !== 0;
    const problem = headerViolation(b0, masked, b1 & 0x7f, this.#expectMasked, inMessage, this.#compression);
    if (problem !== undefined) this.#protocolError(problem);
    return problem !== undefined;
  }

  /** Which limit a data frame of `length` bytes crosses, if any (counting it as a fragment). */
  #limitCrossed(length: number): string | undefined {
    const size = this.#sizeCrossed(length, this.#messageBytes);
    if (size !== undefined) return size;
    if (++this.#fragments > this.#maxFragments) return `more than ${this.#maxFragments} fragments`;
    return undefined;
  }

  #sizeCrossed(length: number, messageBytes: number): string | undefined {
    if (length > this.#maxFrameBytes) return `a frame of ${length} bytes (limit ${this.#maxFrameBytes})`;
    if (messageBytes + length > this.#maxMessageBytes) return `a message over ${this.#maxMessageBytes} bytes`;
    return undefined;
  }

  /** Fails the connection on an extended length, gathered in `head`, that is malformed or over a size limit. */
  #lengthViolation(head: Buffer): boolean {
    const length = readLength(head, 0);
    if (typeof length === 'string') {
      this.#protocolError(length);
      return true;
    }
    const opcode = (head[0] as number) & 0x0f;
    // A continuation adds to the message read so far; a first frame starts a new one.
    const limit = opcode < 0x8 ? this.#sizeCrossed(length, opcode === 0 ? this.#messageBytes : 0) : undefined;
    if (limit !== undefined) this.#fail(CloseCode.MessageTooBig, 'WK_ERR_WS_MESSAGE_TOO_LARGE', limit);
    return limit !== undefined;
  }

  #startMessage(opcode: number, compressed: boolean): void {
    this.#messageOpcode = opcode;
    this.#compressed = compressed;
    this.#messageBytes = 0;
    this.#fragments = 0;
    if (opcode === Opcode.Text && !compressed) {
      if (this.#utf8 === undefined) this.#utf8 = new Utf8Validator();
      else this.#utf8.reset();
    }
  }

  #readPayload(chunk: Buffer, at: number): number {
    const n = Math.min(this.#remaining, chunk.length - at);
    const end = at + n;
    if (this.#masked) this.#keyPhase = applyMaskBits(chunk, at, end, this.#key, this.#keyPhase);
    this.#remaining -= n;
    if (this.#opcode >= 0x8) {
      this.#readControl(chunk, at, end);
      return end;
    }
    this.#messageBytes += n;
    if (this.#messageOpcode === Opcode.Text && !this.#compressed) {
      const bad = (this.#utf8 as Utf8Validator).check(chunk, at, end);
      if (bad !== -1) {
        this.#fail(
          CloseCode.InvalidPayload,
          'WK_ERR_WS_INVALID_UTF8',
          `invalid UTF-8 at byte ${this.#messageBytes - (end - bad)} of a text message`,
        );
        return end;
      }
    }
    if (this.#remaining === 0 && this.#fin && n === this.#frameLength && !(this.#gather?.length ?? 0)) {
      // The whole message is this one piece of this chunk: hand it over without a copy.
      this.#endMessage(chunk.subarray(at, end));
      return end;
    }
    // A final frame's size is known; a fragmented message may still grow to the limit.
    const gather = this.#gather ?? new Gather();
    this.#gather = gather;
    gather.append(chunk, at, end, this.#fin ? gather.length + n + this.#remaining : this.#maxMessageBytes);
    if (this.#remaining === 0) this.#endDataFrame();
    return end;
  }

  #readControl(chunk: Buffer, at: number, end: number): void {
    if (this.#remaining === 0 && this.#controlLength === 0) {
      this.#controlFrame(chunk.subarray(at, end));
      return;
    }
    const control = this.#control ?? Buffer.allocUnsafe(MAX_CONTROL_PAYLOAD_BYTES);
    this.#control = control;
    chunk.copy(control, this.#controlLength, at, end);
    this.#controlLength += end - at;
    if (this.#remaining > 0) return;
    const payload = Buffer.from(control.subarray(0, this.#controlLength));
    this.#controlLength = 0;
    this.#controlFrame(payload);
  }

  #endDataFrame(): void {
    this.#state = HEADER;
    if (!this.#fin) return;
    const gather = this.#gather;
    this.#endMessage(gather !== undefined && gather.length > 0 ? gather.take() : EMPTY);
  }

  #endMessage(payload: Buffer): void {
    const isText = this.#messageOpcode === Opcode.Text;
    const compressed = this.#compressed;
    if (isText && !compressed && !(this.#utf8 as Utf8Validator).complete) {
      this.#fail(CloseCode.InvalidPayload, 'WK_ERR_WS_INVALID_UTF8', 'a text message ends inside a UTF-8 sequence');
      return;
    }
    this.#state = HEADER;
    this.#messageOpcode = 0;
    this.#sink.onMessage(payload, isText, compressed);
  }

  #controlFrame(payload: Buffer): void {
    this.#state = HEADER;
    switch (this.#opcode) {
      case Opcode.Ping:
        this.#sink.onPing(payload);
        return;
      case Opcode.Pong:
        this.#sink.onPong(payload);
        return;
      default:
        this.#closeFrame(payload);
    }
  }

  /** A close frame (RFC 6455 §5.5.1): the end of parsing either way. */
  #closeFrame(payload: Buffer): void {
    const parsed = parseClosePayload(payload);
    if ('closeCode' in parsed) {
      const errorCode = parsed.closeCode === 1002 ? 'WK_ERR_WS_PROTOCOL' : 'WK_ERR_WS_INVALID_UTF8';
      this.#fail(parsed.closeCode, errorCode, parsed.message);
      return;
    }
    this.#state = DONE;
    this.#sink.onCloseFrame(parsed.code, parsed.reason);
  }

  #protocolError(message: string): void {
    this.#fail(CloseCode.ProtocolError, 'WK_ERR_WS_PROTOCOL', message);
  }

  #fail(closeCode: FrameFailure['closeCode'], errorCode: ErrorCode, message: string): void {
    this.stop();
    this.#sink.onFail({ closeCode, errorCode, message });
  }
}
