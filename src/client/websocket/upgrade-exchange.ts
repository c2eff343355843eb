/**
 * The HTTP half of a client's opening handshake: the upgrade request written on a new connection,
 * and the server's answer read with the HTTP codec, under one deadline and the caller's signal. A
 * 101 ends at its head (what follows is WebSocket frames); any other answer is read with its body
 * (up to {@link MAX_REFUSAL_BODY_BYTES}) so the error can show what the server said.
 */
import { TimeoutError, WirekitError } from '../../errors.js';
import { serializeRequestHead } from '../../http/codec/request-serializer.js';
import { type ResponseHead, ResponseParser } from '../../http/codec/response-parser.js';
import { Headers } from '../../http/message/headers.js';
import { Response } from '../../http/message/response.js';
import { abortedError } from '../../net/addresses.js';
import type { Connection } from '../../net/connection.js';
import { timerWheel } from '../../util/timer-wheel.js';
import { WebSocketHandshakeError } from '../../ws/handshake-error.js';

/**
 * Most bytes of a refusal's body kept for the error (`error.response`); the rest is not read.
 *
 * @example
 * ```ts
 * const text = await error.response?.text(); // at most MAX_REFUSAL_BODY_BYTES of it
 * ```
 */
export const MAX_REFUSAL_BODY_BYTES = 64 * 1024;

/**
 * The upgrade request to write.
 *
 * @example
 * ```ts
 * await exchangeUpgrade(conn, { head: upgradeRequestHead('/chat', 'example.com', fields), timeoutMs: 10_000 });
 * ```
 */
export interface UpgradeRequest {
  /** The request head, from {@link upgradeRequestHead}. */
  readonly head: string;
  /** From writing the request to the end of the answer's head; 0 for none. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * The server's answer: as a `Response` (no body for a 101), the bytes read past a 101's head, and
 * the error to throw when the answer is not acceptable.
 *
 * @example
 * ```ts
 * const { response, rest } = await exchangeUpgrade(conn, request);
 * ```
 */
export interface UpgradeExchange {
  readonly response: Response;
  readonly rest: Uint8Array;
  refused(reason: string): WebSocketHandshakeError;
}

/**
 * Writes the upgrade request on `conn` and reads the answer. On any failure (timeout:
 * `WK_ERR_WS_HANDSHAKE_TIMEOUT`; abort: `WK_ERR_ABORTED`; a malformed answer or a closed
 * connection: `WK_ERR_WS_HANDSHAKE`) the connection is destroyed.
 *
 * @example
 * ```ts
 * const exchange = await exchangeUpgrade(conn, { head, timeoutMs: 10_000 });
 * if (exchange.response.status !== 101) throw exchange.refused('not upgraded');
 * ```
 */
export async function exchangeUpgrade(conn: Connection, request: UpgradeRequest): Promise<UpgradeExchange> {
  const where = { remoteAddress: conn.remoteAddress, localAddress: conn.localAddress };
  let failure: WirekitError | undefined;
  const fail = (error: WirekitError): void => {
    failure ??= error;
    conn.destroy();
  };
  const timer =
    request.timeoutMs > 0
      ? timerWheel.after(request.timeoutMs, () =>
          fail(
            new TimeoutError(
              'WK_ERR_WS_HANDSHAKE_TIMEOUT',
              `no answer to the WebSocket upgrade within ${request.timeoutMs} ms`,
              where,
            ),
          ),
        )
      : undefined;
  const signal = request.signal;
  const onAbort = (): void => fail(abortedError(signal as AbortSignal, where));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (failure === undefined) conn.send(request.head, 'latin1');
    return await readAnswer(conn, () => failure);
  } catch (error) {
    conn.destroy();
    throw failure ?? asHandshakeError(error);
  } finally {
    timer?.cancel();
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The upgrade request's head (RFC 6455 §4.1): `GET target`, `Host`, the caller's fields and the
 * handshake's, `Upgrade: websocket` and `Connection: upgrade`. Checked as every request head the
 * client writes is (a CR or LF in a value throws), before any connection is opened.
 *
 * @example
 * ```ts
 * const head = upgradeRequestHead('/chat', 'example.com', ['Sec-WebSocket-Key', key, 'Sec-WebSocket-Version', '13']);
 * ```
 */
export function upgradeRequestHead(target: string, host: string, headers: readonly string[]): string {
  return serializeRequestHead({ method: 'GET', target, host, headers, bodyLength: 'none', upgrade: 'websocket' });
}

async function readAnswer(conn: Connection, failed: () => WirekitError | undefined): Promise<UpgradeExchange> {
  const parser = new ResponseParser({ maxBodyBytes: Number.MAX_SAFE_INTEGER });
  parser.expect('GET');
  let head: ResponseHead | undefined;
  const body: Uint8Array[] = [];
  let bodyBytes = 0;
  for (;;) {
    const failure = failed();
    if (failure !== undefined) throw failure;
    const chunk = await conn.read();
    const events = chunk === null ? parser.finish() : parser.push(chunk);
    for (const event of events) {
      if (event.type === 'error') throw handshakeError('the answer to the upgrade is not valid HTTP', event.error);
      if (event.type === 'head') {
        if (event.interim) continue;
        head = event;
        if (event.status === 101) return answer(event, [], parser.takeHeld());
      } else if (event.type === 'body' && bodyBytes < MAX_REFUSAL_BODY_BYTES) {
        const part = event.data.subarray(0, MAX_REFUSAL_BODY_BYTES - bodyBytes);
        body.push(Buffer.from(part));
        bodyBytes += part.length;
      } else if (event.type === 'end' && head !== undefined) {
        return answer(head, body, new Uint8Array(0));
      }
    }
    if (head !== undefined && bodyBytes >= MAX_REFUSAL_BODY_BYTES) return answer(head, body, new Uint8Array(0));
    if (chunk === null) {
      if (head !== undefined) return answer(head, body, new Uint8Array(0));
      throw handshakeError('the server closed the connection before answering the upgrade');
    }
  }
}

function answer(head: ResponseHead, body: Uint8Array[], rest: Uint8Array): UpgradeExchange {
  const response = new Response(body.length === 0 ? null : Buffer.concat(body), {
    status: head.status,
    headers: Headers.fromRaw([...head.headers]),
  });
  return {
    response,
    rest,
    refused: (reason) => new WebSocketHandshakeError(`the WebSocket upgrade was refused: ${reason}`, response),
  };
}

function handshakeError(message: string, cause?: unknown): WebSocketHandshakeError {
  return new WebSocketHandshakeError(message, undefined, cause);
}

function asHandshakeError(error: unknown): WirekitError {
  if (error instanceof WirekitError && error.code !== 'WK_ERR_SOCKET_CLOSED' && error.code !== 'WK_ERR_SOCKET') {
    return error;
  }
  return handshakeError(`the WebSocket upgrade failed: ${String((error as Error)?.message ?? error)}`, error);
}
