import { assertNever } from '../../util/assert-never.js';
import type { ParserState } from '../codec/head-reader.js';
import type { RequestHead } from '../codec/request-parser.js';
import type { KeepAlive } from './conn-state.js';

/** `close` as an option of a Connection field (RFC 9110 §7.6.1), in any case. */
const CLOSE_OPTION = /(?:^|,)\s*close\s*(?:,|$)/i;

/**
 * True when a Connection field value holds the `close` option.
 *
 * @example
 * ```ts
 * asksToClose('Keep-Alive, Close'); // true
 * ```
 */
export function asksToClose(connection: string | null): boolean {
  return connection !== null && CLOSE_OPTION.test(connection);
}

/**
 * Whether the connection stays open after the response to one request (RFC 9112 §9.3, §9.6):
 * - not when the request did not allow it (`Connection: close`, HTTP/1.0 without keep-alive, CONNECT)
 *   or the handler's response asks to close (`Connection: close`);
 * - not for the last request in hand once no request may follow (`draining`, `closing`, `last`;
 *   `lastInHand`: no other request is served after this one, see the connection's rule per state);
 * - not when the request body was not read to its end and more of it than `maxDiscardBytes` may
 *   still come (`unreadBodyBytes` is an upper bound: 0 once the body ended, `Infinity` when its size
 *   is unknown or when the client, never sent `100 Continue`, may not send it at all: then no one
 *   can tell where the next request starts).
 *
 * @example
 * ```ts
 * keepAliveAfter(true, null, 'open', true, 0, 65_536); // true
 * keepAliveAfter(true, 'close', 'open', true, 0, 65_536); // false: the handler asked to close
 * ```
 */
export function keepAliveAfter(
  requestAllows: boolean,
  responseConnection: string | null,
  state: KeepAlive,
  lastInHand: boolean,
  unreadBodyBytes: number,
  maxDiscardBytes: number,
): boolean {
  if (!requestAllows || asksToClose(responseConnection)) return false;
  switch (state) {
    case 'open':
      break;
    case 'draining':
    case 'closing':
    case 'last':
      if (lastInHand) return false;
      break;
    default:
      assertNever(state);
  }
  return unreadBodyBytes <= maxDiscardBytes;
}

/**
 * An upper bound of the body bytes still to come for a request whose body is arriving: its
 * Content-Length, or `Infinity` for a chunked body, or for a `100-continue` request that was never
 * sent `100 Continue` (its client may never send the body).
 *
 * @example
 * ```ts
 * unreadBodyBound(head, ex.continueSent); // e.g. 1024 for `Content-Length: 1024`
 * ```
 */
export function unreadBodyBound(
  head: Pick<RequestHead, 'expectContinue' | 'framing' | 'contentLength'>,
  continueSent: boolean,
): number {
  if (head.expectContinue && !continueSent) return Number.POSITIVE_INFINITY;
  return head.framing === 'length' ? head.contentLength : Number.POSITIVE_INFINITY;
}

/**
 * True when no request after the one being answered has begun: no head waits in the backlog
 * (`backlogHasHead`) and the parser holds no part of another request: it is idle between
 * requests, inside the body of the request being answered (`inItsBody`), or done for good.
 *
 * @example
 * ```ts
 * noneBegunAfter('head', false, false, false); // false: a head has begun to arrive
 * ```
 */
export function noneBegunAfter(
  parserState: ParserState,
  parserIdle: boolean,
  backlogHasHead: boolean,
  inItsBody: boolean,
): boolean {
  if (backlogHasHead) return false;
  switch (parserState) {
    case 'head':
      return parserIdle;
    case 'body':
      return inItsBody;
    case 'closed':
    case 'error':
      return true;
    case 'paused':
      return false;
    default:
      return assertNever(parserState);
  }
}
