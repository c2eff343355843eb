/** Byte helpers shared by every layer. Imports nothing from wirekit. */

const encoder = new TextEncoder();

/** Bytes of a string (UTF-8) or the bytes themselves, without copying when already bytes. */
export function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** Concatenates chunks into one array; returns the only chunk itself when there is one. */
export function concatBytes(chunks: readonly Uint8Array[], totalLength?: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  let length = totalLength ?? 0;
  if (totalLength === undefined) for (const chunk of chunks) length += chunk.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** A `Buffer` view over the same memory as `bytes` (no copy), for Node APIs that want one. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `bytes` decoded as UTF-8 (malformed sequences become U+FFFD), without copying them first. */
export function utf8(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('utf8');
}
