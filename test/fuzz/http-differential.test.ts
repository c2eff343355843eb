/**
 * The CI pass of the HTTP differential fuzzers (docs/conformance.md, "Differential fuzzing"): a
 * fixed seed and count of mutated requests, each through our codec, our server over a socket and
 * llhttp (`node:http`) over a socket; and of mutated responses, through our `ResponseParser` and
 * llhttp's response side (`http.request` against a raw server). Each fails only on a bucket of
 * disagreement that `known-buckets.json` does not name. The long run: `node dist/bench/fuzz-http.js`.
 */
import { test } from 'node:test';
import { trackLeaks } from '../helpers/leaks.js';
import { assertNoNewBucket } from './ci-pass.js';
import { RequestDifferential } from './http/request-differential.js';
import { ResponseDifferential } from './http/response-differential.js';

/** `node dist/bench/fuzz-http.js [--side responses] --seed 9 --count 1000` runs exactly these inputs. */
const CI_SEED = 9;
const CI_COUNT = 1000;

const leaks = trackLeaks();

test(`request parser against llhttp: seed ${CI_SEED}, ${CI_COUNT} inputs, no new bucket`, async (t) => {
  const differential = await RequestDifferential.start();
  leaks.defer(() => differential.close());
  await assertNoNewBucket(t, differential, CI_SEED, CI_COUNT);
});

test(`response parser against llhttp: seed ${CI_SEED}, ${CI_COUNT} inputs, no new bucket`, async (t) => {
  const differential = await ResponseDifferential.start();
  leaks.defer(() => differential.close());
  await assertNoNewBucket(t, differential, CI_SEED, CI_COUNT);
});
