import { ProtocolError } from '../../errors.js';
import type { Framing } from './body-decoder.js';
import { allIn, HOST } from './chars.js';
import { listElements } from './fields.js';

/**
 * What the fields of one head say about framing and connection handling, gathered while the fields
 * are parsed (so no second pass over the headers) and judged once the head is complete.
 */
export class HeadFacts {
  hosts = 0;
  hostValid = true;
  /** Content-Length value, or -1 when absent. */
  contentLength = -1;
  /** Transfer-codings in order, or undefined when no Transfer-Encoding field was sent. */
  codings: string[] | undefined = undefined;
  close = false;
  keepAliveToken = false;
  upgradeToken = false;
  upgradeField = false;
  expect: string | undefined = undefined;

  // Judged by `judgeRequest`:
  keepAlive = true;
  framing: Framing = 'none';
  expectContinue = false;
  upgrade = false;
}

/** Records what the field at `headers[index]` (name) / `headers[index + 1]` (value) means. */
export function noteField(facts: HeadFacts, headers: readonly string[], index: number): void {
  const name = headers[index] as string;
  const value = headers[index + 1] as string;
  switch (name.length) {
    case 4:
      if (name.toLowerCase() === 'host') noteHost(facts, value);
      return;
    case 6:
      if (name.toLowerCase() === 'expect') facts.expect = value;
      return;
    case 7:
      if (name.toLowerCase() === 'upgrade') facts.upgradeField = true;
      return;
    case 10:
      if (name.toLowerCase() === 'connection') noteConnection(facts, value);
      return;
    case 14:
      if (name.toLowerCase() === 'content-length') noteContentLength(facts, value);
      return;
    case 17:
      if (name.toLowerCase() === 'transfer-encoding') noteCodings(facts, value);
      return;
  }
}

function noteHost(facts: HeadFacts, value: string): void {
  facts.hosts++;
  if (!allIn(HOST, Buffer.from(value, 'latin1'), 0, value.length)) facts.hostValid = false;
}

function noteConnection(facts: HeadFacts, value: string): void {
  for (const option of listElements(value)) {
    if (option === 'close') facts.close = true;
    else if (option === 'keep-alive') facts.keepAliveToken = true;
    else if (option === 'upgrade') facts.upgradeToken = true;
  }
}

/**
 * Content-Length is digits only (RFC 9110 §8.6): no sign, no spaces inside, at most 2^53-1. A list of
 * identical values (`42, 42`, or the field repeated) is one value; different values are refused
 * (RFC 9112 §6.3 rule 5).
 */
function noteContentLength(facts: HeadFacts, value: string): void {
  for (const element of value.split(',')) {
    const digits = element.replace(/^[ \t]+|[ \t]+$/g, '');
    if (!/^[0-9]{1,16}$/.test(digits)) throw badFraming(`invalid Content-Length "${value}"`);
    const length = Number(digits);
    if (length > Number.MAX_SAFE_INTEGER) throw badFraming('Content-Length overflows');
    if (facts.contentLength !== -1 && facts.contentLength !== length)
      throw badFraming('conflicting Content-Length values');
    facts.contentLength = length;
  }
}

function noteCodings(facts: HeadFacts, value: string): void {
  facts.codings ??= [];
  for (const element of listElements(value)) {
    const semicolon = element.indexOf(';');
    facts.codings.push((semicolon === -1 ? element : element.slice(0, semicolon)).trim());
  }
}

/**
 * Judges a complete request head (RFC 9112 §3.2, §6, §9.3): exactly one valid Host for HTTP/1.1,
 * never Transfer-Encoding beside Content-Length, chunked last and once, other codings 501.
 */
export function judgeRequest(facts: HeadFacts, version: '1.0' | '1.1', connect: boolean, maxBodyBytes: number): void {
  if (facts.hosts > 1 || (version === '1.1' && facts.hosts === 0)) {
    throw new ProtocolError('WK_ERR_HTTP_INVALID_HOST', 400, 'HTTP/1.1 requests need exactly one Host field');
  }
  if (!facts.hostValid) throw new ProtocolError('WK_ERR_HTTP_INVALID_HOST', 400, 'Host is not a valid authority');
  if (connect) {
    // RFC 9110 §9.3.6: a CONNECT request has no content; what follows the head is tunnel data.
    facts.framing = 'none';
    facts.contentLength = 0;
  } else if (facts.codings !== undefined) {
    judgeCodings(facts, facts.codings, version);
    facts.framing = 'chunked';
  } else if (facts.contentLength > 0) {
    if (facts.contentLength > maxBodyBytes) {
      throw new ProtocolError('WK_ERR_HTTP_BODY_TOO_LARGE', 413, `body larger than ${maxBodyBytes} bytes`);
    }
    facts.framing = 'length';
  } else {
    facts.framing = 'none';
    facts.contentLength = 0;
  }
  facts.keepAlive = !facts.close && (version === '1.1' || facts.keepAliveToken);
  facts.upgrade = connect || (facts.upgradeToken && facts.upgradeField);
  facts.expectContinue = facts.expect !== undefined && facts.expect.toLowerCase() === '100-continue';
  if (facts.expectContinue) facts.expect = undefined;
}

function judgeCodings(facts: HeadFacts, codings: readonly string[], version: '1.0' | '1.1'): void {
  // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
  if (version === '1.0') throw badFraming('Transfer-Encoding in an HTTP/1.0 request');
  if (facts.contentLength !== -1) throw badFraming('both Transfer-Encoding and Content-Length');
  const last = codings.length - 1;
  if (last < 0 || codings[last] !== 'chunked') throw badFraming('chunked is not the final transfer-coding');
  if (codings.indexOf('chunked') !== last) throw badFraming('chunked applied more than once');
  if (last > 0)
    throw new ProtocolError('WK_ERR_HTTP_UNSUPPORTED_CODING', 501, `unsupported transfer-coding ${codings[0]}`);
  facts.contentLength = -1;
}

function badFraming(message: string): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_INVALID_FRAMING', 400, message);
}
