/**
 * Masking keys for client frames (RFC 6455 §5.3: "derived from a strong source of entropy"), drawn
 * four bytes at a time from a pool refilled by the CSPRNG, so a frame costs no syscall. A key is
 * copied into its frame header at once, so the pool may be refilled afterwards.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 8 * 1024;
const pool = Buffer.alloc(POOL_BYTES);
let at = POOL_BYTES;

/**
 * Four fresh random bytes (a view of the pool: use them before the next call).
 *
 * @example
 * ```ts
 * serializeFrame(Opcode.Binary, bytes, { maskKey: nextMaskKey() });
 * ```
 */
export function nextMaskKey(): Buffer {
  if (at + 4 > POOL_BYTES) {
    randomFillSync(pool);
    at = 0;
  }
  const key = pool.subarray(at, at + 4);
  at += 4;
  return key;
}
