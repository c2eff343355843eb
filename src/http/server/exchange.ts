import { assertNever } from '../../util/assert-never.js';
import { timerWheel } from '../../util/timer-wheel.js';
import type { RequestHead } from '../codec/request-parser.js';
import type { BodyStream } from '../message/body-stream.js';
import { adopt } from '../message/headers.js';
import { Request } from '../message/request.js';
import type { Response } from '../message/response.js';

/**
 * Where the answer to one request is.
 * - `pending`: the handler is working on it;
 * - `handler`: the handler's response waits in line;
 * - `server`: the server answered for the handler (a malformed body, a timeout, a handler that
 *   failed): whatever the handler returns later is dropped;
 * - `writing`: the response has started going out;
 * - `written`: it has been handed to the socket in full;
 * - `upgraded`: the handler took the connection with `info.upgrade()`: no response is written.
 */
export type Answer = 'pending' | 'handler' | 'server' | 'writing' | 'written' | 'upgraded';

/** What changes an {@link Answer}. */
export type AnswerEvent =
  /** The handler returned a response. */
  | 'handler-answered'
  /** The server answers in the handler's place. */
  | 'server-answered'
  /** The response starts going out. */
  | 'write'
  /** The response could not be serialized: nothing was sent, it must be answered again. */
  | 'unwritable'
  /** The response was handed to the socket. */
  | 'written'
  /** The handler took the connection. */
  | 'upgrade';

/**
 * The one transition function of {@link Answer}.
 *
 * @example
 * ```ts
 * nextAnswer('pending', 'handler-answered'); // 'handler'
 * ```
 */
export function nextAnswer(state: Answer, event: AnswerEvent): Answer {
  switch (event) {
    case 'handler-answered':
      return state === 'pending' ? 'handler' : state;
    case 'server-answered':
      return state === 'pending' || state === 'handler' ? 'server' : state;
    case 'write':
      return state === 'handler' || state === 'server' ? 'writing' : state;
    case 'unwritable':
      return state === 'writing' ? 'pending' : state;
    case 'written':
      return state === 'writing' ? 'written' : state;
    case 'upgrade':
      return state === 'pending' ? 'upgraded' : state;
    default:
      return assertNever(event);
  }
}

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
  answer: Answer = 'pending';
  /** `100 Continue` was sent for an `Expect: 100-continue` request. */
  continueSent = false;
  /** When the exchange started, for diagnostics. */
  readonly startedAt: number;

  constructor(head: RequestHead, request: Request, body: BodyStream | undefined, startedAt: number) {
    this.head = head;
    this.request = request;
    this.body = body;
    this.startedAt = startedAt;
  }

  /** True once the response has started going out (it can no longer be replaced). */
  get started(): boolean {
    return this.answer === 'writing' || this.answer === 'written';
  }

  /** True when a response waits in line to be written. */
  get ready(): boolean {
    return this.answer === 'handler' || this.answer === 'server';
  }
}

/**
 * The exchange of a parsed request head: its `Request`, reading `body` (undefined when the head
 * announced none), started now on the process clock (for diagnostics).
 *
 * @example
 * ```ts
 * const ex = exchangeFor(head, undefined, 1024 * 1024, false);
 * ```
 */
export function exchangeFor(
  head: RequestHead,
  body: BodyStream | undefined,
  maxBodyBytes: number,
  secure: boolean,
): Exchange {
  const request = new Request(head.target, {
    method: head.method,
    version: head.version,
    headers: adopt(head.headers as string[]),
    body,
    maxBodyBytes,
    protocol: secure ? 'https' : 'http',
  });
  return new Exchange(head, request, body, timerWheel.now());
}

/**
 * The head an error response answers when no request head was complete (a malformed or timed-out
 * head): it closes the connection.
 *
 * @example
 * ```ts
 * const bad = new Exchange(syntheticHead(), new Request('/'), undefined, now);
 * ```
 */
export function syntheticHead(): RequestHead {
  return {
    type: 'head',
    method: 'GET',
    target: '/',
    version: '1.1',
    headers: [],
    keepAlive: false,
    framing: 'none',
    contentLength: 0,
    expectContinue: false,
    expect: undefined,
    upgrade: false,
  };
}
