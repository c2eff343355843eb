/**
 * Runs every active case of llhttp's request corpus through the codec, whole, split at every offset
 * and one byte at a time. Cases where we answer differently from llhttp on purpose are the corpus's
 * own alternatives; docs/conformance.md lists them with the RFC sections behind them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ParseResult, parseChunks, splits } from '../helpers/http-parse.js';
import {
  alternatives,
  type CorpusCase,
  caseBytes,
  expectedEcho,
  loadRequestCorpus,
  type WireAlternative,
} from '../helpers/request-corpus.js';

/** Why `result` does not satisfy `alt`, or undefined when it does. */
function mismatch(c: CorpusCase, result: ParseResult, alt: WireAlternative): string | undefined {
  const n = alt.accepted.length;
  if (result.messages.length < n) return `expected ${n} messages, parsed ${result.messages.length}`;
  for (let i = 0; i < n; i++) {
    const got = result.messages[i];
    const want = expectedEcho(c, alt.accepted[i] as never);
    if (!got?.complete) return `message ${i} incomplete`;
    const gotEcho = {
      method: got.method,
      target: got.target,
      version: got.version,
      headers: got.headers,
      body: Buffer.from(got.body, 'latin1').toString('base64'),
    };
    // Some expectations name only a few fields (an unknown method: only that it was served).
    const compared = Object.fromEntries(
      Object.keys(alt.accepted[i] ?? {})
        .filter((k) => k !== 'hostInjected')
        .map((k) => [k, gotEcho[k as keyof typeof gotEcho]]),
    );
    const wanted = Object.fromEntries(Object.keys(compared).map((k) => [k, want[k as keyof typeof want]]));
    try {
      assert.deepEqual(compared, wanted);
    } catch {
      return `message ${i}: got ${JSON.stringify(gotEcho)}, want ${JSON.stringify(want)}`;
    }
  }
  const extra = result.messages.slice(n).filter((m) => m.complete).length;
  switch (alt.then) {
    case 'open':
      if (result.error) return `unexpected error ${result.error.code}`;
      if (extra > 0) return 'more messages than expected';
      return result.state === 'head' || result.state === 'body' ? undefined : `parser ${result.state}, expected open`;
    case 'close':
      if (extra > 0) return 'a message after a closing one was parsed';
      // After a half-close the server closes because the client did: an idle parser is right too.
      if (result.state === 'closed' || (c.wire.halfClose && !result.error && result.state === 'head')) return undefined;
      return `parser ${result.state}, expected closed`;
    case 'reject':
      if (extra > 0) return 'a message was accepted before the rejection';
      if (!result.error) return 'no error';
      if (alt.statuses && !alt.statuses.includes(result.error.status))
        return `status ${result.error.status} not in ${alt.statuses}`;
      return result.error.status >= 400 ? undefined : `status ${result.error.status}`;
    case 'any':
      return undefined;
  }
}

for (const c of loadRequestCorpus()) {
  test(`codec ${c.id}`, () => {
    const bytes = caseBytes(c);
    const alts = alternatives(c);
    // A reject may only show at the end of input; other outcomes are judged with the input still open.
    const finish = c.wire.halfClose || alts.every((a) => a.then === 'reject');
    let chosen: number | undefined;
    for (const { name, chunks } of splits(bytes)) {
      const result = parseChunks(chunks, { finish });
      const reasons = alts.map((alt) => mismatch(c, result, alt));
      const ok = reasons.indexOf(undefined);
      assert.notEqual(ok, -1, `${name}: ${reasons.join(' / ')} :: ${JSON.stringify(c.rawText)}`);
      chosen ??= ok;
      assert.equal(ok, chosen, `${name}: outcome depends on how the input is split`);
    }
  });
}
