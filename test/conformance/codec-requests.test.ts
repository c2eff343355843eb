/**
 * Runs every active case of llhttp's request corpus through the codec, whole, split at every offset
 * and one byte at a time, without ending the input (unless the case half-closes): a case to reject
 * must be refused from its bytes alone, as llhttp does. Cases where we answer differently from llhttp on purpose are the corpus's
 * own alternatives; docs/conformance.md lists them with the RFC sections behind them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judge, type Observation } from '../helpers/corpus-judge.js';
import { type ParseResult, parseChunks, splits } from '../helpers/http-parse.js';
import { alternatives, type CorpusCase, caseBytes, loadRequestCorpus } from '../helpers/request-corpus.js';

/** What the parser made of a case, in the terms the judge shares with the socket run. */
function observe(c: CorpusCase, result: ParseResult): Observation {
  const { error, state } = result;
  let ending: Observation['ending'] = 'open';
  // After a half-close the server closes because the client did: an idle parser is a close too.
  if (error || state === 'closed' || (c.wire.halfClose && state === 'head')) ending = 'closed';
  else if (state === 'paused') ending = 'upgraded';
  return {
    accepted: result.messages
      .filter((m) => m.complete)
      .map((m) => ({
        method: m.method,
        target: m.target,
        version: m.version,
        headers: m.headers,
        body: Buffer.from(m.body, 'latin1').toString('base64'),
        trailers: m.trailers,
      })),
    refusal: error?.status,
    afterRefusal: 0,
    ending,
    silentRejectOk: false,
  };
}

for (const c of loadRequestCorpus()) {
  test(`codec ${c.id}`, () => {
    const bytes = caseBytes(c);
    const alts = alternatives(c);
    // Judged with the input still open unless the client half-closed: input that is certainly
    // invalid must be refused as soon as its bytes are in, without waiting for EOF or a timeout.
    const finish = c.wire.halfClose;
    let chosen: number | undefined;
    for (const { name, chunks } of splits(bytes)) {
      const ok = judge(c, observe(c, parseChunks(chunks, { finish })), alts, name);
      chosen ??= ok;
      assert.equal(ok, chosen, `${name}: outcome depends on how the input is split`);
    }
  });
}
