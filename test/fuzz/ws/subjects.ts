/**
 * The two receivers of the WebSocket differential, fed the same reads with matching settings (the
 * reading role, permessage-deflate without context takeover either way, window 15, the same
 * largest message): ours, the engine's `Receiver` (the codec's `FrameParser` and our inflating)
 * with pongs recorded, and the `ws` package's `Receiver` with its `PerMessageDeflate`. Each gives
 * an {@link WsOutcome}: what it delivered, in order, and how it ended.
 */
import * as wsModule from 'ws';
import type { FrameFailure } from '../../../src/ws/codec/frame-parser.js';
import { PerMessageDeflate } from '../../../src/ws/deflate.js';
import { resolveWebSocketOptions } from '../../../src/ws/options.js';
import { Receiver, type ReceiverEvents } from '../../../src/ws/receiver.js';
import type { WebSocketTransport } from '../../../src/ws/transport.js';
import type { FuzzInput } from '../core/input.js';
import { pieces } from '../http/request-inputs.js';
import { parseContext, type WsSettings } from './frame-model.js';
import { FUZZ_MAX_MESSAGE_BYTES } from './frame-values.js';

/** The input's reads, cut from a copy: both receivers unmask in place, in the chunks they are given. */
function reads(input: FuzzInput): Buffer[] {
  return pieces(Buffer.from(input.bytes), input.splits);
}

/** One event a receiver delivered: `text:`, `binary:`, `ping:`, `pong:` and the payload in hex. */
export type WsEvent = string;

export type WsEnd =
  /** Still waiting for more bytes when the input ended. */
  | { kind: 'open' }
  | { kind: 'close'; code: number; reason: string }
  /** The receiver failed the connection with `code` (1002, 1007, 1009…); `rule` says why. */
  | { kind: 'fail'; code: number; rule: string };

export interface WsOutcome {
  events: WsEvent[];
  end: WsEnd;
}

const event = (kind: string, payload: Buffer): WsEvent => `${kind}:${payload.toString('hex')}`;

/** Our failure's rule: its error code and message with the input's own numbers left out. */
export function ourRule(f: FrameFailure): string {
  return `${f.errorCode}: ${f.message.replace(/\d+/g, 'N').replace(/does not inflate: .*/, 'does not inflate')}`;
}

// ---- ours ----

const idleTransport = { pause() {}, resume() {} } as unknown as WebSocketTransport;

/** The engine's Receiver, with pongs recorded (the engine itself only notes that one arrived). */
class RecordingReceiver extends Receiver<WsOutcome> {
  readonly #outcome: WsOutcome;

  constructor(settings: WsSettings, outcome: WsOutcome) {
    const options = resolveWebSocketOptions({
      maxMessageBytes: FUZZ_MAX_MESSAGE_BYTES,
      maxFrameBytes: FUZZ_MAX_MESSAGE_BYTES,
      perMessageDeflate: settings.deflate,
    });
    const deflate =
      options.deflate === undefined
        ? undefined
        : new PerMessageDeflate(
            {
              serverNoContextTakeover: true,
              clientNoContextTakeover: true,
              serverMaxWindowBits: 15,
              clientMaxWindowBits: 15,
            },
            settings.role,
            options.deflate,
          );
    super(idleTransport, options, settings.role, deflate, outcome, RECORD);
    this.#outcome = outcome;
  }

  // The parser passes the payload; the engine's onPong takes none.
  override onPong(payload?: Buffer): void {
    this.#outcome.events.push(event('pong', payload ?? Buffer.alloc(0)));
  }
}

const RECORD: ReceiverEvents<WsOutcome> = {
  message(o, data, isText) {
    o.events.push(event(isText ? 'text' : 'binary', typeof data === 'string' ? Buffer.from(data) : data));
    return true;
  },
  ping(o, payload) {
    o.events.push(event('ping', payload));
  },
  closeFrame(o, code, reason) {
    if (o.end.kind === 'open') o.end = { kind: 'close', code, reason };
  },
  fail(o, failure) {
    if (o.end.kind === 'open') o.end = { kind: 'fail', code: failure.closeCode, rule: ourRule(failure) };
  },
};

/** Our receiver's outcome (synchronous: without context takeover, inflating is one-shot). */
export function ourOutcome(input: FuzzInput): WsOutcome {
  const outcome: WsOutcome = { events: [], end: { kind: 'open' } };
  const receiver = new RecordingReceiver(parseContext(input.context), outcome);
  for (const piece of reads(input)) {
    if (outcome.end.kind !== 'open') break;
    receiver.push(piece);
  }
  return outcome;
}

// ---- ws ----

interface WsReceiverLike {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'ping' | 'pong', listener: (data: Buffer) => void): this;
  on(event: 'conclude', listener: (code: number, reason: Buffer) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  write(chunk: Buffer, callback: (error?: Error | null) => void): boolean;
}

interface WsDeflateLike {
  params: Record<string, boolean | number> | null;
  cleanup(): void;
}

/** The parts of `ws` the package's type definitions leave out (both are exported by its entry point). */
const ws = wsModule as unknown as {
  Receiver: new (options: {
    isServer: boolean;
    maxPayload: number;
    extensions: Record<string, WsDeflateLike>;
  }) => WsReceiverLike;
  PerMessageDeflate: new (options: { isServer: boolean; maxPayload: number }) => WsDeflateLike;
};

/** The close code `ws` attaches to its errors (under its `kStatusCode` symbol), if any. */
function statusCode(error: Error): number | undefined {
  const key = Object.getOwnPropertySymbols(error).find((s) => s.description === 'status-code');
  return key === undefined ? undefined : (error as unknown as Record<symbol, number>)[key];
}

/** `ws`'s rule: its error code (`WS_ERR_…`, or zlib's for a message that does not inflate). */
function wsRule(error: Error): string {
  return (error as { code?: string }).code ?? error.message.replace(/\d+/g, 'N');
}

/** The `ws` Receiver's outcome: each read written once the previous one was processed (inflating included). */
export async function wsOutcome(input: FuzzInput): Promise<WsOutcome> {
  const settings = parseContext(input.context);
  const isServer = settings.role === 'server';
  const extensions: Record<string, WsDeflateLike> = {};
  let deflate: WsDeflateLike | undefined;
  if (settings.deflate) {
    deflate = new ws.PerMessageDeflate({ isServer, maxPayload: FUZZ_MAX_MESSAGE_BYTES });
    deflate.params = { server_no_context_takeover: true, client_no_context_takeover: true };
    extensions['permessage-deflate'] = deflate;
  }
  const receiver = new ws.Receiver({ isServer, maxPayload: FUZZ_MAX_MESSAGE_BYTES, extensions });
  const outcome: WsOutcome = { events: [], end: { kind: 'open' } };
  const fail = (error: Error): void => {
    if (outcome.end.kind === 'open') outcome.end = { kind: 'fail', code: statusCode(error) ?? 0, rule: wsRule(error) };
  };
  receiver
    .on('message', (data, isBinary) => outcome.events.push(event(isBinary ? 'binary' : 'text', data)))
    .on('ping', (data) => outcome.events.push(event('ping', data)))
    .on('pong', (data) => outcome.events.push(event('pong', data)))
    .on('conclude', (code, reason) => {
      if (outcome.end.kind === 'open') outcome.end = { kind: 'close', code, reason: reason.toString() };
    })
    .on('error', fail);
  try {
    for (const piece of reads(input)) {
      if (outcome.end.kind !== 'open') break;
      await new Promise<void>((resolve) =>
        receiver.write(piece, (error) => {
          // The error reaches this callback before the 'error' event.
          if (error) fail(error);
          resolve();
        }),
      );
    }
  } finally {
    deflate?.cleanup();
  }
  return outcome;
}
