import { TOKEN } from './chars.js';

/** Characters a field value may not carry on the wire: controls but HTAB (CR, LF, NUL among them), DEL, non-latin1. */
const UNSAFE_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** True when `name` is a token (RFC 9110 §5.1): safe as a field name. */
export function isFieldName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code > 0xff || TOKEN[code] === 0) return false;
  }
  return true;
}

/** True when `value` can be written as a field value without splitting the message (RFC 9110 §5.5). */
export function isFieldValue(value: string): boolean {
  return !UNSAFE_VALUE.test(value);
}
