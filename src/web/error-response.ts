import { isWirekitError, WirekitError } from '../errors.js';
import { STATUS_TEXT } from '../http/codec/status.js';
import { Response } from '../http/message/response.js';
import { processWarnings } from '../util/warning-limiter.js';
import { HttpError } from './http-error.js';

/** The status an error answers with: its own for HttpError and 4xx protocol errors, 500 for the rest. */
export function errorStatus(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof WirekitError && error.status !== undefined && error.status >= 400 && error.status < 500) {
    return error.status;
  }
  return 500;
}

/**
 * What an app reports when no `reportErrors` hook is set: errors nobody meant to answer with (a
 * bug, a database down), as a process warning, so a 500 is never silent. HttpErrors and 4xx
 * protocol errors are answers, not faults, and so is a body read that failed because the client
 * left (nobody gets the answer); a warning per such request would let clients flood the log. The
 * warnings that remain are rate-limited per kind (see util/warning-limiter.ts).
 */
export function warnUnexpected(error: unknown): void {
  if (isUnexpected(error)) processWarnings.warn(asError(error));
}

/** Whether an app reports `error` (see {@link warnUnexpected}): a 500 nobody meant to answer with. */
export function isUnexpected(error: unknown): boolean {
  if (error instanceof HttpError || errorStatus(error) < 500) return false;
  return !isWirekitError(error, 'WK_ERR_HTTP_CLIENT_GONE');
}

/** `error` itself when it is an Error, else an Error saying what was thrown. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * The default error response: JSON `{ error, status, ...details }` when the client accepts JSON,
 * else text. Only messages meant for clients (HttpError, and wirekit's own 4xx errors) are shown;
 * anything else is a 500 with the status text, never a message or a stack.
 */
export function errorResponse(error: unknown, accept: string | null): Response {
  const status = errorStatus(error);
  const exposed = status < 500 || error instanceof HttpError;
  const message = exposed && error instanceof Error ? error.message : (STATUS_TEXT[status] ?? 'Error');
  const details = error instanceof HttpError ? error.details : undefined;
  const response = prefersJson(accept)
    ? Response.json({ error: message, status, ...details }, { status })
    : new Response(`${message}\n`, { status });
  return withErrorFields(error, response);
}

/**
 * Adds an HttpError's own fields (`Allow` of a 405, `WWW-Authenticate` of a 401, `Retry-After`)
 * to a response answering with its status, unless the response set them: an app's `onError` that
 * only shapes the body must not drop what the status requires (RFC 9110 §15.5.6: a 405 has Allow).
 *
 * @example
 * ```ts
 * withErrorFields(new HttpError(405, 'no', { headers: { Allow: 'GET' } }), c.json({ oops: true }, 405)); // Allow: GET
 * ```
 */
export function withErrorFields(error: unknown, response: Response): Response {
  if (!(error instanceof HttpError) || response.status !== error.status) return response;
  // Field names are case-insensitive (the iteration keeps the case they were set with).
  const own = new Set(Array.from(response.headers, ([name]) => name.toLowerCase()));
  for (const [name, value] of error.headers) if (!own.has(name.toLowerCase())) response.headers.append(name, value);
  return response;
}

function prefersJson(accept: string | null): boolean {
  if (accept === null) return false;
  const json = accept.indexOf('json');
  if (json === -1) return false;
  const html = accept.indexOf('text/html');
  return html === -1 || json < html;
}
