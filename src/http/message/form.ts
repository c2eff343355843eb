import { ProtocolError, type WirekitError } from '../../errors.js';
import { asBuffer } from '../../util/bytes.js';
import { type BodyContent, readBytes } from './body.js';
import { boundaryOf, multipartShape, urlencodedShape } from './form-shape.js';

/** Limits of `form()`; every one has a default. */
export interface FormLimits {
  /** The whole body. Default 10 MiB; over it: 413. */
  maxBodyBytes?: number;
  /** One uploaded file. Default 5 MiB; over it: 413. */
  maxFileBytes?: number;
  /** One non-file field. Default 64 KiB; over it: 413. */
  maxFieldBytes?: number;
  /** Files in one form. Default 20; over it: 413. */
  maxFiles?: number;
  /** Fields (files included). Default 1,000; over it: 413. */
  maxFields?: number;
}

export const DEFAULT_FORM_LIMITS: Readonly<Required<FormLimits>> = Object.freeze({
  maxBodyBytes: 10 * 1024 * 1024,
  maxFileBytes: 5 * 1024 * 1024,
  maxFieldBytes: 64 * 1024,
  maxFiles: 20,
  maxFields: 1000,
});

/**
 * Reads an `application/x-www-form-urlencoded` or `multipart/form-data` body into a WHATWG
 * `FormData` (files are `File` objects). Multipart is parsed by the runtime's own Fetch
 * implementation (`Response#formData`, undici inside Node), so wirekit carries no multipart
 * parser of its own and no dependency: the body is read under `maxBodyBytes` first, its raw shape
 * (parts, largest part) is held to the limits before any parsing, then every parsed part is held
 * to its own. A malformed body or boundary is a 400 (`WK_ERR_INVALID_FORM`).
 *
 * @example
 * ```ts
 * const form = await readForm(req.headers.get('content-type'), req.body, { maxFileBytes: 1 << 20 });
 * const avatar = form.get('avatar'); // File | string | null
 * ```
 */
export async function readForm(
  contentType: string | null,
  content: BodyContent,
  limits: FormLimits = {},
): Promise<FormData> {
  const l = { ...DEFAULT_FORM_LIMITS, ...limits };
  const type = formTypeOf(contentType);
  if (type === undefined) {
    throw new ProtocolError('WK_ERR_INVALID_FORM', 415, `form() needs a form content type, not "${contentType ?? ''}"`);
  }
  const bytes = await readBytes(content, l.maxBodyBytes);
  checkShape(asBuffer(bytes), type, contentType ?? '', l);
  let form: FormData;
  try {
    form = await new globalThis.Response(bytes, { headers: { 'content-type': contentType ?? '' } }).formData();
  } catch (cause) {
    throw new ProtocolError('WK_ERR_INVALID_FORM', 400, 'the form body is malformed', { cause });
  }
  checkParts(form, l);
  return form;
}

/**
 * The form media type of a Content-Type (urlencoded or multipart), or undefined for anything else.
 *
 * @example
 * ```ts
 * formTypeOf('multipart/form-data; boundary=x'); // 'multipart/form-data'
 * ```
 */
export function formTypeOf(
  contentType: string | null,
): 'application/x-www-form-urlencoded' | 'multipart/form-data' | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data' ? type : undefined;
}

/** Bytes a part's own header lines may take, beyond its content, before the raw scan refuses it. */
const PART_HEADER_ALLOWANCE = 16 * 1024;

/**
 * Refuses, before parsing, a body whose raw shape already breaks a limit: more parts than
 * `maxFields`, or a part larger than any field or file may be. Parsing then only sees forms it
 * may keep; the exact per-part checks follow it (checkParts).
 */
function checkShape(body: Buffer, type: string, contentType: string, l: Required<FormLimits>): void {
  const boundary = type === 'multipart/form-data' ? boundaryOf(contentType) : undefined;
  const shape = type === 'multipart/form-data' ? boundary && multipartShape(body, boundary) : urlencodedShape(body);
  if (!shape) return;
  if (shape.parts > l.maxFields) throw tooLarge(`more than ${l.maxFields} fields`);
  // Percent-encoding triples a byte at most; a multipart part carries its header lines too.
  const largestAllowed =
    type === 'multipart/form-data'
      ? Math.max(l.maxFileBytes, l.maxFieldBytes) + PART_HEADER_ALLOWANCE
      : 3 * l.maxFieldBytes + PART_HEADER_ALLOWANCE;
  if (shape.largest > largestAllowed) throw tooLarge(`a part is larger than the form limits allow`);
}

function checkParts(form: FormData, l: Required<FormLimits>): void {
  let fields = 0;
  let files = 0;
  for (const [name, value] of form) {
    fields++;
    if (fields > l.maxFields) throw tooLarge(`more than ${l.maxFields} fields`);
    if (typeof value === 'string') {
      if (Buffer.byteLength(value) > l.maxFieldBytes)
        throw tooLarge(`field ${name} is larger than ${l.maxFieldBytes} bytes`);
      continue;
    }
    files++;
    if (files > l.maxFiles) throw tooLarge(`more than ${l.maxFiles} files`);
    if (value.size > l.maxFileBytes) throw tooLarge(`file ${name} is larger than ${l.maxFileBytes} bytes`);
  }
}

function tooLarge(message: string): WirekitError {
  return new ProtocolError('WK_ERR_HTTP_BODY_TOO_LARGE', 413, message);
}
