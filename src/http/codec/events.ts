import type { ProtocolError } from '../../errors.js';

/** What the `'head'` events of requests and responses have in common. */
export interface HeadEventBase {
  readonly type: 'head';
  readonly version: '1.0' | '1.1';
  /** Fields as received, flat: `[name, value, name, value, …]`; names keep their case, values are trimmed. */
  readonly headers: readonly string[];
  /** Whether the connection may carry another message after this one (RFC 9112 §9.3). */
  readonly keepAlive: boolean;
}

/** A chunk of decoded body bytes: a view into the pushed input, never a copy. */
export interface BodyEvent {
  readonly type: 'body';
  readonly data: Uint8Array;
}

/** Trailer fields of a chunked body, as flat `[name, value, name, value, …]`, names as received. */
export interface TrailersEvent {
  readonly type: 'trailers';
  readonly trailers: readonly string[];
}

/** The message is complete. */
export interface EndEvent {
  readonly type: 'end';
}

/** The input is malformed; the parser is dead. `error.status` is the response to send before closing. */
export interface ErrorEvent {
  readonly type: 'error';
  readonly error: ProtocolError;
}

/** Events shared by request and response parsers after the head. */
export type MessageEvent = BodyEvent | TrailersEvent | EndEvent | ErrorEvent;

/** One shared end event: ending a message allocates nothing. */
export const END: EndEvent = Object.freeze({ type: 'end' });

/** Where decoders append events: any array whose element type includes MessageEvent. */
export interface EventSink {
  push(event: MessageEvent): number;
}
