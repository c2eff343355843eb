/**
 * The payload of a close frame (RFC 6455 §5.5.1, §7.4): empty, or a two-byte code followed by a
 * UTF-8 reason. Serialized for sending, parsed (and judged) on receipt.
 */
import { isUtf8 } from 'node:buffer';
import { WirekitError } from '../../errors.js';
import { CloseCode, isValidCloseCode, MAX_CONTROL_PAYLOAD_BYTES } from './constants.js';

const EMPTY = Buffer.alloc(0);

/**
 * The payload of a close frame (RFC 6455 §5.5.1): the code as two bytes, then the reason as UTF-8.
 * No code gives an empty payload (the peer then reports 1005). Throws `WK_ERR_INVALID_ARGUMENT` for
 * a code that may not be sent (1005, 1006, 1015, unassigned ones) or a reason over 123 bytes.
 *
 * @example
 * ```ts
 * serializeClosePayload(1000, 'bye'); // <03 e8 62 79 65>
 * ```
 */
export function serializeClosePayload(code?: number, reason = ''): Buffer {
  if (code === undefined) {
    if (reason !== '') throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'a close reason needs a close code');
    return EMPTY;
  }
  if (!Number.isInteger(code) || !isValidCloseCode(code)) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `close code ${code} may not be sent (RFC 6455 §7.4)`);
  }
  const length = Buffer.byteLength(reason);
  if (length > MAX_CONTROL_PAYLOAD_BYTES - 2) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `a close reason is at most 123 bytes of UTF-8, got ${length}`);
  }
  const payload = Buffer.allocUnsafe(2 + length);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  payload.write(reason, 2);
  return payload;
}

/**
 * A received close payload: its code (1005 when empty) and reason, or what is wrong with it (a
 * 1-byte payload, a code that may not be sent: 1002; a reason that is not UTF-8: 1007).
 *
 * @example
 * ```ts
 * parseClosePayload(Buffer.from([0x03, 0xe8])); // { code: 1000, reason: '' }
 * ```
 */
export function parseClosePayload(
  payload: Buffer,
): { code: number; reason: string } | { closeCode: 1002 | 1007; message: string } {
  if (payload.length === 0) return { code: CloseCode.NoStatus, reason: '' };
  if (payload.length === 1) return { closeCode: 1002, message: 'a close frame with a 1-byte payload' };
  const code = ((payload[0] as number) << 8) | (payload[1] as number);
  if (!isValidCloseCode(code)) return { closeCode: 1002, message: `close code ${code} may not be sent` };
  if (payload.length > 2 && !isUtf8(payload.subarray(2))) {
    return { closeCode: 1007, message: 'a close reason that is not UTF-8' };
  }
  return { code, reason: payload.length > 2 ? payload.toString('utf8', 2) : '' };
}
