/**
 * Telling HTTP/2 with prior knowledge from HTTP/1.1 on one cleartext port: an h2c client opens
 * with the connection preface (RFC 9113 §3.4), which no HTTP/1.1 request starts with (its method
 * `PRI` and version `HTTP/2.0` are refused by every HTTP/1.1 server, by design).
 */

/** The client connection preface: `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n` (24 bytes). */
export const H2_PREFACE: Uint8Array = new TextEncoder().encode('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * What the first bytes of a connection say: `'h2'` (the whole preface is there), `'http1'` (they
 * differ from it), or `'more'` (so far they match but are shorter than the preface).
 *
 * @example
 * ```ts
 * matchPreface(new TextEncoder().encode('GET / HTTP/1.1\r\n')); // 'http1'
 * matchPreface(new TextEncoder().encode('PRI * HTTP/2.0\r\n')); // 'more'
 * ```
 */
export function matchPreface(chunks: readonly Uint8Array[]): 'h2' | 'http1' | 'more' {
  let at = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.byteLength && at < H2_PREFACE.byteLength; i++, at++) {
      if (chunk[i] !== H2_PREFACE[at]) return 'http1';
    }
    if (at === H2_PREFACE.byteLength) return 'h2';
  }
  return 'more';
}
