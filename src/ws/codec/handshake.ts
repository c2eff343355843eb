/**
 * The opening handshake (RFC 6455 §4), pure: which requests may be upgraded and what a refusal
 * answers, and the client's check of the server's answer. Hashing the key (SHA-1) is left to the
 * caller: it needs node:crypto, which a codec does not import.
 */
import { type ExtensionOffer, isToken, parseExtensions } from './extensions.js';

/**
 * Header access the checks need: a case-insensitive `get` that joins repeated fields with ", "
 * (as wirekit's and the WHATWG `Headers` do).
 *
 * @example
 * ```ts
 * checkUpgradeRequest('GET', '1.1', request.headers);
 * ```
 */
export interface HeaderLookup {
  get(name: string): string | null;
}

/**
 * An acceptable upgrade request.
 *
 * @example
 * ```ts
 * const check = checkUpgradeRequest(req.method, req.version, req.headers);
 * if (check.ok) console.log(check.key, check.protocols, check.extensions);
 * ```
 */
export interface UpgradeAccepted {
  ok: true;
  /** `Sec-WebSocket-Key`, to hash into `Sec-WebSocket-Accept`. */
  key: string;
  /** Subprotocols offered, in the client's order of preference. */
  protocols: string[];
  /** Extensions offered; empty when none, or when the field is malformed (declined, not an error). */
  extensions: ExtensionOffer[];
}

/**
 * A refused upgrade request: the status and fields to answer with (RFC 6455 §4.2.2).
 *
 * @example
 * ```ts
 * if (!check.ok) return new Response(check.message, { status: check.status, headers: check.headers });
 * ```
 */
export interface UpgradeRefused {
  ok: false;
  /** 400 for a malformed handshake, 426 for a request that is not one or names another version. */
  status: 400 | 426;
  message: string;
  /** Fields the answer must carry (426: `Upgrade` and `Sec-WebSocket-Version`). */
  headers: Record<string, string>;
}

/** Tokens of a comma-separated field, lower-cased, empty elements skipped. */
function tokens(value: string | null): string[] {
  if (value === null) return [];
  return value
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
}

const UPGRADE_REQUIRED = { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13' };
/** 16 bytes in base64: 22 characters and `==` (RFC 6455 §4.1, item 7). */
const KEY = /^[A-Za-z0-9+/]{22}==$/;

/**
 * Checks an upgrade request against RFC 6455 §4.2.1: `GET` over HTTP/1.1, `Upgrade: websocket` and
 * `Connection: upgrade` (token lists, any case), a `Host`, `Sec-WebSocket-Version: 13` and a
 * `Sec-WebSocket-Key` of 16 base64 bytes. A request that is not an upgrade at all, or asks for
 * another version, gets 426 with `Upgrade: websocket` and `Sec-WebSocket-Version: 13`; a broken one 400.
 *
 * @example
 * ```ts
 * const check = checkUpgradeRequest('GET', '1.1', new Headers({ host: 'x', upgrade: 'websocket', connection: 'Upgrade',
 *   'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' }));
 * check.ok; // true
 * ```
 */
export function checkUpgradeRequest(
  method: string,
  version: string,
  headers: HeaderLookup,
): UpgradeAccepted | UpgradeRefused {
  if (!tokens(headers.get('upgrade')).includes('websocket') || !tokens(headers.get('connection')).includes('upgrade')) {
    return refuse(426, 'this resource is a WebSocket endpoint: send an upgrade request', UPGRADE_REQUIRED);
  }
  if (method !== 'GET') return refuse(400, 'a WebSocket handshake is a GET request');
  if (version !== '1.1') return refuse(400, 'a WebSocket handshake needs HTTP/1.1');
  if (headers.get('sec-websocket-version')?.trim() !== '13') {
    return refuse(426, 'unsupported Sec-WebSocket-Version (this server speaks 13)', UPGRADE_REQUIRED);
  }
  const key = headers.get('sec-websocket-key')?.trim() ?? '';
  if (!KEY.test(key)) return refuse(400, 'missing or malformed Sec-WebSocket-Key');
  if ((headers.get('host') ?? '').trim() === '') return refuse(400, 'missing Host');
  const protocolField = headers.get('sec-websocket-protocol');
  const protocols = protocolField === null ? [] : protocolField.split(',').map((p) => p.trim());
  if (protocols.some((p) => !isToken(p)) || new Set(protocols).size !== protocols.length) {
    return refuse(400, 'malformed Sec-WebSocket-Protocol');
  }
  const extensionField = headers.get('sec-websocket-extensions');
  const extensions = extensionField === null ? [] : (parseExtensions(extensionField) ?? []);
  return { ok: true, key, protocols, extensions };
}

function refuse(status: 400 | 426, message: string, headers: Record<string, string> = {}): UpgradeRefused {
  return { ok: false, status, message, headers };
}

/**
 * What the client offered, for {@link checkUpgradeResponse}.
 *
 * @example
 * ```ts
 * checkUpgradeResponse(101, res.headers, { accept: expectedAccept, protocols: ['chat'] });
 * ```
 */
export interface UpgradeOffer {
  /** The `Sec-WebSocket-Accept` value expected for our key. */
  accept: string;
  /** Subprotocols offered (the answer may pick one of them or none). */
  protocols?: readonly string[];
}

/**
 * The server's answer as the client sees it: accepted with the chosen subprotocol and the
 * extensions answered, or a reason to fail (RFC 6455 §4.1, the client's checks 1-6).
 *
 * @example
 * ```ts
 * const result = checkUpgradeResponse(status, headers, offer);
 * if (!result.ok) throw new WirekitError('WK_ERR_WS_HANDSHAKE', result.message);
 * ```
 */
export type UpgradeAnswer =
  | { ok: true; protocol: string; extensions: ExtensionOffer[] }
  | { ok: false; message: string };

/**
 * Client side: checks a response to an upgrade request.
 *
 * @example
 * ```ts
 * const answer = checkUpgradeResponse(101, headers, { accept: acceptKey(key), protocols: [] });
 * ```
 */
export function checkUpgradeResponse(status: number, headers: HeaderLookup, offer: UpgradeOffer): UpgradeAnswer {
  if (status !== 101) return { ok: false, message: `the server answered ${status} instead of 101` };
  if (!tokens(headers.get('upgrade')).includes('websocket')) return { ok: false, message: 'no Upgrade: websocket' };
  if (!tokens(headers.get('connection')).includes('upgrade')) return { ok: false, message: 'no Connection: upgrade' };
  if (headers.get('sec-websocket-accept')?.trim() !== offer.accept) {
    return { ok: false, message: 'Sec-WebSocket-Accept does not match the key' };
  }
  const protocol = headers.get('sec-websocket-protocol')?.trim() ?? '';
  if (protocol !== '' && !(offer.protocols ?? []).includes(protocol)) {
    return { ok: false, message: `the server chose subprotocol "${protocol}", which was not offered` };
  }
  const field = headers.get('sec-websocket-extensions');
  const extensions = field === null ? [] : parseExtensions(field);
  if (extensions === undefined) return { ok: false, message: 'malformed Sec-WebSocket-Extensions' };
  return { ok: true, protocol, extensions };
}
