import type { AccessEvent } from './event.js';

/**
 * One access-log line, `time method path status bytes ms`, for a terminal or a log file: the time
 * in ISO 8601 UTC, `-` for unknown bytes, and bytes outside visible ASCII in the path
 * percent-encoded so a crafted path cannot forge or split log lines.
 *
 * @example
 * ```ts
 * formatAccessLine(event); // '2024-05-01T12:00:00.000Z GET /items 200 1432 3.1ms'
 * ```
 */
export function formatAccessLine(event: AccessEvent): string {
  const bytes = event.bytes === undefined ? '-' : String(event.bytes);
  const time = new Date(event.time).toISOString();
  const line = `${time} ${event.method} ${printable(event.path)} ${event.status} ${bytes} ${event.durationMs.toFixed(1)}ms`;
  return event.incomplete === true ? `${line} incomplete` : line;
}

function printable(text: string): string {
  return text.replace(/[^\x21-\x7e]/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}
