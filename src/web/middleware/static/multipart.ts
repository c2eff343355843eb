import { nodeCrypto } from '../../../http/message/node-crypto.js';
import type { BodySegment } from './file-body.js';
import type { ByteRange } from './range.js';

/** A `multipart/byteranges` body laid out as segments, with its exact length and Content-Type. */
export interface MultipartBody {
  readonly segments: readonly BodySegment[];
  readonly length: number;
  readonly contentType: string;
}

/**
 * Lays out a `multipart/byteranges` body (RFC 9110 §14.6): each part has the file's Content-Type and
 * its own Content-Range, parts are in the order the ranges were asked for, and the whole length is
 * known up front so the response is length-delimited. The boundary is random, so file content cannot
 * forge a part boundary.
 *
 * @example
 * ```ts
 * const body = multipartByteranges([{ start: 0, end: 9 }, { start: 90, end: 99 }], 100, 'text/plain');
 * // body.contentType === 'multipart/byteranges; boundary=…'
 * ```
 */
export function multipartByteranges(ranges: readonly ByteRange[], size: number, type: string): MultipartBody {
  const boundary = nodeCrypto().randomBytes(16).toString('hex');
  const segments: BodySegment[] = [];
  let length = 0;
  ranges.forEach((range, i) => {
    const head = Buffer.from(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${type}\r\n` +
        `Content-Range: bytes ${range.start}-${range.end}/${size}\r\n\r\n`,
      'latin1',
    );
    segments.push(head, range);
    length += head.byteLength + range.end - range.start + 1;
  });
  const close = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  segments.push(close);
  length += close.byteLength;
  return { segments, length, contentType: `multipart/byteranges; boundary=${boundary}` };
}
