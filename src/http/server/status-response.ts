import { STATUS_TEXT } from '../codec/status.js';
import { Response } from '../message/response.js';

/**
 * The server's own answer for a status (malformed request, timeout, handler failure): a short text
 * naming the status and nothing else, so no detail of the failure (a stack, a path) reaches the client.
 */
export function statusResponse(status: number): Response {
  return new Response(`${status} ${STATUS_TEXT[status] ?? 'Error'}\n`, { status });
}
