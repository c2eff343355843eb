/**
 * `wirekit serve`'s request log: every request the server in this process answers, as one
 * `request completed` record through a logger (the fields the accessLog middleware logs: method,
 * path, status, bytes, durationMs, remoteAddress), taken from the server's diagnostics channel so
 * that a response cut short says whether the client went away.
 */
import diagnostics from 'node:diagnostics_channel';
import type { RequestEndMessage } from '../index.js';

const CHANNEL = 'wirekit:http.server.request.end';

/**
 * The record of one request.
 *
 * @example
 * ```ts
 * requestFields(message); // { method: 'GET', path: '/', status: 200, bytes: 12, durationMs: 1.5, remoteAddress: '127.0.0.1' }
 * ```
 */
export function requestFields(message: RequestEndMessage): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    method: message.request.method,
    path: message.request.target,
    status: message.status,
    bytes: message.bytes,
    durationMs: Math.round(message.durationMs * 1000) / 1000,
    remoteAddress: message.info.remoteAddress?.address,
  };
  if (message.bytes < 0) {
    fields.incomplete = true;
    fields.clientGone = message.clientGone;
  }
  return fields;
}

/**
 * Logs every request the server in this process answers to `log.info`; returns the unsubscribe
 * function.
 *
 * @example
 * ```ts
 * const stop = subscribeRequestLog(prettyLogger({ write: (l) => io.stdout.write(l), paint }));
 * ```
 */
export function subscribeRequestLog(log: { info(fields: object, msg: string): void }): () => void {
  const onMessage = (message: unknown): void =>
    log.info(requestFields(message as RequestEndMessage), 'request completed');
  diagnostics.subscribe(CHANNEL, onMessage);
  return () => diagnostics.unsubscribe(CHANNEL, onMessage);
}
