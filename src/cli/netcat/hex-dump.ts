/**
 * Hex dumps in `hexdump -C` form (offset, 16 bytes in hex, the printable ASCII), one line per 16
 * bytes, offsets counted per direction, each line marked `>` (sent) or `<` (received) as socat -x
 * marks them. `wirekit tcp`/`udp` write them to stderr, so stdout stays the data itself.
 */

/**
 * The dump lines of `bytes`, starting at `offset`, each preceded by `prefix`.
 *
 * @example
 * ```ts
 * hexLines(Buffer.from('hello\n'), 0, '> ');
 * // ['> 00000000  68 65 6c 6c 6f 0a                                 |hello.|']
 * ```
 */
export function hexLines(bytes: Uint8Array, offset = 0, prefix = ''): string[] {
  const out: string[] = [];
  for (let at = 0; at < bytes.byteLength; at += 16) {
    const row = bytes.subarray(at, at + 16);
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      const byte = row[i];
      hex += byte === undefined ? '   ' : `${byte.toString(16).padStart(2, '0')} `;
      if (i === 7) hex += ' ';
      if (byte !== undefined) ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
    }
    out.push(`${prefix}${(offset + at).toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return out;
}

/** Dumps what one connection sends and receives, keeping an offset per direction. */
export class HexDumper {
  readonly #write: (text: string) => void;
  #sent = 0;
  #received = 0;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  sent(bytes: Uint8Array): void {
    this.#dump(bytes, this.#sent, '> ');
    this.#sent += bytes.byteLength;
  }

  received(bytes: Uint8Array): void {
    this.#dump(bytes, this.#received, '< ');
    this.#received += bytes.byteLength;
  }

  #dump(bytes: Uint8Array, offset: number, prefix: string): void {
    if (bytes.byteLength > 0) this.#write(`${hexLines(bytes, offset, prefix).join('\n')}\n`);
  }
}
