/**
 * The CI pass of the HTTP response differential fuzzer (docs/conformance.md, "Differential
 * fuzzing"): a fixed seed and count of mutated responses through our `ResponseParser` and through
 * llhttp's response side (`http.request` against a raw server). Fails only on a bucket that
 * `known-buckets.json` does not list. The long run: `node dist/bench/fuzz-http.js --side responses`.
 */
import { test } from 'node:test';
import { trackLeaks } from '../helpers/leaks.js';
import { assertNoNewBucket } from './ci-pass.js';
import { ResponseDifferential } from './http/response-differential.js';

/** `node dist/bench/fuzz-http.js --side responses --seed 9 --count 1500` runs exactly these inputs. */
const CI_SEED = 9;
const CI_COUNT = 1500;

const leaks = trackLeaks();

test(`response parser against llhttp: seed ${CI_SEED}, ${CI_COUNT} inputs, no new bucket`, async (t) => {
  const differential = await ResponseDifferential.start();
  leaks.defer(() => differential.close());
  await assertNoNewBucket(t, differential, CI_SEED, CI_COUNT);
});
