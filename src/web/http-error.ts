import { WirekitError } from '../errors.js';
import { STATUS_TEXT } from '../http/codec/status.js';
import { Headers, type HeadersInit } from '../http/message/headers.js';

/** Options of an {@link HttpError}. */
export interface HttpErrorOptions {
  /** Fields added to the error response (e.g. `WWW-Authenticate`, `Retry-After`). */
  headers?: HeadersInit;
  /** Extra JSON members of the error body (e.g. which field failed). Never put secrets here. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Throw it anywhere in a handler or middleware to answer with `status`: the message is shown to the
 * client (as JSON or text, by `Accept`), so it must be safe to show. Any other error becomes a 500
 * whose message is never shown.
 *
 * @example
 * ```ts
 * app.get('/items/:id', (c) => {
 *   const item = items.get(c.req.param('id'));
 *   if (!item) throw new NotFoundError('no such item');
 *   return item;
 * });
 * ```
 */
export class HttpError extends WirekitError {
  declare readonly status: number;
  readonly headers: Headers;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, message?: string, options: HttpErrorOptions = {}) {
    super('WK_ERR_HTTP_STATUS', message ?? STATUS_TEXT[status] ?? 'Error', { status, cause: options.cause });
    this.headers = new Headers(options.headers);
    this.details = options.details;
  }
}

/** 400 Bad Request. */
export class BadRequestError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(400, message, options);
  }
}

/** 401 Unauthorized. */
export class UnauthorizedError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(401, message, options);
  }
}

/** 403 Forbidden. */
export class ForbiddenError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(403, message, options);
  }
}

/** 404 Not Found. */
export class NotFoundError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(404, message, options);
  }
}

/** 409 Conflict. */
export class ConflictError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(409, message, options);
  }
}

/** 413 Content Too Large. */
export class PayloadTooLargeError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(413, message, options);
  }
}

/** 422 Unprocessable Content. */
export class UnprocessableError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(422, message, options);
  }
}

/** 429 Too Many Requests. */
export class TooManyRequestsError extends HttpError {
  constructor(message?: string, options?: HttpErrorOptions) {
    super(429, message, options);
  }
}
