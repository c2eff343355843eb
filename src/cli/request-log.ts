import diagnostics from 'node:diagnostics_channel';
import type { RequestEndMessage } from '../index.js';

const CHANNEL = 'wirekit:http.server.request.end';

/** `1.2 KiB`-style sizes for log lines. */
export function humanBytes(bytes: number): string {
  if (bytes < 0) return '-';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const paint = (code: number, text: string): string => `\x1b[${code}m${text}\x1b[0m`;

function statusColor(status: number): number {
  if (status >= 500) return 31;
  if (status >= 400) return 33;
  if (status >= 300) return 36;
  return 32;
}

/**
 * One access-log line: `time method path status bytes duration`, coloured for a terminal. A response
 * that did not reach its end shows `-` for the bytes and says why after the duration, so an
 * abandoned download is not mistaken for a served one (nor for a server fault).
 */
export function formatRequestLine(message: RequestEndMessage, color: boolean, now: Date = new Date()): string {
  const time = now.toTimeString().slice(0, 8);
  const { method, target } = message.request;
  const status = String(message.status);
  const size = humanBytes(message.bytes);
  const ms = `${message.durationMs.toFixed(1)} ms`;
  const note = message.bytes >= 0 ? '' : message.clientGone ? ' (client went away)' : ' (response failed)';
  if (!color) return `${time} ${method} ${target} ${status} ${size} ${ms}${note}`;
  return `${paint(2, time)} ${paint(1, method)} ${target} ${paint(statusColor(message.status), status)} ${size} ${paint(2, ms)}${note === '' ? '' : paint(2, note)}`;
}

/** Logs every request the server in this process answers; returns the unsubscribe function. */
export function subscribeRequestLog(write: (line: string) => void, color: boolean): () => void {
  const onMessage = (message: unknown): void => write(formatRequestLine(message as RequestEndMessage, color));
  diagnostics.subscribe(CHANNEL, onMessage);
  return () => diagnostics.unsubscribe(CHANNEL, onMessage);
}
