import { STATUS_TEXT } from '../codec/status.js';
import { Response } from './response.js';

/**
 * The server's own answer for a status (malformed request, timeout, handler failure): a short text
 * naming the status and nothing else, so no detail of the failure (a stack, a path) reaches the client.
 * Shared by the HTTP/1.1 and HTTP/2 engines.
 *
 * @example
 * ```ts
 * statusResponse(408); // 408, text "408 Request Timeout\n"
 * ```
 */
export function statusResponse(status: number): Response {
  return new Response(`${status} ${STATUS_TEXT[status] ?? 'Error'}\n`, { status });
}
