import { ProtocolError } from '../../errors.js';
import type { Framing } from './body-decoder.js';
import { HOST } from './chars.js';
import { isField } from './field-names.js';
import { isFieldName } from './field-validation.js';
import { listElements, trimOws } from './fields.js';

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
  /** Why the Transfer-Encoding value is malformed (a request refuses it), or undefined. */
  codingError: string | undefined = undefined;
  /** The Transfer-Encoding list has an empty element (`chunked,`): a request refuses it. */
  codingGap = false;
  /** A Transfer-Encoding field with an empty value was sent: refused in a request and a response. */
  codingFieldEmpty = false;
  close = false;
  /** `Proxy-Connection: close` (not standard; only the response parser reads it). */
  proxyClose = false;
  keepAliveToken = false;
  upgradeToken = false;
  upgradeField = false;
  expect: string | undefined = undefined;

  // Judged by `judgeRequest` / `judgeResponse`:
  keepAlive = true;
  framing: Framing = 'none';
  expectContinue = false;
  upgrade = false;

  /** Back to the state of a new object, for the next message (the parser keeps one instance). */
  reset(): void {
    this.hosts = 0;
    this.hostValid = true;
    this.contentLength = -1;
    this.codings = undefined;
    this.codingError = undefined;
    this.codingGap = false;
    this.codingFieldEmpty = false;
    this.close = false;
    this.proxyClose = false;
    this.keepAliveToken = false;
    this.upgradeToken = false;
    this.upgradeField = false;
    this.expect = undefined;
    this.keepAlive = true;
    this.framing = 'none';
    this.expectContinue = false;
    this.upgrade = false;
  }
}

/** Records what the field at `headers[index]` (name) / `headers[index + 1]` (value) means. */
export function noteField(facts: HeadFacts, headers: readonly string[], index: number): void {
  const name = headers[index] as string;
  const value = headers[index + 1] as string;
  // Dispatch on the length first: most fields are none of these and cost one switch.
  switch (name.length) {
    case 4:
      if (isField(name, 'host')) noteHost(facts, value);
      return;
    case 6:
      if (isField(name, 'expect')) facts.expect = value;
      return;
    case 7:
      // An empty Upgrade names no protocol: no upgrade (llhttp agrees).
      if (isField(name, 'upgrade') && value !== '') facts.upgradeField = true;
      return;
    case 10:
      if (isField(name, 'connection')) noteConnection(facts, value);
      return;
    case 14:
      if (isField(name, 'content-length')) noteContentLength(facts, value);
      return;
    case 16:
      if (isField(name, 'proxy-connection')) facts.proxyClose = listElements(value).includes('close');
      return;
    case 17:
      if (isField(name, 'transfer-encoding')) noteCodings(facts, value);
      return;
  }
}

/** The last Host value found valid: a keep-alive client sends the same string again (chars.ts, latin1Reusing). */
let validHost: string | undefined;

function noteHost(facts: HeadFacts, value: string): void {
  facts.hosts++;
  if (value === validHost) return;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0xff || HOST[code] === 0) {
      facts.hostValid = false;
      return;
    }
  }
  validHost = value;
}

function noteConnection(facts: HeadFacts, value: string): void {
  // The two values nearly every request sends, without splitting a list.
  if (isField(value, 'keep-alive')) {
    facts.keepAliveToken = true;
    return;
  }
  if (isField(value, 'close')) {
    facts.close = true;
    return;
  }
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
  // Nearly every message has one plain value: read it without splitting or regular expressions.
  const plain = plainDigits(value);
  if (plain !== -1) {
    if (facts.contentLength !== -1 && facts.contentLength !== plain)
      throw badFraming('conflicting Content-Length values');
    facts.contentLength = plain;
    return;
  }
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

/** The number written by `value` when it is 1 to 15 ASCII digits and nothing else, else -1. */
function plainDigits(value: string): number {
  const n = value.length;
  if (n === 0 || n > 15) return -1;
  let out = 0;
  for (let i = 0; i < n; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    out = out * 10 + digit;
  }
  return out;
}

function noteCodings(facts: HeadFacts, value: string): void {
  facts.codings ??= [];
  // Nearly every message sends exactly `chunked`: no split, no regular expression.
  if (isField(value, 'chunked')) {
    facts.codings.push('chunked');
    return;
  }
  // An empty field beside others (`Transfer-Encoding:` then `Transfer-Encoding: chunked`) is as
  // malformed as one alone; llhttp refuses both (Node 24's llhttp; Node 20's ignored the empty one).
  if (value === '') facts.codingFieldEmpty = true;
  for (const element of value.split(',')) {
    const coding = trimOws(element);
    if (coding === '') {
      // Kept as an empty coding: a response whose list ends empty (`chunked,`) has no final chunked
      // and is read to the close, as llhttp reads it; a request refuses any gap (judgeCodings).
      if (value !== '') {
        facts.codingGap = true;
        facts.codings.push('');
      }
      continue;
    }
    const semicolon = coding.indexOf(';');
    const name = (semicolon === -1 ? coding : trimOws(coding.slice(0, semicolon))).toLowerCase();
    facts.codings.push(name);
    facts.codingError ??= codingError(name, semicolon === -1 ? '' : coding.slice(semicolon), value);
  }
}

/** `*( OWS ";" OWS token BWS "=" BWS ( token / quoted-string ) )`, quoted-string without obs-text. */
const TRANSFER_PARAMETERS =
  /^(?:[ \t]*;[ \t]*[-!#$%&'*+.^_`|~0-9A-Za-z]+[ \t]*=[ \t]*(?:[-!#$%&'*+.^_`|~0-9A-Za-z]+|"(?:[\t \x21\x23-\x5b\x5d-\x7e]|\\[\t \x21-\x7e])*"))*$/;

/**
 * What is wrong with one transfer-coding, `token *( OWS ";" OWS transfer-parameter )` (RFC 9110
 * §10.1.4), or undefined: a name that is not a token, a byte outside the grammar (obs-text such as
 * 0x80 or NBSP among them: a front proxy that reads `chunked\xa0` differently is how a request is
 * smuggled past it), or parameters on chunked, which defines none (RFC 9112 §7). A request refuses
 * any of these (400); a response is read as before (rule 4 of RFC 9112 §6.3, as llhttp does).
 */
function codingError(name: string, parameters: string, value: string): string | undefined {
  if (!isFieldName(name) || (parameters !== '' && !TRANSFER_PARAMETERS.test(parameters))) {
    return `malformed Transfer-Encoding ${JSON.stringify(value)}`;
  }
  return parameters !== '' && name === 'chunked' ? 'chunked takes no parameters' : undefined;
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
    // RFC 9110 §9.3.6: a CONNECT request has no content; what follows the head is tunnel data. Its
    // framing fields still must not contradict each other (a proxy in front may read a body).
    if (facts.codings !== undefined && facts.contentLength !== -1)
      throw badFraming('both Transfer-Encoding and Content-Length');
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
  const continues = facts.expect !== undefined && facts.expect.toLowerCase() === '100-continue';
  // RFC 9110 §10.1.1: a server MUST ignore a 100-continue expectation in an HTTP/1.0 request.
  facts.expectContinue = continues && version === '1.1';
  if (continues) facts.expect = undefined;
}

function judgeCodings(facts: HeadFacts, codings: readonly string[], version: '1.0' | '1.1'): void {
  if (facts.codingError !== undefined) throw badFraming(facts.codingError);
  // RFC 9110 §5.6.1 lets a list hold empty elements, but llhttp refuses `chunked,` and nginx and Go
  // accept nothing but `chunked`: a request framed by a value its neighbours may read otherwise is refused.
  if (facts.codingGap) throw badFraming('empty element in Transfer-Encoding');
  checkCodings(facts, codings, version, 'request');
  if (codings[codings.length - 1] !== 'chunked') throw badFraming('chunked is not the final transfer-coding');
  if (codings.length > 1)
    throw new ProtocolError('WK_ERR_HTTP_UNSUPPORTED_CODING', 501, `unsupported transfer-coding ${codings[0]}`);
  facts.contentLength = -1;
}

/**
 * What requests and responses refuse alike in Transfer-Encoding: any in HTTP/1.0 (RFC 9112 §6.1:
 * the framing is faulty), beside Content-Length (§6.3 rule 3, docs/architecture.md, Rules), an empty list,
 * and chunked applied twice (§6.1).
 */
function checkCodings(facts: HeadFacts, codings: readonly string[], version: '1.0' | '1.1', kind: string): void {
  if (version === '1.0') throw badFraming(`Transfer-Encoding in an HTTP/1.0 ${kind}`);
  if (facts.contentLength !== -1) throw badFraming('both Transfer-Encoding and Content-Length');
  if (codings.length === 0 || facts.codingFieldEmpty) throw badFraming('empty Transfer-Encoding');
  if (codings.indexOf('chunked') !== codings.lastIndexOf('chunked')) throw badFraming('chunked applied more than once');
}

/**
 * Judges a complete response head: its body length by RFC 9112 §6.3, in the rule order there, and
 * whether the connection persists (§9.3). `method` is that of the request it answers, which only
 * the caller knows (docs/architecture.md, http/codec). Sets `framing` ('none' when `upgrade`), `contentLength`
 * (the body bytes that follow: -1 for chunked and close), `keepAlive` and `upgrade`.
 *
 * @example
 * ```ts
 * judgeResponse(facts, '1.1', 200, 'HEAD', Infinity); // facts.framing === 'none', whatever Content-Length says
 * ```
 */
export function judgeResponse(
  facts: HeadFacts,
  version: '1.0' | '1.1',
  status: number,
  method: string,
  maxBodyBytes: number,
): void {
  facts.keepAlive = !facts.close && !facts.proxyClose && (version === '1.1' || facts.keepAliveToken);
  // Rule 2 and RFC 9110 §15.2.2: after a 2xx to CONNECT or a 101 the connection is no longer HTTP.
  facts.upgrade = status === 101 || (method === 'CONNECT' && status >= 200 && status < 300);
  if (facts.upgrade || method === 'HEAD' || status < 200 || status === 204 || status === 304) {
    // Rule 1: no content, whatever Content-Length or Transfer-Encoding say.
    facts.framing = 'none';
    facts.contentLength = 0;
    if (facts.upgrade) facts.keepAlive = false;
  } else if (facts.codings !== undefined) {
    checkCodings(facts, facts.codings, version, 'response');
    // Rule 4: a response whose final coding is not chunked runs to the close, still encoded.
    // A malformed value (`chunked\xa0`, `chunked;`, `chunked,`) is not chunked: read to the close, as llhttp does.
    const chunked = facts.codingError === undefined && facts.codings[facts.codings.length - 1] === 'chunked';
    facts.framing = chunked ? 'chunked' : 'close';
    facts.contentLength = -1;
  } else if (facts.contentLength >= 0) {
    if (facts.contentLength > maxBodyBytes) throw responseTooLarge(maxBodyBytes);
    facts.framing = 'length';
  } else {
    // Rule 7: no framing fields, so the body runs to the close.
    facts.framing = 'close';
  }
  if (facts.framing === 'close') facts.keepAlive = false;
}

/** The response body limit, crossed by an announced length (BodyDecoder's counted case is mapped to the same code). */
function responseTooLarge(maxBodyBytes: number): ProtocolError {
  return new ProtocolError('WK_ERR_RESPONSE_TOO_LARGE', 502, `response body larger than ${maxBodyBytes} bytes`);
}

function badFraming(message: string): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_INVALID_FRAMING', 400, message);
}
