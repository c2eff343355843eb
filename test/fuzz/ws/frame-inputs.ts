/**
 * Inputs of the WebSocket frame fuzzer: a sequence of valid messages generated from the PRNG (text
 * and binary, whole or fragmented with pings and pongs interleaved, compressed with RSV1 when
 * permessage-deflate is on, a close frame at the end), mutated at the frame level
 * (`frame-mutators.ts`), then sometimes at the byte level, and sometimes cut into several reads.
 */
import type { FuzzInput } from '../core/input.js';
import { byteMutators, MutatorRegistry, mutatedInput } from '../core/mutators.js';
import type { Prng } from '../core/prng.js';
import { type FrameModel, type SequenceModel, serializeSequence, settingsContext } from './frame-model.js';
import { frameMutators } from './frame-mutators.js';
import { CLOSE_CODES, CLOSE_REASONS, deflated, FUZZ_MAX_MESSAGE_BYTES, TEXTS } from './frame-values.js';

export function randomBytes(rng: Prng, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

/** A frame as a sender of `role`'s peer would write it: masked towards a server, with a random key. */
export function frame(rng: Prng, s: SequenceModel, opcode: number, payload: Buffer, fin = true, rsv = 0): FrameModel {
  const key = rng.chance(0.05) ? Buffer.alloc(4) : randomBytes(rng, 4);
  return { fin, rsv, opcode, masked: s.role === 'server', key, lengthBits: 7, payload };
}

/** A control frame: a ping or pong with up to 125 bytes, or a close with a code and reason. */
export function controlFrame(rng: Prng, s: SequenceModel, kind: 'ping' | 'pong' | 'close'): FrameModel {
  if (kind !== 'close') {
    const payload = rng.chance(0.5) ? Buffer.alloc(0) : randomBytes(rng, rng.pick([1, 4, 125]));
    return frame(rng, s, kind === 'ping' ? 0x9 : 0xa, payload);
  }
  if (rng.chance(0.15)) return frame(rng, s, 0x8, Buffer.alloc(0));
  const code = Buffer.alloc(2);
  code.writeUInt16BE(rng.chance(0.6) ? rng.pick([1000, 1001, 3000, 4999]) : rng.pick(CLOSE_CODES));
  return frame(rng, s, 0x8, Buffer.concat([code, rng.pick(CLOSE_REASONS)]));
}

/** The payload of a data message: text from the list, random bytes, sometimes large (over the 16-bit length). */
function messageData(rng: Prng, text: boolean): Buffer {
  if (rng.chance(0.03)) return Buffer.alloc(rng.pick([70_000, FUZZ_MAX_MESSAGE_BYTES + 1]), text ? 0x61 : 0);
  if (text) return Buffer.from(Array.from({ length: rng.range(1, 3) }, () => rng.pick(TEXTS)).join(''));
  return randomBytes(rng, rng.pick([0, 1, 20, 125, 126, 300, 2000]));
}

/** Cuts `bytes` into 1 to 4 fragments at random offsets (inside UTF-8 sequences too); empty fragments happen. */
function fragments(rng: Prng, bytes: Buffer): Buffer[] {
  if (rng.chance(0.5)) return [bytes];
  const cuts = Array.from({ length: rng.range(1, 3) }, () => rng.range(0, bytes.length)).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const at of cuts) {
    out.push(bytes.subarray(from, at));
    from = at;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** One data message as frames: compressed when deflate allows (RSV1 on the first), fragmented, with control frames between fragments. */
export function messageFrames(rng: Prng, s: SequenceModel): FrameModel[] {
  const text = rng.chance(0.6);
  const data = messageData(rng, text);
  const compressed = s.deflate && rng.chance(0.6);
  const pieces = fragments(rng, compressed ? deflated(data) : data);
  const out: FrameModel[] = [];
  pieces.forEach((piece, i) => {
    if (i > 0 && rng.chance(0.3)) out.push(controlFrame(rng, s, rng.chance(0.5) ? 'ping' : 'pong'));
    const opcode = i === 0 ? (text ? 0x1 : 0x2) : 0x0;
    out.push(frame(rng, s, opcode, Buffer.from(piece), i === pieces.length - 1, i === 0 && compressed ? 4 : 0));
  });
  return out;
}

/** A valid sequence: 1 to 4 messages or control frames, a close frame at the end for 40%. */
export function validSequence(rng: Prng): SequenceModel {
  const s: SequenceModel = { role: rng.chance(0.6) ? 'server' : 'client', deflate: rng.chance(0.5), frames: [] };
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.2)) s.frames.push(controlFrame(rng, s, rng.chance(0.5) ? 'ping' : 'pong'));
    else s.frames.push(...messageFrames(rng, s));
  }
  if (rng.chance(0.4)) s.frames.push(controlFrame(rng, s, 'close'));
  return s;
}

/** Makes the inputs of one run: a pure function of the PRNG it is given. */
export class FrameInputs {
  readonly #grammar = new MutatorRegistry(frameMutators());
  readonly #bytes = new MutatorRegistry(byteMutators((rng) => serializeSequence(validSequence(rng))));

  generate(rng: Prng): FuzzInput {
    const seed = validSequence(rng);
    const input = mutatedInput(rng, seed, this.#grammar, this.#bytes, serializeSequence, {
      maxRounds: 3,
      maxSplits: 3,
    });
    return { ...input, context: settingsContext(seed) };
  }
}
