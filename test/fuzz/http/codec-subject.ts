/**
 * Our pure codec as a fuzz subject: `RequestParser` fed the input's reads (`parseChunks`), once with
 * the input left open and once with `finish()` after it (the client half-closed), turned into an
 * {@link Outcome}. A head with an Expect we do not meet is answered 417, as the server answers it,
 * and what its body does after that changes nothing.
 */
import type { ProtocolError } from '../../../src/errors.js';
import { type ParsedRequest, parseChunks } from '../../helpers/http-parse.js';
import type { FuzzInput } from '../core/input.js';
import type { Answer, Outcome } from './outcome.js';
import { pieces } from './request-inputs.js';

/** The rule a refusal names: the error code and its message with the input's own values left out. */
export function ruleOf(error: ProtocolError): string {
  const message = error.message
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .replace(/(transfer-coding) .*/, '$1 …');
  return `${error.code}: ${message}`;
}

function parsed(m: ParsedRequest): Answer {
  if (m.expect !== undefined) return { kind: 'status', status: 417, method: m.method };
  const { method, target, version, headers, trailers } = m;
  const body = Buffer.from(m.body, 'latin1').toString('base64');
  return {
    kind: 'message',
    echo: { method, target, version, headers, body, trailers },
    keepAlive: m.keepAlive,
    upgrade: m.upgrade,
  };
}

export function codecOutcome(input: FuzzInput): Outcome {
  const chunks = pieces(input.bytes, input.splits);
  const open = parseChunks(chunks);
  const ended = parseChunks(chunks, { finish: true });
  const answers = ended.messages.filter((m) => m.complete || m.expect !== undefined).map(parsed);
  const last = ended.messages[ended.messages.length - 1];
  const cut = last !== undefined && !last.complete ? last : undefined;
  if (ended.error !== undefined && cut?.expect === undefined) {
    answers.push({
      kind: 'refusal',
      rule: ruleOf(ended.error),
      status: ended.error.status,
      early: open.error !== undefined,
      afterHead: cut !== undefined,
      ...(cut === undefined ? {} : { method: cut.method }),
    });
  }
  return { answers, end: ended.state, openAtEof: open.state === 'head' || open.state === 'body' };
}
