import { WirekitError } from '../../errors.js';

/**
 * Parser limits (docs/architecture.md, Rules). Every buffer and count the codec keeps is bounded by one of
 * these; crossing one is a ProtocolError with the status RFC 9110 gives it.
 */
export interface ParserLimits {
  /** Longest request line (or status line), in bytes, CRLF excluded. Default 8 KiB; over it: 414. */
  maxRequestLineBytes: number;
  /** Largest head (start line + fields + CRLFs). Default 16 KiB; over it: 431. */
  maxHeadBytes: number;
  /**
   * Most header fields in one head, and most trailer fields. Default 256; over it: 431. Requests that
   * went through a few proxies carry 100 fields and more (node:http allows 2000, nginx and Go limit
   * only bytes); the count still bounds the per-field work (two strings each, scanned by
   * `Headers.get`) that `maxHeadBytes` alone would allow 4,000 times over.
   */
  maxHeaderCount: number;
  /** Largest body the parser lets through. Default unlimited (servers limit buffered reads); over it: 413. */
  maxBodyBytes: number;
  /** Most chunk-extension bytes in one chunk-size line. Default 1 KiB; over it: 413. */
  maxChunkExtensionBytes: number;
}

export const DEFAULT_LIMITS: Readonly<ParserLimits> = Object.freeze({
  maxRequestLineBytes: 8 * 1024,
  maxHeadBytes: 16 * 1024,
  maxHeaderCount: 256,
  maxBodyBytes: Number.POSITIVE_INFINITY,
  maxChunkExtensionBytes: 1024,
});

/** Fills the limits not given with the defaults; refuses negative or non-numeric values. */
export function resolveLimits(partial: Partial<ParserLimits> = {}): ParserLimits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ParserLimits)[]) {
    const value = partial[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new WirekitError(
        'WK_ERR_INVALID_ARGUMENT',
        `limit ${key} must be a non-negative number, got ${String(value)}`,
      );
    }
    out[key] = value;
  }
  return out;
}
