/**
 * The differential fuzzing loop, independent of the format: a {@link Differential} generates input
 * `i` from `(seed, i)` and judges it against every subject (returning the disagreements as
 * findings); the campaign runs inputs with bounded concurrency, buckets the findings by signature,
 * and minimises the buckets it is asked to. The HTTP request differential is the first plug-in; a
 * WebSocket frame differential (our `ws/codec` against the `ws` package's Receiver) plugs in the
 * same way: its own `generate` (frame mutators in a MutatorRegistry) and `judge`.
 */
import { BucketSet, type Finding } from './buckets.js';
import type { FuzzInput } from './input.js';
import { minimise } from './minimise.js';
import { Prng } from './prng.js';

/** A format's fuzzer: how to make inputs and how to judge one against every subject. */
export interface Differential {
  readonly name: string;
  generate(rng: Prng): FuzzInput;
  /** Runs `input` through every subject; returns the disagreements (none when all agree). */
  judge(input: FuzzInput): Promise<Finding[]>;
  /** Offsets that split an input into units worth removing whole while minimising. */
  boundaries?(bytes: Buffer): number[];
}

export interface CampaignOptions {
  seed: number;
  /** Inputs to run (the CI pass bounds by count). */
  count: number;
  /** Stop starting new inputs after this many ms (long runs); default none. */
  durationMs?: number;
  /** Inputs in flight at once. Default 16. */
  concurrency?: number;
  /** Which buckets to minimise at the end: every one, only those `isKnown` rejects, or none. */
  minimise?: 'all' | 'new' | 'none';
  isKnown?: (signature: string) => boolean;
  /** Most predicate calls per minimised bucket. */
  maxMinimiseChecks?: number;
  /** Called every `progressEvery` inputs. */
  onProgress?: (done: number, buckets: number) => void;
  progressEvery?: number;
}

export interface CampaignResult {
  buckets: BucketSet;
  inputs: number;
  findings: number;
  elapsedMs: number;
}

/** Runs the campaign and returns its buckets (minimised as asked). */
export async function runCampaign(d: Differential, options: CampaignOptions): Promise<CampaignResult> {
  const started = performance.now();
  const buckets = new BucketSet();
  const concurrency = options.concurrency ?? 16;
  const stopAt = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  let next = 0;
  let done = 0;
  let findings = 0;
  const worker = async (): Promise<void> => {
    while (next < options.count && performance.now() < stopAt) {
      const index = next++;
      const input = d.generate(Prng.forInput(options.seed, index));
      for (const finding of await judgeSafely(d, input)) {
        findings++;
        buckets.add(finding, index, input);
      }
      done++;
      if (options.onProgress && done % (options.progressEvery ?? 1000) === 0) options.onProgress(done, buckets.size);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const which = options.minimise ?? 'new';
  for (const bucket of buckets.list()) {
    if (which === 'none' || (which === 'new' && options.isKnown?.(bucket.signature))) continue;
    const found = await minimiseFinding(d, bucket.signature, bucket.input, options.maxMinimiseChecks);
    bucket.reproducer = found.input;
    bucket.detail = found.detail ?? bucket.detail;
  }
  return { buckets, inputs: done, findings, elapsedMs: performance.now() - started };
}

/** `d.judge`, with a failure of the harness itself (a socket that never connected) as a finding, not a crash. */
async function judgeSafely(d: Differential, input: FuzzInput): Promise<Finding[]> {
  try {
    return await d.judge(input);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [{ signature: `${d.name}|harness-error|${message.replace(/\d+/g, 'N')}`, detail: message }];
  }
}

/**
 * The smallest input found that still shows `signature`: without splits when it shows without
 * them, else with the splits clamped to the shrinking input.
 */
export async function minimiseFinding(
  d: Differential,
  signature: string,
  input: FuzzInput,
  maxChecks = 800,
): Promise<{ input: FuzzInput; detail: string | undefined }> {
  let detail: string | undefined;
  const shows = async (candidate: FuzzInput): Promise<boolean> => {
    const hit = (await judgeSafely(d, candidate)).find((f) => f.signature === signature);
    if (hit) detail = hit.detail;
    return hit !== undefined;
  };
  const whole: FuzzInput = { ...input, splits: [] };
  const splits = input.splits.length > 0 && !(await shows(whole)) ? input.splits : [];
  const withBytes = (bytes: Buffer): FuzzInput => ({
    ...input,
    bytes,
    splits: splits.filter((s) => s > 0 && s < bytes.length),
  });
  const boundaries = d.boundaries?.bind(d);
  const result = await minimise(input.bytes, (bytes) => shows(withBytes(bytes)), {
    maxChecks,
    ...(boundaries ? { boundaries } : {}),
  });
  const best = withBytes(result.bytes);
  // The detail of the last successful check belongs to the smallest input only if re-judged.
  await shows(best);
  return { input: best, detail };
}
