/**
 * The long differential fuzzing run of the HTTP request parser (docs/conformance.md, "Differential
 * fuzzing"): our codec, our server and llhttp (`node:http`) on the same mutated requests; prints
 * every bucket of disagreement with a minimised reproducer and its class from the allow-list.
 *
 *   npm run build && node dist/bench/fuzz-http.js --seed 123 --count 200000
 *   node dist/bench/fuzz-http.js --seed 7 --minutes 10
 *   node dist/bench/fuzz-http.js --seed 1 --count 3000 --prune   # drop allow-list entries no longer seen
 *   node dist/bench/fuzz-http.js --repro 'GET / HTTP/1.1\r\nHost: a\r\n\r\n' [--splits 3,9]   # one input
 *   node dist/bench/fuzz-http.js --check-known   # does each allow-list reproducer still show its bucket?
 *
 * Options: `--side requests|responses` (requests: our codec and server against llhttp's request
 * side; responses: our ResponseParser against llhttp's response side through `http.request`),
 * `--seed N` (default: random, printed), `--count N`, `--minutes M` (stop starting inputs then),
 * `--concurrency N` (16), `--minimise all|new|none` (all), `--known FILE`
 * (test/fuzz/known-buckets.json), `--prune` (rewrite FILE with only the entries this run used),
 * `--repro LITERAL [--splits A,B] [--method HEAD]` (one input, every verdict printed).
 * Exits 1 when a bucket is not in the allow-list.
 */
import { parseArgs } from 'node:util';
import { KNOWN_BUCKETS } from '../test/fuzz/ci-pass.js';
import { formatTable, fromLiteral, knownEntry, loadKnown, matches, pruneKnown } from '../test/fuzz/core/buckets.js';
import { runCampaign } from '../test/fuzz/core/campaign.js';
import { RequestDifferential } from '../test/fuzz/http/request-differential.js';
import { codecResponse, ResponseDifferential } from '../test/fuzz/http/response-differential.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    count: { type: 'string' },
    minutes: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    minimise: { type: 'string', default: 'all' },
    known: { type: 'string', default: KNOWN_BUCKETS },
    prune: { type: 'boolean', default: false },
    side: { type: 'string', default: 'requests' },
    repro: { type: 'string' },
    splits: { type: 'string', default: '' },
    method: { type: 'string', default: 'GET' },
    'check-known': { type: 'boolean', default: false },
  },
});

const responses = values.side === 'responses';
if (values['check-known']) {
  // Each allow-list reproducer, through its differential: does it still show its bucket?
  const known = loadKnown(values.known);
  const requests = await RequestDifferential.start();
  const answers = await ResponseDifferential.start();
  let stale = 0;
  for (const entry of known.buckets) {
    if (entry.reproducer === undefined) continue;
    const isResponse = entry.signature.startsWith('response|');
    const input = {
      bytes: fromLiteral(entry.reproducer),
      splits: [],
      applied: [],
      ...(isResponse ? { context: 'GET' } : {}),
    };
    const findings = await (isResponse ? answers : requests).judge(input);
    const shows = findings.some((f) => matches(entry.signature, f.signature));
    if (!shows) stale++;
    process.stdout.write(`${shows ? 'shows     ' : 'NOT SHOWN '} ${entry.class.padEnd(8)} ${entry.signature}\n`);
    if (!shows) process.stdout.write(`           ${findings.map((f) => f.signature).join('; ') || 'no finding'}\n`);
  }
  await Promise.all([requests.close(), answers.close()]);
  process.stdout.write(`${stale} reproducer(s) no longer show their bucket (fixed: prune them)\n`);
  process.exit(stale > 0 ? 1 : 0);
}
if (values.repro !== undefined) {
  // One input, written as the report prints it: every subject's outcome and the findings.
  const bytes = fromLiteral(values.repro);
  const splits = values.splits === '' ? [] : values.splits.split(',').map(Number);
  let result: unknown;
  if (responses) {
    const differential = await ResponseDifferential.start();
    const input = { bytes, splits, context: values.method, applied: [] };
    result = { codec: codecResponse(input), findings: await differential.judge(input) };
    await differential.close();
  } else {
    const differential = await RequestDifferential.start();
    result = await differential.explain({ bytes, splits, applied: [] });
    await differential.close();
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}

const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
const count =
  values.count === undefined ? (minutes === undefined ? 10_000 : Number.MAX_SAFE_INTEGER) : Number(values.count);
const minimise = values.minimise as 'all' | 'new' | 'none';
const known = loadKnown(values.known);
const isKnown = (signature: string): boolean => knownEntry(known.buckets, signature) !== undefined;

process.stdout.write(
  `fuzz-http: seed ${seed}, count ${count === Number.MAX_SAFE_INTEGER ? '∞' : count}${minutes === undefined ? '' : `, ${minutes} min`}\n`,
);
const differential = responses ? await ResponseDifferential.start() : await RequestDifferential.start();
const result = await runCampaign(differential, {
  seed,
  count,
  ...(minutes === undefined ? {} : { durationMs: minutes * 60_000 }),
  concurrency: Number(values.concurrency),
  minimise,
  isKnown,
  progressEvery: 10_000,
  onProgress: (done, buckets) => process.stdout.write(`  ${done} inputs, ${buckets} buckets\n`),
});
await differential.close();

const buckets = result.buckets.list();
const rate = Math.round(result.inputs / (result.elapsedMs / 1000));
process.stdout.write(
  `\n${result.inputs} inputs in ${(result.elapsedMs / 1000).toFixed(1)} s (${rate}/s), ${result.findings} findings, ${buckets.length} buckets (seed ${seed})\n\n`,
);
process.stdout.write(`${formatTable(buckets, known.buckets)}\n`);
const seen = new Set(buckets.map((b) => b.signature));
const fresh = buckets.filter((b) => !isKnown(b.signature));
const unseen = known.buckets.filter((k) => ![...seen].some((s) => matches(k.signature, s)));
if (unseen.length > 0) {
  process.stdout.write(`\nallow-listed but not seen in this run (fixed, or rarer than this run):\n`);
  for (const k of unseen) process.stdout.write(`  ${k.signature}\n`);
}
if (values.prune) {
  const dropped = pruneKnown(values.known, known, seen);
  process.stdout.write(`\npruned ${dropped.length} entries from ${values.known}\n`);
}
if (fresh.length > 0) {
  process.stdout.write(`\n${fresh.length} bucket(s) not in the allow-list\n`);
  process.exitCode = 1;
}
