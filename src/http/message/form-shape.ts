/**
 * A form's shape read from its raw bytes, before any parsing: how many parts it has and how large
 * the largest one is. Parsing a multipart body costs time per part, so a body of 10 MiB holding
 * 100,000 tiny fields would cost half a second of CPU before `maxFields` could refuse it; counting
 * delimiters with `Buffer#indexOf` costs a few milliseconds. Imports nothing.
 */

/**
 * Parts and the largest part's size (delimiters excluded, part headers included) of a
 * `multipart/form-data` body with `boundary`; `undefined` when the body does not start as one (the
 * parser then reports it malformed).
 *
 * @example
 * ```ts
 * multipartShape(Buffer.from('--b\r\nA\r\n--b\r\nBB\r\n--b--\r\n'), 'b'); // { parts: 2, largest: 2 }
 * ```
 */
export function multipartShape(body: Buffer, boundary: string): { parts: number; largest: number } | undefined {
  const delimiter = `\r\n--${boundary}`;
  const first = body.indexOf(delimiter.slice(2));
  if (first === -1) return undefined;
  let parts = 0;
  let largest = 0;
  let start = first + delimiter.length - 2;
  for (let next = body.indexOf(delimiter, start); next !== -1; next = body.indexOf(delimiter, start)) {
    parts++;
    largest = Math.max(largest, next - start);
    start = next + delimiter.length;
  }
  return { parts, largest };
}

/**
 * Fields of an `application/x-www-form-urlencoded` body (`&`-separated, empty ones skipped as
 * URLSearchParams does) and the longest one, still encoded.
 *
 * @example
 * ```ts
 * urlencodedShape(Buffer.from('a=1&&bb=22')); // { parts: 2, largest: 5 }
 * ```
 */
export function urlencodedShape(body: Buffer): { parts: number; largest: number } {
  let parts = 0;
  let largest = 0;
  for (let start = 0; start <= body.length; ) {
    const amp = body.indexOf(0x26, start);
    const end = amp === -1 ? body.length : amp;
    if (end > start) {
      parts++;
      largest = Math.max(largest, end - start);
    }
    start = end + 1;
  }
  return { parts, largest };
}

/**
 * The `boundary` parameter of a multipart Content-Type (quoted or not), or undefined.
 *
 * @example
 * ```ts
 * boundaryOf('multipart/form-data; boundary="a b"'); // 'a b'
 * ```
 */
export function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}
