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
import { fromLiteral } from '../test/fuzz/core/buckets.js';
import { checkKnownReproducers, longRunOptions, runLongCampaign } from '../test/fuzz/core/report.js';
import { RequestDifferential } from '../test/fuzz/http/request-differential.js';
import { codecResponse, ResponseDifferential } from '../test/fuzz/http/response-differential.js';

const { values } = parseArgs({
  options: {
    ...longRunOptions(KNOWN_BUCKETS),
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
  const requests = await RequestDifferential.start();
  const answers = await ResponseDifferential.start();
  const stale = await checkKnownReproducers(values.known, (entry) => {
    const isResponse = entry.signature.startsWith('response|');
    const input = {
      bytes: fromLiteral(entry.reproducer),
      splits: [],
      applied: [],
      ...(isResponse ? { context: 'GET' } : {}),
    };
    return (isResponse ? answers : requests).judge(input);
  });
  await Promise.all([requests.close(), answers.close()]);
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

const differential = responses ? await ResponseDifferential.start() : await RequestDifferential.start();
process.exitCode = await runLongCampaign('fuzz-http', differential, values);
await differential.close();
