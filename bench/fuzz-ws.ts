/**
 * The long differential fuzzing run of the WebSocket receiver (docs/conformance.md, "WebSocket
 * frames"): our receiver (the codec's frame parser and our inflating) and the `ws` package's
 * Receiver on the same mutated frame sequences, in both roles, with and without permessage-deflate;
 * prints every bucket of disagreement with a minimised reproducer and its class from the allow-list.
 *
 *   npm run build && node dist/bench/fuzz-ws.js --seed 123 --count 200000
 *   node dist/bench/fuzz-ws.js --seed 7 --minutes 10
 *   node dist/bench/fuzz-ws.js --repro '\x81\x85\x00\x00\x00\x00hello' --context server   # one input
 *   node dist/bench/fuzz-ws.js --check-known   # does each allow-list reproducer still show its bucket?
 *
 * Options: `--seed N` (default: random, printed), `--count N`, `--minutes M`, `--concurrency N`
 * (16), `--minimise all|new|none` (all), `--known FILE` (test/fuzz/known-ws-buckets.json),
 * `--prune`, `--repro LITERAL [--splits A,B] [--context server|client|server+deflate|client+deflate]`.
 * Exits 1 when a bucket is not in the allow-list.
 */
import { parseArgs } from 'node:util';
import { KNOWN_WS_BUCKETS } from '../test/fuzz/ci-pass.js';
import { fromLiteral } from '../test/fuzz/core/buckets.js';
import { checkKnownReproducers, longRunOptions, runLongCampaign } from '../test/fuzz/core/report.js';
import { FrameDifferential, splitReproducer } from '../test/fuzz/ws/frame-differential.js';

const { values } = parseArgs({
  options: {
    ...longRunOptions(KNOWN_WS_BUCKETS),
    repro: { type: 'string' },
    splits: { type: 'string', default: '' },
    context: { type: 'string', default: 'server' },
    'check-known': { type: 'boolean', default: false },
  },
});

const differential = new FrameDifferential();
if (values['check-known']) {
  // A reproducer is kept as `context: literal` (the role and deflate setting it needs).
  const stale = await checkKnownReproducers(values.known, (entry) => {
    const [context, literal] = splitReproducer(entry.reproducer);
    return differential.judge({ bytes: fromLiteral(literal), splits: [], applied: [], context });
  });
  process.exit(stale > 0 ? 1 : 0);
}
if (values.repro !== undefined) {
  const splits = values.splits === '' ? [] : values.splits.split(',').map(Number);
  const input = { bytes: fromLiteral(values.repro), splits, applied: [], context: values.context };
  process.stdout.write(`${JSON.stringify(await differential.explain(input), null, 2)}\n`);
  process.exit(0);
}
process.exitCode = await runLongCampaign('fuzz-ws', differential, values);
