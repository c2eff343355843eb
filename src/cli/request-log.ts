import diagnostics from 'node:diagnostics_channel';
import type { RequestEndMessage } from '../index.js';
import { humanBytes, type Paint, painter, statusStyle } from './paint.js';

const CHANNEL = 'wirekit:http.server.request.end';

/**
 * One access-log line: `time method path status bytes duration`, painted by `paint`. A response
 * that did not reach its end shows `-` for the bytes and says why after the duration, so an
 * abandoned download is not mistaken for a served one (nor for a server fault).
 *
 * @example
 * ```ts
 * formatRequestLine(message, painter(false)); // '03:11:22 GET /docs/a.txt 200 2 B 3.3 ms'
 * ```
 */
export function formatRequestLine(message: RequestEndMessage, paint: Paint, now: Date = new Date()): string {
  const time = now.toTimeString().slice(0, 8);
  const { method, target } = message.request;
  const note = message.bytes >= 0 ? '' : message.clientGone ? ' (client went away)' : ' (response failed)';
  const status = paint(statusStyle(message.status), String(message.status));
  const ms = paint('dim', `${message.durationMs.toFixed(1)} ms`);
  return `${paint('dim', time)} ${paint('bold', method)} ${target} ${status} ${humanBytes(message.bytes)} ${ms}${note === '' ? '' : paint('dim', note)}`;
}

/**
 * Logs every request the server in this process answers; returns the unsubscribe function.
 *
 * @example
 * ```ts
 * const stop = subscribeRequestLog((line) => io.stdout.write(`${line}\n`), colorEnabled(io.stdout, io.env));
 * ```
 */
export function subscribeRequestLog(write: (line: string) => void, color: boolean): () => void {
  const paint = painter(color);
  const onMessage = (message: unknown): void => write(formatRequestLine(message as RequestEndMessage, paint));
  diagnostics.subscribe(CHANNEL, onMessage);
  return () => diagnostics.unsubscribe(CHANNEL, onMessage);
}
