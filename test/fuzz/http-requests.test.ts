/**
 * The CI pass of the HTTP request differential fuzzer (docs/conformance.md, "Differential
 * fuzzing"): a fixed seed and a fixed count of mutated requests, each through our codec, our server
 * over a socket and llhttp (`node:http`) over a socket. It fails only on a bucket of disagreement
 * that `known-buckets.json` does not list, and prints that bucket with a minimised reproducer.
 * Bounded by count, not time; the long run is `node dist/bench/fuzz-http.js`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { trackLeaks } from '../helpers/leaks.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { formatTable, loadKnown } from './core/buckets.js';
import { runCampaign } from './core/campaign.js';
import { RequestDifferential } from './http/request-differential.js';

/** The CI pass's inputs: `node dist/bench/fuzz-http.js --seed 9 --count 1500` runs exactly them. */
const CI_SEED = 9;
const CI_COUNT = 1500;

const leaks = trackLeaks();

test(`request parser against llhttp: seed ${CI_SEED}, ${CI_COUNT} inputs, no new bucket`, async (t) => {
  const known = loadKnown(join(REPO_ROOT, 'test/fuzz/known-buckets.json'));
  const listed = new Set(known.buckets.map((k) => k.signature));
  const differential = await RequestDifferential.start();
  leaks.defer(() => differential.close());
  const result = await runCampaign(differential, {
    seed: CI_SEED,
    count: CI_COUNT,
    concurrency: 16,
    minimise: 'new',
    isKnown: (signature) => listed.has(signature),
    maxMinimiseChecks: 400,
  });
  assert.equal(result.inputs, CI_COUNT);
  const buckets = result.buckets.list();
  t.diagnostic(`${result.inputs} inputs in ${Math.round(result.elapsedMs)} ms, ${buckets.length} known buckets seen`);
  const fresh = buckets.filter((b) => !listed.has(b.signature));
  assert.deepEqual(
    fresh.map((b) => b.signature),
    [],
    `new disagreement(s) with llhttp: fix the bug, or list the bucket in test/fuzz/known-buckets.json ` +
      `(a stricter rule named in docs/conformance.md):\n${formatTable(fresh, [])}`,
  );
});
