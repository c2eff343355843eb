/**
 * The client's half of the opening handshake (RFC 6455 §4.1), shared by every client end: the
 * fields a client offers, the checks of the server's answer, and the connection started once
 * they pass. `app.connect()` runs it over a memory pipe, `connectWebSocket()` over TCP or TLS.
 */
import { randomBytes } from 'node:crypto';
import { acceptDeflateResponse, type DeflateParams, deflateOffer } from './codec/deflate-params.js';
import { checkUpgradeResponse, type HeaderLookup } from './codec/handshake.js';
import { startConnection, WebSocketConnection } from './connection.js';
import type { WebSocketHandlers } from './handlers.js';
import type { ResolvedWebSocketOptions } from './options.js';
import type { WebSocketTransport } from './transport.js';
import { acceptKey } from './upgrade.js';

/**
 * What a client offers: its key, subprotocols and permessage-deflate wishes, as request fields.
 *
 * @example
 * ```ts
 * const offer = clientOffer(['chat'], resolveWebSocketOptions({ perMessageDeflate: true }));
 * for (const [name, value] of offer.fields) headers.set(name, value);
 * ```
 */
export interface ClientOffer {
  /** `Sec-WebSocket-Key`: 16 random bytes in base64 (§4.1, item 7). */
  readonly key: string;
  readonly protocols: readonly string[];
  readonly options: ResolvedWebSocketOptions;
  /** The handshake fields to send besides `Upgrade` and `Connection`. */
  readonly fields: ReadonlyArray<readonly [name: string, value: string]>;
}

/**
 * The offer of a new client end: a fresh key, the subprotocols, and a permessage-deflate offer
 * when `options.deflate` is set.
 *
 * @example
 * ```ts
 * const { key, fields } = clientOffer([], resolveWebSocketOptions());
 * ```
 */
export function clientOffer(protocols: readonly string[], options: ResolvedWebSocketOptions): ClientOffer {
  const key = randomBytes(16).toString('base64');
  const fields: [string, string][] = [
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', '13'],
  ];
  if (protocols.length > 0) fields.push(['Sec-WebSocket-Protocol', protocols.join(', ')]);
  const wishes = options.deflate?.wishes;
  if (wishes !== undefined) fields.push(['Sec-WebSocket-Extensions', deflateOffer(wishes)]);
  return { key, protocols, options, fields };
}

/**
 * A server's answer that passed the client's checks: what the connection is made with.
 *
 * @example
 * ```ts
 * const answer = checkServerAnswer(101, headers, offer);
 * if (answer.ok) console.log(answer.protocol, answer.extensions);
 * ```
 */
export interface AcceptedAnswer {
  readonly ok: true;
  /** The subprotocol the server chose among those offered, or `''`. */
  readonly protocol: string;
  /** The `Sec-WebSocket-Extensions` of the answer, or `''`. */
  readonly extensions: string;
  readonly deflate: DeflateParams | undefined;
}

/**
 * Checks the answer to `offer` per RFC 6455 §4.1: status 101, `Upgrade` and `Connection`, the
 * `Sec-WebSocket-Accept` of our key (`key` when the request carried another one), a subprotocol
 * among those offered, and extensions only as offered (permessage-deflate with parameters we can
 * honour). A failure is a message saying why; the caller must then fail the connection.
 *
 * @example
 * ```ts
 * const answer = checkServerAnswer(response.status, response.headers, offer);
 * if (!answer.ok) throw new WebSocketHandshakeError(answer.message, response);
 * ```
 */
export function checkServerAnswer(
  status: number,
  headers: HeaderLookup,
  offer: ClientOffer,
  key: string = offer.key,
): AcceptedAnswer | { ok: false; message: string } {
  const answer = checkUpgradeResponse(status, headers, { accept: acceptKey(key), protocols: offer.protocols });
  if (!answer.ok) return answer;
  let deflate: DeflateParams | undefined;
  if (answer.extensions.length > 0) {
    const wishes = offer.options.deflate?.wishes;
    const agreed = wishes === undefined ? 'no extension was offered' : acceptDeflateResponse(answer.extensions, wishes);
    if (typeof agreed === 'string') return { ok: false, message: `invalid Sec-WebSocket-Extensions answer: ${agreed}` };
    deflate = agreed;
  }
  const extensions = deflate === undefined ? '' : (headers.get('sec-websocket-extensions') ?? '');
  return { ok: true, protocol: answer.protocol, extensions, deflate };
}

/**
 * Starts the client end over `transport` once the answer was accepted: `open` runs, then the bytes
 * already received past the handshake are read.
 *
 * @example
 * ```ts
 * const ws = startClientEnd(connectionTransport(conn, rest), offer, answer, {});
 * for await (const message of ws) console.log(message);
 * ```
 */
export function startClientEnd<D = undefined>(
  transport: WebSocketTransport,
  offer: ClientOffer,
  answer: AcceptedAnswer,
  handlers: WebSocketHandlers<D>,
  data: D = undefined as D,
): WebSocketConnection<D> {
  const ws = new WebSocketConnection(transport, {
    role: 'client',
    options: offer.options,
    handlers,
    data,
    protocol: answer.protocol,
    extensions: answer.extensions,
    deflate: answer.deflate,
  });
  startConnection(ws);
  return ws;
}
