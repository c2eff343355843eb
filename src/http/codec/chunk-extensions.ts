import { allIn, HTAB, isOws, SEMICOLON, SP, TOKEN } from './chars.js';

const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Skips `*( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )` (RFC 9112 §7.1.1) from `pos` and returns
 * where the valid extensions end; the caller requires that to be the end of the line. Extensions are
 * validated but not kept: no server-side semantics are defined for them.
 */
export function skipChunkExtensions(buf: Buffer, pos: number, end: number): number {
  let i = pos;
  while (i < end) {
    let j = skipOws(buf, i, end);
    if (buf[j] !== SEMICOLON) return i;
    j = skipOws(buf, j + 1, end);
    const nameEnd = skipToken(buf, j, end);
    if (nameEnd === j) return i;
    j = skipOws(buf, nameEnd, end);
    if (buf[j] === EQUALS) {
      j = skipOws(buf, j + 1, end);
      const valueEnd = buf[j] === DQUOTE ? skipQuoted(buf, j, end) : skipToken(buf, j, end);
      if (valueEnd === j) return i;
      j = valueEnd;
    } else {
      j = nameEnd;
    }
    i = j;
  }
  return i;
}

function skipOws(buf: Buffer, i: number, end: number): number {
  while (i < end && isOws(buf[i])) i++;
  return i;
}

function skipToken(buf: Buffer, i: number, end: number): number {
  let j = i;
  while (j < end && allIn(TOKEN, buf, j, j + 1)) j++;
  return j;
}

/** Skips a quoted-string starting at the DQUOTE at `i`; returns `i` when it is malformed. */
function skipQuoted(buf: Buffer, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const byte = buf[j] as number;
    if (byte === DQUOTE) return j + 1;
    if (byte === BACKSLASH) {
      j++;
      if (j >= end || !isQuotable(buf[j] as number)) return i;
    } else if (!isQuotable(byte)) {
      return i;
    }
  }
  return i;
}

/** qdtext and quoted-pair octets: HTAB, SP, VCHAR and obs-text. */
function isQuotable(byte: number): boolean {
  return byte === HTAB || byte === SP || (byte >= 0x21 && byte !== 0x7f);
}
