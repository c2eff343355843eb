/**
 * A model of a WebSocket frame sequence (RFC 6455 §5.2) that the mutators change one element at a
 * time: each frame's FIN, RSV bits, opcode, mask bit and key, length encoding (7, 16 or 64 bits,
 * minimal or not, a declared length that differs from the payload, a 64-bit length with its high
 * bits set) and its unmasked payload. `serialize` writes it, masking the payload with the key.
 */

/** The settings both receivers get: which end reads, and whether permessage-deflate was agreed. */
export interface WsSettings {
  role: 'server' | 'client';
  deflate: boolean;
}

export interface FrameModel {
  fin: boolean;
  /** RSV1 (4), RSV2 (2), RSV3 (1). */
  rsv: number;
  opcode: number;
  masked: boolean;
  key: Buffer;
  /** How many bits encode the length: the shortest form that fits is used when this one cannot. */
  lengthBits: 7 | 16 | 64;
  /** A length field that differs from the payload's length, when set. */
  declared?: number;
  /** The high 32 bits of a 64-bit length field, when set (a length over 2^53, or with the MSB set). */
  high?: number;
  /** The payload before masking. */
  payload: Buffer;
}

export interface SequenceModel extends WsSettings {
  frames: FrameModel[];
}

/** The settings as a `FuzzInput.context`: `server`, `client+deflate`… */
export function settingsContext(s: WsSettings): string {
  return `${s.role}${s.deflate ? '+deflate' : ''}`;
}

export function parseContext(context: string | undefined): WsSettings {
  const [role, deflate] = (context ?? 'server').split('+');
  return { role: role === 'client' ? 'client' : 'server', deflate: deflate === 'deflate' };
}

/** The masking RFC 6455 §5.3 describes (XOR with the key, byte by byte). */
function masked(payload: Buffer, key: Buffer): Buffer {
  const out = Buffer.from(payload);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) ^ (key[i & 3] as number);
  return out;
}

export function serializeFrame(f: FrameModel): Buffer {
  const length = f.declared ?? f.payload.length;
  let bits: 7 | 16 | 64 = f.lengthBits;
  if (bits === 7 && length > 125) bits = 16;
  if (bits === 16 && length > 0xffff) bits = 64;
  if (f.high !== undefined) bits = 64;
  const extra = bits === 7 ? 0 : bits === 16 ? 2 : 8;
  const head = Buffer.alloc(2 + extra + (f.masked ? 4 : 0));
  head[0] = (f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0x0f);
  head[1] = (f.masked ? 0x80 : 0) | (bits === 7 ? length : bits === 16 ? 126 : 127);
  if (bits === 16) head.writeUInt16BE(length, 2);
  if (bits === 64) {
    head.writeUInt32BE(f.high ?? Math.floor(length / 0x1_0000_0000), 2);
    head.writeUInt32BE(length >>> 0, 6);
  }
  if (!f.masked) return Buffer.concat([head, f.payload]);
  f.key.copy(head, 2 + extra);
  return Buffer.concat([head, masked(f.payload, f.key)]);
}

export function serializeSequence(s: SequenceModel): Buffer {
  return Buffer.concat(s.frames.map(serializeFrame));
}

export function cloneSequence(s: SequenceModel): SequenceModel {
  return {
    ...s,
    frames: s.frames.map((f) => ({ ...f, key: Buffer.from(f.key), payload: Buffer.from(f.payload) })),
  };
}

/**
 * Offsets where frames start, read from the bytes as a receiver would (for the minimiser: whole
 * frames are removed first). Stops at a header it cannot complete.
 */
export function frameStarts(bytes: Buffer): number[] {
  const out: number[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const b1 = bytes[at + 1] as number;
    const code = b1 & 0x7f;
    const extra = code === 126 ? 2 : code === 127 ? 8 : 0;
    const head = 2 + extra + (b1 & 0x80 ? 4 : 0);
    if (at + head > bytes.length) break;
    const length =
      code === 126 ? bytes.readUInt16BE(at + 2) : code === 127 ? Number(bytes.readBigUInt64BE(at + 2)) : code;
    const next = at + head + length;
    if (next >= bytes.length) break;
    out.push(next);
    at = next;
  }
  return out;
}
