import type { RequestHead } from '../codec/request-parser.js';
import type { BodyStream } from '../message/body-stream.js';
import type { Request } from '../message/request.js';
import type { Response } from '../message/response.js';

/**
 * One request and its response on a connection. Exchanges queue in request order; responses leave
 * in that order whatever order handlers finish in (pipelining, RFC 9112 §9.3.2).
 */
export class Exchange {
  readonly head: RequestHead;
  readonly request: Request;
  /** The body the handler reads; undefined for requests without one. */
  readonly body: BodyStream | undefined;
  /** The response to write, once the handler (or the server, for errors) has produced it. */
  response: Response | undefined = undefined;
  /** The server answered for the handler (a malformed body, a timeout): the handler's response is dropped. */
  forced = false;
  /** The response has started going out. */
  writing = false;
  /** The request body was received to its end. */
  bodyDone: boolean;
  /** Body bytes still arriving after the response are read and dropped. */
  discarding = false;
  discardedBytes = 0;
  /** `100 Continue` was sent (or is owed) for an `Expect: 100-continue` request. */
  continueSent = false;
  /** The handler took the connection with `info.upgrade()`. */
  upgraded = false;
  /** Close the connection after this response. */
  closeAfter = false;
  /** When the exchange started, for diagnostics. */
  readonly startedAt: number;

  constructor(head: RequestHead, request: Request, body: BodyStream | undefined, startedAt: number) {
    this.head = head;
    this.request = request;
    this.body = body;
    this.bodyDone = body === undefined;
    this.startedAt = startedAt;
  }
}
