/**
 * The CI pass of a differential fuzzer: a fixed seed and count (bounded by count, never by time),
 * failing only on a bucket the allow-list (`test/fuzz/known-buckets.json` for HTTP,
 * `known-ws-buckets.json` for WebSocket frames) does not name, with that bucket's minimised
 * reproducer in the failure message.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from '../helpers/paths.js';
import { formatTable, knownEntry, loadKnown } from './core/buckets.js';
import { type Differential, runCampaign } from './core/campaign.js';

export const KNOWN_BUCKETS = join(REPO_ROOT, 'test/fuzz/known-buckets.json');
export const KNOWN_WS_BUCKETS = join(REPO_ROOT, 'test/fuzz/known-ws-buckets.json');

export async function assertNoNewBucket(
  t: TestContext,
  differential: Differential,
  seed: number,
  count: number,
  knownFile = KNOWN_BUCKETS,
): Promise<void> {
  const known = loadKnown(knownFile);
  const isKnown = (signature: string): boolean => knownEntry(known.buckets, signature) !== undefined;
  const result = await runCampaign(differential, {
    seed,
    count,
    concurrency: 16,
    minimise: 'new',
    isKnown,
    maxMinimiseChecks: 400,
  });
  assert.equal(result.inputs, count);
  const buckets = result.buckets.list();
  t.diagnostic(`${result.inputs} inputs in ${Math.round(result.elapsedMs)} ms, ${buckets.length} known buckets seen`);
  const fresh = buckets.filter((b) => !isKnown(b.signature));
  assert.deepEqual(
    fresh.map((b) => b.signature),
    [],
    `new disagreement(s) in ${differential.name}: fix the bug, or list the bucket in ${knownFile} ` +
      `(a stricter rule named in docs/conformance.md, or an open bug):\n${formatTable(fresh, [])}`,
  );
}
