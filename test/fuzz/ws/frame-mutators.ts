/**
 * Frame-level mutators of a WebSocket frame sequence (`frame-model.ts`): each changes one element
 * of one frame (FIN, RSV bits, opcode, mask bit and key, the length encoding, the payload, a close
 * frame's code and reason) or the sequence (frames dropped, repeated, swapped, inserted, cut
 * short), towards the rules of RFC 6455 §5 and RFC 7692 §6 a receiver must enforce.
 */
import { type Mutator, oddByte } from '../core/mutators.js';
import type { Prng } from '../core/prng.js';
import { controlFrame, messageFrames } from './frame-inputs.js';
import type { FrameModel, SequenceModel } from './frame-model.js';
import { CLOSE_CODES, CLOSE_REASONS, FUZZ_MAX_MESSAGE_BYTES, INVALID_UTF8 } from './frame-values.js';

type SequenceMutator = Mutator<SequenceModel>;

/** Applies `fn` to one frame (optionally only frames `which` accepts); does not apply when there is none. */
function onFrame(
  name: string,
  weight: number,
  fn: (rng: Prng, f: FrameModel, s: SequenceModel) => boolean | undefined,
  which: (f: FrameModel) => boolean = () => true,
): SequenceMutator {
  return {
    name,
    weight,
    apply: (rng, s) => {
      const candidates = s.frames.filter(which);
      if (candidates.length === 0) return undefined;
      return fn(rng, rng.pick(candidates), s) === false ? undefined : s;
    },
  };
}

function onSequence(name: string, weight: number, fn: (rng: Prng, s: SequenceModel) => boolean): SequenceMutator {
  return { name, weight, apply: (rng, s) => (fn(rng, s) ? s : undefined) };
}

const isData = (f: FrameModel): boolean => f.opcode < 0x8;
const isClose = (f: FrameModel): boolean => f.opcode === 0x8;

function splice(payload: Buffer, at: number, remove: number, insert: Buffer): Buffer {
  return Buffer.concat([payload.subarray(0, at), insert, payload.subarray(at + remove)]);
}

export function frameMutators(): SequenceMutator[] {
  return [
    onFrame('frame:fin', 3, (_rng, f) => {
      f.fin = !f.fin;
    }),
    onFrame('frame:rsv', 3, (rng, f) => {
      f.rsv = rng.chance(0.5) ? 4 : rng.range(1, 7);
    }),
    onFrame('frame:opcode', 3, (rng, f) => {
      f.opcode = rng.chance(0.5) ? rng.pick([0x0, 0x1, 0x2, 0x8, 0x9, 0xa]) : rng.int(16);
    }),
    onFrame('frame:mask', 2, (_rng, f) => {
      f.masked = !f.masked;
    }),
    onFrame('frame:zero-key', 1, (_rng, f) => {
      f.key = Buffer.alloc(4);
    }),
    // A longer length encoding than the shortest that fits (RFC 6455 §5.2: the minimal one MUST be used).
    onFrame('frame:long-length', 3, (rng, f) => {
      f.lengthBits = rng.chance(0.5) ? 16 : 64;
    }),
    // High bits of a 64-bit length: the MSB (RFC 6455 §5.2: MUST be 0), or a length over 2^53.
    onFrame('frame:length-high', 2, (rng, f) => {
      f.high = rng.pick([0x8000_0000, 0x0020_0000, 0x001f_ffff, 1, 0xffff_ffff]);
    }),
    // A declared length that differs from the payload: frames run into each other, or over the limit.
    onFrame('frame:declared', 3, (rng, f) => {
      const n = f.payload.length;
      f.declared = rng.pick([
        Math.max(0, n - rng.range(1, 3)),
        n + rng.range(1, 3),
        126,
        125,
        0xffff,
        0x10000,
        FUZZ_MAX_MESSAGE_BYTES,
        FUZZ_MAX_MESSAGE_BYTES + 1,
      ]);
    }),
    onFrame('payload:byte', 3, (rng, f) => {
      if (f.payload.length === 0) return false;
      f.payload = Buffer.from(f.payload);
      f.payload[rng.int(f.payload.length)] = oddByte(rng);
    }),
    // Invalid UTF-8 in a text frame or a close reason (1007), also where a fragment boundary falls.
    onFrame(
      'payload:bad-utf8',
      4,
      (rng, f) => {
        const at =
          f.opcode === 0x8
            ? rng.range(Math.min(2, f.payload.length), f.payload.length)
            : rng.range(0, f.payload.length);
        f.payload = splice(f.payload, at, rng.chance(0.5) ? 1 : 0, Buffer.from(rng.pick(INVALID_UTF8)));
      },
      (f) => f.opcode <= 0x1 || isClose(f),
    ),
    onFrame('payload:truncate', 2, (rng, f) => {
      if (f.payload.length === 0) return false;
      f.payload = f.payload.subarray(0, rng.int(f.payload.length));
    }),
    // A control frame over 125 bytes (RFC 6455 §5.5).
    onFrame(
      'control:oversize',
      2,
      (rng, f) => {
        f.payload = Buffer.concat([f.payload, Buffer.alloc(rng.pick([126 - f.payload.length, 200]), 0x61)]);
      },
      (f) => f.opcode >= 0x8 && f.payload.length <= 125,
    ),
    onFrame(
      'close:code',
      4,
      (rng, f) => {
        const code = Buffer.alloc(2);
        code.writeUInt16BE(rng.pick(CLOSE_CODES));
        f.payload = Buffer.concat([code, f.payload.subarray(2)]);
      },
      isClose,
    ),
    onFrame(
      'close:reason',
      2,
      (rng, f) => {
        f.payload = Buffer.concat([f.payload.subarray(0, 2), rng.pick(CLOSE_REASONS)]);
      },
      isClose,
    ),
    onFrame(
      'close:one-byte',
      1,
      (_rng, f) => {
        f.payload = Buffer.from([0x03]);
      },
      isClose,
    ),
    // RSV1 on a frame it may not mark (a continuation, an uncompressed peer) or off a compressed one.
    onFrame(
      'data:rsv1',
      2,
      (_rng, f) => {
        f.rsv ^= 4;
      },
      isData,
    ),
    onSequence('seq:drop', 2, (rng, s) => {
      if (s.frames.length === 0) return false;
      s.frames.splice(rng.int(s.frames.length), 1);
      return true;
    }),
    onSequence('seq:repeat', 2, (rng, s) => {
      if (s.frames.length === 0) return false;
      const at = rng.int(s.frames.length);
      s.frames.splice(at, 0, { ...(s.frames[at] as FrameModel) });
      return true;
    }),
    onSequence('seq:swap', 2, (rng, s) => {
      if (s.frames.length < 2) return false;
      const at = rng.int(s.frames.length - 1);
      const [a, b] = [s.frames[at] as FrameModel, s.frames[at + 1] as FrameModel];
      s.frames.splice(at, 2, b, a);
      return true;
    }),
    // Control frames in the middle of a fragmented message (allowed, RFC 6455 §5.4) or anywhere.
    onSequence('seq:insert-control', 3, (rng, s) => {
      const kind = rng.pick(['ping', 'pong', 'close'] as const);
      s.frames.splice(rng.int(s.frames.length + 1), 0, controlFrame(rng, s, kind));
      return true;
    }),
    onSequence('seq:insert-message', 2, (rng, s) => {
      s.frames.splice(rng.int(s.frames.length + 1), 0, ...messageFrames(rng, s));
      return true;
    }),
    // The last frame cut short: both receivers wait for the rest.
    onSequence('seq:cut', 1, (rng, s) => {
      const last = s.frames[s.frames.length - 1];
      if (last === undefined || last.payload.length === 0) return false;
      last.declared = last.payload.length;
      last.payload = last.payload.subarray(0, rng.int(last.payload.length));
      return true;
    }),
  ];
}
