/** Test payloads. */

/** `n` bytes of a pattern that shows loss and reordering (not all zeros, not periodic in 256). */
export function pattern(n: number, seed = 0): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed + (i >>> 8)) & 0xff;
  return out;
}
