/**
 * Runs every active case of llhttp's response corpus through the response parser, whole, split at
 * every offset and one byte at a time, with the input left open and then closed (`finish`). Each case
 * must come to llhttp's outcome, or to the outcome listed for it in DEVIATIONS, where RFC 9110/9112
 * lead us to a different answer; docs/conformance.md (Responses) lists the same cases and reasons.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ErrorCode } from '../../src/errors.js';
import { splits } from '../helpers/http-parse.js';
import { REPO_ROOT } from '../helpers/paths.js';
import {
  type ExpectedResponse,
  llhttpOutcome,
  loadResponseCorpus,
  type Outcome,
  type ResponseCase,
  requestMethods,
  responseBytes,
} from '../helpers/response-corpus.js';
import { parseResponseChunks, type ResponseParseResult } from '../helpers/response-parse.js';

/** Cases where our answer differs from llhttp's, with the RFC section behind it and the outcome we assert instead. */
const DEVIATIONS: Record<string, { rfc: string; outcome: Outcome }> = {
  'llhttp/response/sample:40': {
    rfc: 'RFC 9112 §2.3: HTTP-name is the case-sensitive "HTTP"; `RTSP/1.1 200 OK` is not an HTTP response',
    outcome: { verdict: 'reject', messages: [] },
  },
  'llhttp/response/sample:60': {
    rfc: 'RFC 9112 §2.3: HTTP-name is the case-sensitive "HTTP"; `ICE/1.1 200 OK` is not an HTTP response',
    outcome: { verdict: 'reject', messages: [] },
  },
  'llhttp/response/sample:645': {
    rfc: 'RFC 9112 §2.3, RFC 9110 §2.5: only HTTP/1.0 and HTTP/1.1 are spoken; HTTP/0.9 has no status line at all',
    outcome: { verdict: 'reject', messages: [] },
  },
};

/** The error each rejected case must end in: rejected for the right reason, not merely rejected. */
const REJECT_CODES: Record<string, ErrorCode> = {
  // Bytes after a `Connection: close` response (llhttp: data after close): held, never parsed.
  'llhttp/response/connection:164': 'WK_ERR_HTTP_UNSOLICITED_RESPONSE',
  'llhttp/response/connection:225': 'WK_ERR_HTTP_UNSOLICITED_RESPONSE',
  // Protocol or version other than HTTP/1.0 and 1.1, spacing, status digits, a CR inside the line.
  'llhttp/response/invalid:4': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/invalid:19': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/invalid:36': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/invalid:53': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/invalid:72': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/invalid:90': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/invalid:132': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/invalid:176': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/invalid:195': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/invalid:231': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/invalid:269': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/sample:40': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/sample:60': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/sample:80': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  'llhttp/response/sample:645': 'WK_ERR_HTTP_INVALID_STATUS_LINE',
  // A CR inside a value, obs-fold, a space inside a field name.
  'llhttp/response/invalid:108': 'WK_ERR_HTTP_INVALID_HEADER',
  'llhttp/response/invalid:212': 'WK_ERR_HTTP_INVALID_HEADER',
  'llhttp/response/sample:574': 'WK_ERR_HTTP_INVALID_HEADER',
  // Bare LF (RFC 9112 §2.2 allows either answer; LineReader explains ours).
  'llhttp/response/invalid:287': 'WK_ERR_HTTP_INVALID_LINE_ENDING',
  'llhttp/response/invalid:327': 'WK_ERR_HTTP_INVALID_LINE_ENDING',
  'llhttp/response/sample:330': 'WK_ERR_HTTP_INVALID_LINE_ENDING',
  // Whitespace or junk after a chunk size, `;` without a name, an unterminated quoted extension.
  'llhttp/response/transfer-encoding:4': 'WK_ERR_HTTP_INVALID_CHUNK',
  'llhttp/response/transfer-encoding:212': 'WK_ERR_HTTP_INVALID_CHUNK',
  'llhttp/response/transfer-encoding:248': 'WK_ERR_HTTP_INVALID_CHUNK',
  'llhttp/response/transfer-encoding:345': 'WK_ERR_HTTP_INVALID_CHUNK',
};

/** Why `got` does not match `want`, or undefined. `closed`: judged after `finish()`. */
function messagesMismatch(got: ResponseParseResult, want: ExpectedResponse[], closed: boolean): string | undefined {
  if (got.messages.length !== want.length) return `${got.messages.length} heads, expected ${want.length}`;
  for (const [i, w] of want.entries()) {
    const g = got.messages[i];
    if (!g) return `no message ${i}`;
    const actual = {
      version: g.version,
      status: g.status,
      reason: g.reason,
      headers: g.headers,
      body: g.body,
      complete: g.complete,
      framing: g.framing,
      keepAlive: w.keepAlive === null ? null : g.keepAlive,
      ...(w.trailers ? { trailers: g.trailers } : {}),
    };
    // At the close a close-delimited body is complete (llhttp_finish() says so too).
    const complete = w.complete || (closed && w.framing === 'close');
    try {
      assert.deepEqual(actual, { ...w, complete });
    } catch {
      return `message ${i}: got ${JSON.stringify(actual)}, want ${JSON.stringify({ ...w, complete })}`;
    }
  }
  return undefined;
}

/** Why the parse of one split does not come to `outcome`, or undefined when it does. */
function mismatch(c: ResponseCase, outcome: Outcome, chunks: Uint8Array[]): string | undefined {
  const methods = requestMethods(c);
  const open = parseResponseChunks(chunks, { methods });
  const closed = parseResponseChunks(chunks, { methods, finish: true });
  const rest = responseBytes(c).subarray(outcome.heldFrom ?? 0);
  switch (outcome.verdict) {
    case 'accept':
    case 'accept-on-close':
    case 'incomplete': {
      if (open.error) return `open: ${open.error.code} ${open.error.message}`;
      const eofError = outcome.verdict === 'incomplete' ? 'WK_ERR_UNEXPECTED_EOF' : undefined;
      if (closed.error?.code !== eofError) return `at the close: ${closed.error?.code ?? 'no error'}, want ${eofError}`;
      return messagesMismatch(open, outcome.messages, false) ?? messagesMismatch(closed, outcome.messages, true);
    }
    case 'reject': {
      if (!closed.error) return 'no error';
      const code = REJECT_CODES[c.id];
      if (closed.error.code !== code || closed.error.status !== 502)
        return `error ${closed.error.code}/${closed.error.status} (${closed.error.message}), want ${code}/502`;
      if (
        outcome.heldFrom !== undefined &&
        (closed.held.length === 0 || !rest.subarray(0, closed.held.length).equals(closed.held))
      )
        return `held ${JSON.stringify(closed.held.toString('latin1'))} is not the start of the unsolicited bytes`;
      return messagesMismatch(closed, outcome.messages, false);
    }
    case 'upgrade':
      if (open.error) return `open: ${open.error.code}`;
      if (open.state !== 'paused') return `state ${open.state}, expected paused`;
      if (!open.held.equals(rest)) return `held ${JSON.stringify(open.held.toString('latin1'))}`;
      return messagesMismatch(open, outcome.messages, false);
  }
}

for (const c of loadResponseCorpus()) {
  test(`response codec ${c.id}`, () => {
    const outcome = DEVIATIONS[c.id]?.outcome ?? llhttpOutcome(c);
    for (const { name, chunks } of splits(responseBytes(c))) {
      const reason = mismatch(c, outcome, chunks);
      assert.equal(reason, undefined, `${name}: ${reason} :: ${JSON.stringify(c.rawText)}`);
    }
  });
}

test('every deviation and reject code names an active case, and docs/conformance.md lists each deviation', () => {
  const ids = new Set(loadResponseCorpus().map((c) => c.id));
  const docs = readFileSync(join(REPO_ROOT, 'docs/conformance.md'), 'utf8');
  const responses = docs.slice(docs.indexOf('## Responses'));
  for (const id of Object.keys(DEVIATIONS)) {
    assert.ok(ids.has(id), id);
    assert.ok(responses.includes(`\`${id}\``), `${id} is not in docs/conformance.md under Responses`);
  }
  for (const id of Object.keys(REJECT_CODES)) assert.ok(ids.has(id), id);
});
