import diagnostics from 'node:diagnostics_channel';

/**
 * `node:diagnostics_channel` channels of WebSocket connections (observed without a logger in the core). Messages are
 * built only when someone subscribes.
 *
 * @example
 * ```ts
 * import diagnostics from 'node:diagnostics_channel';
 * diagnostics.subscribe('wirekit:ws.close', (m) => console.log(m));
 * ```
 */
export const webSocketChannels = {
  /** `{ ws }` when a connection opens (before its `open` handler runs). */
  open: diagnostics.channel('wirekit:ws.open'),
  /**
   * `{ ws, code, reason, bytesIn, bytesOut, durationMs }` when it has closed: the close code it
   * reports (1006 when no close frame was exchanged), and the bytes of frames in and out.
   */
  close: diagnostics.channel('wirekit:ws.close'),
  /** `{ ws, error }` for a protocol violation by the peer, a limit, a timeout or a handler failure. */
  error: diagnostics.channel('wirekit:ws.error'),
};

/**
 * The message of `wirekit:ws.close`.
 *
 * @example
 * ```ts
 * diagnostics.subscribe('wirekit:ws.close', (m) => console.log((m as WebSocketCloseMessage).code));
 * ```
 */
export interface WebSocketCloseMessage {
  ws: unknown;
  code: number;
  reason: string;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
}
