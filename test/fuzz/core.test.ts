/**
 * The fuzzers' own machinery: a run is reproducible from its seed, the minimiser finds small
 * reproducers, the request model is lossless, reproducers survive the allow-list's literal form,
 * and the comparison buckets each kind of disagreement the way docs/conformance.md describes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BucketSet, fromLiteral, knownEntry, literal, matches } from './core/buckets.js';
import { afterEachLf, minimise } from './core/minimise.js';
import { Prng } from './core/prng.js';
import { parseStream, serializeStream } from './http/message-model.js';
import { type Answer, compareOutcomes, type Outcome } from './http/outcome.js';
import { RequestInputs } from './http/request-inputs.js';

const draw = (rng: Prng): number[] => Array.from({ length: 8 }, () => rng.next());

test('an input depends only on the seed and its index', () => {
  assert.deepEqual(draw(Prng.forInput(7, 3)), draw(Prng.forInput(7, 3)));
  assert.notDeepEqual(draw(Prng.forInput(7, 3)), draw(Prng.forInput(7, 4)));
  assert.notDeepEqual(draw(Prng.forInput(7, 3)), draw(Prng.forInput(8, 3)));
  const inputs = new RequestInputs();
  const a = inputs.generate(Prng.forInput(99, 12));
  const b = new RequestInputs().generate(Prng.forInput(99, 12));
  assert.deepEqual(b, a);
});

test('int, range and weighted stay in bounds', () => {
  const rng = new Prng(1);
  for (let i = 0; i < 1000; i++) {
    const n = rng.int(5);
    assert.ok(n >= 0 && n < 5);
    const r = rng.range(3, 4);
    assert.ok(r === 3 || r === 4);
    assert.equal(rng.weighted([0, 1, 0]), 1);
  }
});

test('the minimiser removes every line and byte the predicate does not need', async () => {
  const input = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\nX-Bad: \x01\r\nAccept: */*\r\n\r\n', 'latin1');
  const keeps = async (b: Buffer): Promise<boolean> => b.includes(0x01) && b.includes('X');
  const result = await minimise(input, keeps, { boundaries: afterEachLf });
  assert.equal(result.bytes.toString('latin1'), 'X\x01');
  const bounded = await minimise(input, keeps, { maxChecks: 3 });
  assert.equal(bounded.checks, 3);
});

test('the request model gives every seed back byte for byte', () => {
  for (const seed of new RequestInputs().seeds) {
    const text = serializeStream(seed);
    assert.equal(serializeStream(parseStream(text)), text);
  }
  const odd =
    'GET / HTTP/1.1\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x\r\nhello\r\n0\r\nT: 1\r\n\r\nGET /2 HTT';
  const model = parseStream(odd);
  assert.equal(model.messages.length, 1);
  assert.equal(model.tail, 'GET /2 HTT');
  assert.equal(serializeStream(model), odd);
});

test('reproducers survive the literal form of the report and the allow-list', () => {
  const bytes = Buffer.from([0x47, 0x0d, 0x0a, 0x09, 0x00, 0x5c, 0x22, 0x7f, 0xa0, 0xff]);
  assert.equal(literal(bytes), 'G\\r\\n\\t\\x00\\\\\\"\\x7f\\xa0\\xff');
  assert.deepEqual(fromLiteral(literal(bytes)), bytes);
});

test('allow-list patterns match whole parts, with * for any', () => {
  assert.ok(matches('codec|refused-only-by-us|R: x', 'codec|refused-only-by-us|R: x'));
  assert.ok(matches('*|late-refusal-by-llhttp|*', 'server|late-refusal-by-llhttp|WK_ERR_X: y'));
  assert.ok(!matches('*|late-refusal-by-llhttp|*', 'server|late-refusal-by-us|HPE_X: y'));
  assert.ok(!matches('codec|refused-only-by-us|R', 'codec|refused-only-by-us|R: x'));
  const known = [{ signature: '*|status|*', class: 'stricter' as const, note: 'n' }];
  assert.equal(knownEntry(known, 'server|status|us 417 / llhttp message')?.note, 'n');
  assert.equal(knownEntry(known, 'server|hang|-'), undefined);
});

test('a bucket keeps the lowest input index that showed it', () => {
  const set = new BucketSet();
  set.add({ signature: 's', detail: 'late' }, 9, { bytes: Buffer.from('b'), splits: [], applied: [] });
  set.add({ signature: 's', detail: 'early' }, 2, { bytes: Buffer.from('a'), splits: [1], applied: [] });
  const [bucket] = set.list();
  assert.equal(bucket?.count, 2);
  assert.equal(bucket?.firstIndex, 2);
  assert.equal(bucket?.detail, 'early');
});

const echo = (target: string, body = ''): Answer => ({
  kind: 'message',
  echo: { method: 'GET', target, version: '1.1', headers: [['Host', 'a']], body, trailers: [] },
  keepAlive: true,
  upgrade: false,
});
const refusal = (rule: string, early = true): Answer => ({
  kind: 'refusal',
  rule,
  status: 400,
  early,
  afterHead: false,
});
const outcome = (...answers: Answer[]): Outcome => ({ answers, end: 'closed', openAtEof: false });
const signatures = (ours: Outcome, theirs: Outcome): string[] =>
  compareOutcomes('codec', ours, theirs).map((f) => f.signature);

test('the comparison names the direction and the rule of the first disagreement', () => {
  assert.deepEqual(signatures(outcome(echo('/')), outcome(echo('/'))), []);
  assert.deepEqual(signatures(outcome(refusal('R')), outcome(refusal('HPE'))), []);
  assert.deepEqual(signatures(outcome(refusal('R')), outcome(echo('/'))), ['codec|refused-only-by-us|R']);
  assert.deepEqual(signatures(outcome(echo('/')), outcome(refusal('HPE'))), ['codec|accepted-only-by-us|HPE']);
  assert.deepEqual(signatures(outcome(echo('/', 'YQ==')), outcome(echo('/'))), ['codec|different-meaning|body']);
  assert.deepEqual(signatures(outcome(refusal('R', false)), outcome(refusal('HPE'))), ['codec|late-refusal-by-us|HPE']);
  // Only the first difference counts: what follows it is its consequence.
  assert.deepEqual(signatures(outcome(echo('/a'), echo('/b')), outcome(echo('/a'), refusal('HPE'))), [
    'codec|accepted-only-by-us|HPE',
  ]);
  // We closed without a word where llhttp refused: the same verdict, unless we were still waiting.
  assert.deepEqual(signatures(outcome(), outcome(refusal('HPE'))), []);
  assert.deepEqual(signatures({ ...outcome(), openAtEof: true }, outcome(refusal('HPE'))), [
    'codec|late-refusal-by-us|HPE',
  ]);
  assert.deepEqual(signatures(outcome(), outcome(echo('/'))), ['codec|stopped-only-by-us|closed / llhttp message']);
});
