/**
 * permessage-deflate negotiation (RFC 7692 §5, §7.1), pure: the server picks the first acceptable
 * offer and answers it; the client checks the answer against its offer.
 *
 * Parameters: `server_no_context_takeover` and `client_no_context_takeover` (no value),
 * `server_max_window_bits` (8-15, required value) and `client_max_window_bits` (8-15, and in an
 * offer it may have no value: "I can limit my window, pick one"). An unknown parameter, a repeated
 * one or a bad value makes that offer invalid (§7): it is declined and the next one is tried;
 * nothing acceptable means no compression, never an error response.
 *
 * Why a window of 8 bits is refused for our own compressor: zlib cannot make raw deflate streams
 * with a 256-byte window, and Node silently raises 8 to 9 (see the zlib.createDeflateRaw docs), so
 * a compressor promising 8 would emit distances a strict peer's 8-bit inflater rejects. A server
 * declines an offer that limits it to 8; a client never lets the server pick its window (it does
 * not offer `client_max_window_bits` unless told a value ≥ 9) and refuses an answer of 8. Our
 * inflaters always use at least 9 bits, so peers that compressed "8" with zlib are read fine.
 */
import type { ExtensionOffer } from './extensions.js';

/**
 * The extension's registered name.
 *
 * @example
 * ```ts
 * offers.filter((o) => o.name === PERMESSAGE_DEFLATE);
 * ```
 */
export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/**
 * What both ends agreed on.
 *
 * @example
 * ```ts
 * const params: DeflateParams = { serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
 * ```
 */
export interface DeflateParams {
  /** The server resets its compressor after every message. */
  serverNoContextTakeover: boolean;
  /** The client resets its compressor after every message. */
  clientNoContextTakeover: boolean;
  /** Window (base-2 log) of the server's compressor, 8-15. */
  serverMaxWindowBits: number;
  /** Window (base-2 log) of the client's compressor, 8-15. */
  clientMaxWindowBits: number;
}

/**
 * One side's wishes: a server's policy when answering offers, a client's when making its offer.
 *
 * @example
 * ```ts
 * negotiateDeflate(offers, { serverNoContextTakeover: true, serverMaxWindowBits: 12 });
 * ```
 */
export interface DeflateWishes {
  /** Ask that the server resets its compressor after every message. Default false. */
  serverNoContextTakeover?: boolean;
  /** Ask that the client resets its compressor after every message. Default false. */
  clientNoContextTakeover?: boolean;
  /** Largest server window, 9-15 (8 cannot be honoured by zlib). Default 15. */
  serverMaxWindowBits?: number;
  /** Largest client window, 8-15 for a server (9-15 for a client's own). Default 15. */
  clientMaxWindowBits?: number;
}

interface OfferedParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  /** `true`: present without a value (offers only). */
  clientMaxWindowBits: number | true | undefined;
}

/** A window size value: a decimal 8-15 without leading zeros (RFC 7692 §7.1.2.1). */
function windowBits(value: string | null): number | undefined {
  return value !== null && /^(?:[89]|1[0-5])$/.test(value) ? Number(value) : undefined;
}

/** The parameters of one offer or answer, or undefined if any is unknown, repeated or malformed. */
function readParams(extension: ExtensionOffer, inOffer: boolean): OfferedParams | undefined {
  const out: OfferedParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  const seen = new Set<string>();
  for (const [name, value] of extension.params) {
    if (seen.has(name)) return undefined;
    seen.add(name);
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== null) return undefined;
        if (name === 'server_no_context_takeover') out.serverNoContextTakeover = true;
        else out.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits':
        out.serverMaxWindowBits = windowBits(value);
        if (out.serverMaxWindowBits === undefined) return undefined;
        break;
      case 'client_max_window_bits':
        if (value === null && inOffer) {
          out.clientMaxWindowBits = true;
        } else {
          out.clientMaxWindowBits = windowBits(value);
          if (out.clientMaxWindowBits === undefined) return undefined;
        }
        break;
      default:
        return undefined;
    }
  }
  return out;
}

/**
 * The accepted offer: the agreed parameters and the `Sec-WebSocket-Extensions` value to answer.
 *
 * @example
 * ```ts
 * const accepted = negotiateDeflate(parseExtensions(header) ?? [], {});
 * if (accepted) response.headers.set('Sec-WebSocket-Extensions', accepted.response);
 * ```
 */
export interface AcceptedDeflate {
  params: DeflateParams;
  response: string;
}

/**
 * Server side: the first permessage-deflate offer that is valid and can be honoured under `policy`,
 * or undefined (decline: the connection opens without compression).
 *
 * @example
 * ```ts
 * negotiateDeflate(parseExtensions('permessage-deflate; client_max_window_bits') ?? [], { serverNoContextTakeover: true })?.response;
 * // 'permessage-deflate; server_no_context_takeover'
 * ```
 */
export function negotiateDeflate(
  offers: readonly ExtensionOffer[],
  policy: DeflateWishes,
): AcceptedDeflate | undefined {
  for (const offer of offers) {
    if (offer.name !== PERMESSAGE_DEFLATE) continue;
    const p = readParams(offer, true);
    if (p === undefined) continue;
    const serverBits = Math.min(policy.serverMaxWindowBits ?? 15, p.serverMaxWindowBits ?? 15);
    if (serverBits < 9) continue; // see the module comment: zlib cannot compress with a 256-byte window
    let clientBits = 15;
    let answerClientBits = false;
    if (p.clientMaxWindowBits !== undefined) {
      clientBits = Math.min(
        p.clientMaxWindowBits === true ? 15 : p.clientMaxWindowBits,
        policy.clientMaxWindowBits ?? 15,
      );
      answerClientBits = clientBits < 15 || p.clientMaxWindowBits !== true;
    }
    const params: DeflateParams = {
      serverNoContextTakeover: p.serverNoContextTakeover || policy.serverNoContextTakeover === true,
      clientNoContextTakeover: p.clientNoContextTakeover || policy.clientNoContextTakeover === true,
      serverMaxWindowBits: serverBits,
      clientMaxWindowBits: clientBits,
    };
    let response = PERMESSAGE_DEFLATE;
    if (params.serverNoContextTakeover) response += '; server_no_context_takeover';
    if (params.clientNoContextTakeover) response += '; client_no_context_takeover';
    if (p.serverMaxWindowBits !== undefined || serverBits < 15) response += `; server_max_window_bits=${serverBits}`;
    if (answerClientBits) response += `; client_max_window_bits=${clientBits}`;
    return { params, response };
  }
  return undefined;
}

/**
 * Client side: the offer to send.
 *
 * @example
 * ```ts
 * deflateOffer({ clientNoContextTakeover: true }); // 'permessage-deflate; client_no_context_takeover'
 * ```
 */
export function deflateOffer(wishes: DeflateWishes = {}): string {
  let offer = PERMESSAGE_DEFLATE;
  if (wishes.serverNoContextTakeover) offer += '; server_no_context_takeover';
  if (wishes.clientNoContextTakeover) offer += '; client_no_context_takeover';
  if (wishes.serverMaxWindowBits !== undefined) offer += `; server_max_window_bits=${wishes.serverMaxWindowBits}`;
  if (wishes.clientMaxWindowBits !== undefined) offer += `; client_max_window_bits=${wishes.clientMaxWindowBits}`;
  return offer;
}

/**
 * Client side: checks the server's answer to {@link deflateOffer}`(wishes)`. Returns the agreed
 * parameters, or a string saying why the answer is unacceptable (the client must then fail the
 * connection, RFC 6455 §9.1).
 *
 * @example
 * ```ts
 * const agreed = acceptDeflateResponse(parseExtensions(res.headers.get('sec-websocket-extensions') ?? '') ?? [], wishes);
 * if (typeof agreed === 'string') throw new Error(agreed);
 * ```
 */
export function acceptDeflateResponse(
  answer: readonly ExtensionOffer[],
  wishes: DeflateWishes = {},
): DeflateParams | string {
  const [only] = answer;
  if (only === undefined || answer.length !== 1 || only.name !== PERMESSAGE_DEFLATE) {
    return 'the server answered with extensions that were not offered';
  }
  const p = readParams(only, false);
  if (p === undefined) return 'the server answered permessage-deflate with invalid parameters';
  if (wishes.serverNoContextTakeover && !p.serverNoContextTakeover) {
    return 'the server did not accept server_no_context_takeover';
  }
  if (wishes.serverMaxWindowBits !== undefined) {
    if (p.serverMaxWindowBits === undefined || p.serverMaxWindowBits > wishes.serverMaxWindowBits) {
      return 'the server did not accept server_max_window_bits';
    }
  }
  const clientBits = p.clientMaxWindowBits === true ? undefined : p.clientMaxWindowBits;
  if (clientBits !== undefined) {
    if (wishes.clientMaxWindowBits === undefined) return 'the server set client_max_window_bits, which was not offered';
    if (clientBits > wishes.clientMaxWindowBits || clientBits < 9) {
      return `the server set client_max_window_bits=${clientBits}, which cannot be honoured`;
    }
  }
  return {
    serverNoContextTakeover: p.serverNoContextTakeover,
    clientNoContextTakeover: p.clientNoContextTakeover || wishes.clientNoContextTakeover === true,
    serverMaxWindowBits: p.serverMaxWindowBits ?? 15,
    clientMaxWindowBits: clientBits ?? wishes.clientMaxWindowBits ?? 15,
  };
}
