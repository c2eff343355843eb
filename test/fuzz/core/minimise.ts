/**
 * A delta minimiser for fuzz reproducers: removes pieces of an input while a predicate (the same
 * disagreement still shows) keeps holding. First whole segments between `boundaries` (lines, for a
 * text protocol), then byte ranges of halving size down to single bytes (ddmin's complement step).
 * Bounded by `maxChecks` predicate calls; the result is the smallest input found within them.
 */

export interface MinimiseOptions {
  /** Offsets that split the input into units worth removing whole (e.g. after every LF). */
  boundaries?: (bytes: Buffer) => number[];
  /** Most predicate calls. Default 1500. */
  maxChecks?: number;
}

export interface Minimised {
  bytes: Buffer;
  checks: number;
}

/** Shrinks `input` while `keeps(candidate)` holds. `keeps(input)` is assumed true. */
export async function minimise(
  input: Buffer,
  keeps: (candidate: Buffer) => Promise<boolean>,
  options: MinimiseOptions = {},
): Promise<Minimised> {
  const maxChecks = options.maxChecks ?? 1500;
  let checks = 0;
  let best = input;
  const tryRemove = async (start: number, end: number): Promise<boolean> => {
    if (checks >= maxChecks || end <= start) return false;
    checks++;
    const candidate = Buffer.concat([best.subarray(0, start), best.subarray(end)]);
    if (!(await keeps(candidate))) return false;
    best = candidate;
    return true;
  };
  if (options.boundaries) {
    // Segments from the last to the first, so earlier offsets stay valid after a removal.
    for (let changed = true; changed && checks < maxChecks; ) {
      changed = false;
      const cuts = [0, ...options.boundaries(best), best.length];
      for (let i = cuts.length - 2; i >= 0; i--) {
        if (await tryRemove(cuts[i] as number, cuts[i + 1] as number)) changed = true;
      }
    }
  }
  for (let size = Math.max(1, best.length >> 1); size >= 1 && checks < maxChecks; size >>= 1) {
    for (let changed = true; changed && checks < maxChecks; ) {
      changed = false;
      for (let start = best.length - size; start >= 0 && checks < maxChecks; start -= size) {
        if (await tryRemove(start, start + size)) changed = true;
      }
      // The last partial piece at the front.
      const head = best.length % size;
      if (head > 0 && (await tryRemove(0, head))) changed = true;
    }
  }
  return { bytes: best, checks };
}

/** Offsets just after every LF: the lines of a text protocol. */
export function afterEachLf(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < bytes.length - 1; i = bytes.indexOf(0x0a, i + 1)) out.push(i + 1);
  return out;
}
