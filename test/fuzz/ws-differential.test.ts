/**
 * The CI pass of the WebSocket frame differential (docs/conformance.md, "WebSocket frames"): a
 * fixed seed and count of mutated frame sequences, each through our receiver (whole and cut into
 * reads) and the `ws` package's Receiver, in both roles, with and without permessage-deflate. It
 * fails only on a bucket of disagreement that `known-ws-buckets.json` does not name. The long run:
 * `node dist/bench/fuzz-ws.js`.
 */
import { test } from 'node:test';
import { assertNoNewBucket, KNOWN_WS_BUCKETS } from './ci-pass.js';
import { FrameDifferential } from './ws/frame-differential.js';

/** `node dist/bench/fuzz-ws.js --seed 9 --count 1500` runs exactly these inputs. */
const CI_SEED = 9;
const CI_COUNT = 1500;

test(`WebSocket receiver against ws: seed ${CI_SEED}, ${CI_COUNT} inputs, no new bucket`, async (t) => {
  await assertNoNewBucket(t, new FrameDifferential(), CI_SEED, CI_COUNT, KNOWN_WS_BUCKETS);
});
