/**
 * The WebSocket fuzzer's own machinery: inputs depend only on the seed, the frame model writes
 * frames our codec reads back as generated, both receivers agree on valid sequences, and the
 * comparison buckets each kind of disagreement the way docs/conformance.md describes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromLiteral } from './core/buckets.js';
import { Prng } from './core/prng.js';
import { compareWs, FrameDifferential, splitReproducer } from './ws/frame-differential.js';
import { FrameInputs, validSequence } from './ws/frame-inputs.js';
import { frameStarts, serializeSequence, settingsContext } from './ws/frame-model.js';
import type { WsOutcome } from './ws/subjects.js';

test('a WebSocket input depends only on the seed and its index', () => {
  const a = new FrameInputs().generate(Prng.forInput(5, 17));
  const b = new FrameInputs().generate(Prng.forInput(5, 17));
  assert.deepEqual(b, a);
  assert.notDeepEqual(new FrameInputs().generate(Prng.forInput(5, 18)).bytes, a.bytes);
});

test('valid sequences are delivered alike by both receivers, whole and cut into reads', async () => {
  const differential = new FrameDifferential();
  let compared = 0;
  for (let i = 0; i < 200; i++) {
    const s = validSequence(Prng.forInput(11, i));
    const bytes = serializeSequence(s);
    const input = { bytes, splits: [1, Math.floor(bytes.length / 2)], applied: [], context: settingsContext(s) };
    const { ours, ws, findings } = await differential.explain(input);
    // A message over the limit (3%) or a close code that may not be sent fails both alike: no finding.
    assert.deepEqual(findings, [], `${input.context} ${bytes.toString('hex').slice(0, 200)}`);
    assert.deepEqual(ours.events, ws.events);
    const verdict = (o: WsOutcome): unknown => (o.end.kind === 'fail' ? o.end.code : o.end);
    assert.deepEqual(verdict(ours), verdict(ws));
    if (ours.events.length > 0) compared++;
  }
  assert.ok(compared > 100, `only ${compared} sequences delivered anything`);
});

test('frameStarts finds where each frame of a sequence begins', () => {
  const bytes = fromLiteral('\\x81\\x02hi\\x89\\x00\\x82~\\x00\\x7e');
  assert.deepEqual(frameStarts(Buffer.concat([bytes, Buffer.alloc(126)])), [4, 6]);
});

test('allow-list reproducers carry their settings', () => {
  assert.deepEqual(splitReproducer('client+deflate: A\\x04'), ['client+deflate', 'A\\x04']);
  assert.deepEqual(splitReproducer('\\x81\\x00'), ['server', '\\x81\\x00']);
});

const ok = (...events: string[]): WsOutcome => ({ events, end: { kind: 'open' } });
const failed = (code: number, rule: string, ...events: string[]): WsOutcome => ({
  events,
  end: { kind: 'fail', code, rule },
});

test('compareWs names each kind of disagreement', () => {
  const sig = (ours: WsOutcome, theirs: WsOutcome): string[] =>
    compareWs('server', ours, theirs).map((f) => f.signature);
  assert.deepEqual(sig(ok('text:61'), ok('text:61')), []);
  assert.deepEqual(sig(failed(1002, 'R'), failed(1002, 'W')), []);
  assert.deepEqual(sig(failed(1002, 'R'), ok()), ['server|refused-only-by-us|R|-']);
  assert.deepEqual(sig(ok(), failed(1007, 'W')), ['server|accepted-only-by-us|-|W']);
  assert.deepEqual(sig(failed(1002, 'R'), failed(1009, 'W')), ['server|fail-code|R|W']);
  assert.deepEqual(sig(failed(1007, 'R'), failed(1007, 'W', 'ping:')), ['server|earlier-failure-by-us|R|W']);
  assert.deepEqual(sig(failed(1007, 'R', 'ping:'), failed(1007, 'W')), ['server|earlier-failure-by-ws|R|W']);
  assert.deepEqual(sig(ok('text:61'), ok('binary:61')), ['server|different-events|text|binary']);
  const closed = (code: number, reason: string): WsOutcome => ({ events: [], end: { kind: 'close', code, reason } });
  assert.deepEqual(sig(closed(1000, 'a'), closed(1000, 'b')), ['server|different-close|reason|-']);
  assert.deepEqual(sig(closed(1000, ''), ok()), ['server|different-end|close|open']);
});
