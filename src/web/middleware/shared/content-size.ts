import type { BodyContent } from '../../../http/message/body.js';

/**
 * The size in bytes of a body the response holds whole (text, bytes, nothing); undefined for a
 * stream, whose size is known only once it has been sent.
 *
 * @example
 * ```ts
 * knownSize(res.peekContent()); // 5 for 'héllo' (UTF-8), undefined for an async iterable
 * ```
 */
export function knownSize(content: BodyContent): number | undefined {
  if (content === null) return 0;
  if (typeof content === 'string') return Buffer.byteLength(content);
  if (content instanceof Uint8Array) return content.byteLength;
  return undefined;
}
