/**
 * Options of the HTTP/2 engine (`serve(handler, { http2Options })`), their defaults, and the
 * `node:http2` settings they become. Every limit has a default (docs/architecture.md, Rules).
 */
import type { ServerOptions } from 'node:http2';
import { duration, integer, OptionsSchema } from '../../util/options.js';

/**
 * HTTP/2 limits of a server. The header limits, body limits and timeouts of `serve()` apply too:
 * `maxHeadBytes` and `maxHeaderCount` bound each header list, `bodyHighWaterBytes` is each stream's
 * receive window, `idleTimeoutMs` closes a connection with no open stream.
 *
 * @example
 * ```ts
 * await serve(app.handler, { http2: 'h2c', http2Options: { maxConcurrentStreams: 250 } });
 * ```
 */
export interface Http2Options {
  /** Streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS). Default 100. */
  maxConcurrentStreams?: number;
  /**
   * Streams a client may reset (RST_STREAM) before their response is complete, per
   * `resetWindowMs`; one more is the rapid-reset attack (CVE-2023-44487): GOAWAY
   * ENHANCE_YOUR_CALM and the connection is closed. Default 200.
   */
  maxResetsPerWindow?: number;
  /** The window of `maxResetsPerWindow`. Default 1 000 ms. */
  resetWindowMs?: number;
  /** How long a client has to acknowledge our SETTINGS; then GOAWAY SETTINGS_TIMEOUT (RFC 9113 §6.5.3). Default 10 000 ms. */
  settingsTimeoutMs?: number;
  /** Receive window of the whole connection (all streams' request bodies together). Default 1 MiB. */
  connectionWindowBytes?: number;
  /**
   * Memory node:http2 may hold for one connection (its frame buffers, HPACK tables, queued
   * writes); over it new streams are refused (`maxSessionMemory`). Default 10 MiB.
   */
  maxSessionMemoryMiB?: number;
}

/**
 * Defaults of {@link Http2Options}.
 *
 * @example
 * ```ts
 * await serve(handler, { http2: 'h2c', http2Options: { maxConcurrentStreams: HTTP2_DEFAULTS.maxConcurrentStreams * 2 } });
 * ```
 */
export const HTTP2_DEFAULTS = Object.freeze({
  maxConcurrentStreams: 100,
  maxResetsPerWindow: 200,
  resetWindowMs: 1_000,
  settingsTimeoutMs: 10_000,
  connectionWindowBytes: 1024 * 1024,
  maxSessionMemoryMiB: 10,
});

/** {@link Http2Options} with every default filled in. */
export type ResolvedHttp2Options = { readonly [K in keyof typeof HTTP2_DEFAULTS]: number };

/** The largest flow-control window HTTP/2 can express (RFC 9113 §6.9.1). */
const MAX_WINDOW = 2 ** 31 - 1;

/**
 * The checks of {@link Http2Options} (util/options.ts: unknown keys and bad values fail at the call).
 *
 * @example
 * ```ts
 * HTTP2_OPTIONS.check({ maxConcurrentStreams: 50 });
 * ```
 */
export const HTTP2_OPTIONS = new OptionsSchema<Http2Options>('serve() http2Options', {
  maxConcurrentStreams: integer(1, MAX_WINDOW),
  maxResetsPerWindow: integer(0),
  resetWindowMs: duration(),
  settingsTimeoutMs: duration(),
  connectionWindowBytes: integer(65_535, MAX_WINDOW),
  maxSessionMemoryMiB: integer(1, 1 << 20),
});

/**
 * Fills the defaults of `options` (checked by {@link HTTP2_OPTIONS} first).
 *
 * @example
 * ```ts
 * const resolved = resolveHttp2Options({ maxConcurrentStreams: 50 });
 * ```
 */
export function resolveHttp2Options(options: Http2Options = {}): ResolvedHttp2Options {
  HTTP2_OPTIONS.check(options);
  const out: Record<keyof typeof HTTP2_DEFAULTS, number> = { ...HTTP2_DEFAULTS };
  for (const key of Object.keys(HTTP2_DEFAULTS) as (keyof typeof HTTP2_DEFAULTS)[]) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The server-wide limits of `serve()` that the HTTP/2 settings are derived from. */
export interface H2HeaderLimits {
  /** Largest request head (HTTP/1.1 terms); the header list may hold this plus 32 bytes per field. */
  readonly maxHeadBytes: number;
  readonly maxHeaderCount: number;
  /** Unread body bytes a stream may buffer: its receive window. */
  readonly bodyHighWaterBytes: number;
}

/**
 * The `node:http2` server options for `options` and `limits`. HTTP/2 counts a header list as the
 * sum of name, value and 32 bytes per field (RFC 9113 §6.5.2), so the head limit of HTTP/1.1 is
 * widened by 32 bytes per allowed field to accept the same requests.
 *
 * @example
 * ```ts
 * http2.createServer(nodeServerOptions(resolveHttp2Options(), { maxHeadBytes: 16384, maxHeaderCount: 100, bodyHighWaterBytes: 65536 }));
 * ```
 */
export function nodeServerOptions(options: ResolvedHttp2Options, limits: H2HeaderLimits): ServerOptions {
  return {
    maxSessionMemory: options.maxSessionMemoryMiB,
    // Pseudo-header fields count as pairs too (at most 5 in a request).
    maxHeaderListPairs: limits.maxHeaderCount + 8,
    settings: {
      maxConcurrentStreams: options.maxConcurrentStreams,
      maxHeaderListSize: Math.min(limits.maxHeadBytes + 32 * limits.maxHeaderCount, MAX_WINDOW),
      initialWindowSize: Math.min(Math.max(limits.bodyHighWaterBytes, 1), MAX_WINDOW),
      enableConnectProtocol: false,
    },
  };
}
