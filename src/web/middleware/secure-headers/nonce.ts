import { nodeCrypto } from '../../../http/message/node-crypto.js';

/** 128 bits, as CSP3 §7.3 asks of a nonce. */
const NONCE_BYTES = 16;
/** Nonces drawn from the system's generator at once. */
const POOL_NONCES = 256;

let pool: Buffer | undefined;
let next = POOL_NONCES;

/**
 * A fresh CSP nonce: 16 bytes from the system's cryptographic generator, base64 (the nonce-source
 * grammar). The bytes of 256 nonces are drawn in one `randomFillSync` and each used once: a
 * `randomBytes(16)` per request costs about 14 µs, a slice of the pool under 1 µs (as Node's own
 * `randomUUID` caches its randomness).
 *
 * @example
 * ```ts
 * freshNonce(); // 'q3v0mZ6yVn6lY3Pp0X6o6A=='
 * ```
 */
export function freshNonce(): string {
  if (next === POOL_NONCES) {
    pool ??= Buffer.allocUnsafe(NONCE_BYTES * POOL_NONCES);
    nodeCrypto().randomFillSync(pool);
    next = 0;
  }
  const start = next++ * NONCE_BYTES;
  return (pool as Buffer).toString('base64', start, start + NONCE_BYTES);
}
