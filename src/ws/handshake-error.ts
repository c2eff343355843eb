import { WirekitError } from '../errors.js';
import type { Response } from '../http/message/response.js';

/**
 * A WebSocket opening handshake that failed (`WK_ERR_WS_HANDSHAKE`): refused by the server (its
 * status is `status`, its whole answer `response`) or answered in a way the client must not accept.
 *
 * @example
 * ```ts
 * try { await app.connect('/chat'); }
 * catch (err) { if (err instanceof WebSocketHandshakeError) console.log(err.status, await err.response?.text()); }
 * ```
 */
export class WebSocketHandshakeError extends WirekitError {
  /** The server's answer, when it refused the upgrade. */
  readonly response: Response | undefined;

  constructor(message: string, response?: Response, cause?: unknown) {
    super('WK_ERR_WS_HANDSHAKE', message, response === undefined ? { cause } : { cause, status: response.status });
    this.response = response;
  }
}
