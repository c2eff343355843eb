/**
 * The long runs' command-line side, shared by every differential (`bench/fuzz-http.ts`,
 * `bench/fuzz-ws.ts`): run a campaign from its options and print the bucket table against the
 * allow-list; replay the allow-list's reproducers.
 */

import type { Finding } from './buckets.js';
import { formatTable, type KnownBucket, knownEntry, loadKnown, matches, pruneKnown } from './buckets.js';
import { type Differential, runCampaign } from './campaign.js';

/** The options every long run takes (strings as `parseArgs` gives them). */
export interface LongRunArgs {
  seed?: string | undefined;
  count?: string | undefined;
  minutes?: string | undefined;
  concurrency: string;
  minimise: string;
  /** The allow-list file. */
  known: string;
  /** Rewrite the allow-list with only the entries this run used. */
  prune: boolean;
}

/** The `parseArgs` options of {@link LongRunArgs}, with their defaults. */
export function longRunOptions(known: string) {
  return {
    seed: { type: 'string' },
    count: { type: 'string' },
    minutes: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    minimise: { type: 'string', default: 'all' },
    known: { type: 'string', default: known },
    prune: { type: 'boolean', default: false },
  } as const;
}

const write = (text: string): void => {
  process.stdout.write(text);
};

/** Runs the campaign the arguments describe and prints its report; returns the exit code (1: a bucket not in the allow-list). */
export async function runLongCampaign(name: string, differential: Differential, args: LongRunArgs): Promise<number> {
  const seed = args.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(args.seed);
  const minutes = args.minutes === undefined ? undefined : Number(args.minutes);
  const count =
    args.count === undefined ? (minutes === undefined ? 10_000 : Number.MAX_SAFE_INTEGER) : Number(args.count);
  const known = loadKnown(args.known);
  const isKnown = (signature: string): boolean => knownEntry(known.buckets, signature) !== undefined;
  write(
    `${name}: seed ${seed}, count ${count === Number.MAX_SAFE_INTEGER ? '∞' : count}${minutes === undefined ? '' : `, ${minutes} min`}\n`,
  );
  const result = await runCampaign(differential, {
    seed,
    count,
    ...(minutes === undefined ? {} : { durationMs: minutes * 60_000 }),
    concurrency: Number(args.concurrency),
    minimise: args.minimise as 'all' | 'new' | 'none',
    isKnown,
    progressEvery: 10_000,
    onProgress: (done, buckets) => write(`  ${done} inputs, ${buckets} buckets\n`),
  });
  const buckets = result.buckets.list();
  const rate = Math.round(result.inputs / (result.elapsedMs / 1000));
  write(
    `\n${result.inputs} inputs in ${(result.elapsedMs / 1000).toFixed(1)} s (${rate}/s), ${result.findings} findings, ${buckets.length} buckets (seed ${seed})\n\n`,
  );
  write(`${formatTable(buckets, known.buckets)}\n`);
  const seen = new Set(buckets.map((b) => b.signature));
  const fresh = buckets.filter((b) => !isKnown(b.signature));
  const unseen = known.buckets.filter((k) => ![...seen].some((s) => matches(k.signature, s)));
  if (unseen.length > 0) {
    write(`\nallow-listed but not seen in this run (fixed, or rarer than this run):\n`);
    for (const k of unseen) write(`  ${k.signature}\n`);
  }
  if (args.prune) {
    const dropped = pruneKnown(args.known, known, seen);
    write(`\npruned ${dropped.length} entries from ${args.known}\n`);
  }
  if (fresh.length === 0) return 0;
  write(`\n${fresh.length} bucket(s) not in the allow-list\n`);
  return 1;
}

/** Replays each allow-list reproducer through `judge` and prints whether it still shows its bucket; returns how many no longer do. */
export async function checkKnownReproducers(
  file: string,
  judge: (entry: KnownBucket & { reproducer: string }) => Promise<Finding[]>,
): Promise<number> {
  let stale = 0;
  for (const entry of loadKnown(file).buckets) {
    if (entry.reproducer === undefined) continue;
    const findings = await judge(entry as KnownBucket & { reproducer: string });
    const shows = findings.some((f) => matches(entry.signature, f.signature));
    if (!shows) stale++;
    write(`${shows ? 'shows     ' : 'NOT SHOWN '} ${entry.class.padEnd(8)} ${entry.signature}\n`);
    if (!shows) write(`           ${findings.map((f) => f.signature).join('; ') || 'no finding'}\n`);
  }
  write(`${stale} reproducer(s) no longer show their bucket (fixed: prune them)\n`);
  return stale;
}
