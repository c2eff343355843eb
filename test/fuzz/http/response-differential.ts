/**
 * The HTTP response differential: every mutated response goes to our `ResponseParser` (the
 * client's, in-process, then `finish()` as the server closes) and to llhttp's response side through
 * a `node:http` client request answered by a raw server writing the bytes (each piece once the
 * client has read the previous ones), then closing. The first final response is compared: refused
 * by one only, or accepted by both with a different status, version, reason, fields or body.
 */
import http from 'node:http';
import net, { type Socket } from 'node:net';
import { pairs } from '../../helpers/http-parse.js';
import { parseResponseChunks } from '../../helpers/response-parse.js';
import type { Finding } from '../core/buckets.js';
import type { Differential } from '../core/campaign.js';
import type { FuzzInput } from '../core/input.js';
import { afterEachLf } from '../core/minimise.js';
import type { Prng } from '../core/prng.js';
import { ruleOf } from './codec-subject.js';
import { pieces } from './request-inputs.js';
import { ResponseInputs } from './response-inputs.js';

/** What one side made of the first final response. */
export type ResponseVerdict =
  | {
      kind: 'response';
      status: number;
      version: string;
      reason: string;
      headers: [string, string][];
      /** latin1 */
      body: string;
      trailers: [string, string][];
      /** Bytes after the response were refused (unsolicited, or after `Connection: close`); the rule. */
      trailing: string | undefined;
    }
  | { kind: 'refusal'; rule: string }
  /** A 101 (or a tunnel): the bytes after it are another protocol's. */
  | { kind: 'upgrade' };

const WAIT_MS = 5_000;

/** llhttp keeps trailing whitespace in values where we trim it (docs/conformance.md, Responses). */
const trimmed = (fields: [string, string][]): [string, string][] =>
  fields.map(([name, value]) => [name, value.replace(/[ \t]+$/, '')]);

export function codecResponse(input: FuzzInput): ResponseVerdict {
  const method = input.context ?? 'GET';
  const result = parseResponseChunks(pieces(input.bytes, input.splits), { methods: [method], finish: true });
  const first = result.messages.find((m) => !m.interim);
  if (first?.status === 101) return { kind: 'upgrade' };
  if (first === undefined || !first.complete) {
    return { kind: 'refusal', rule: result.error ? ruleOf(result.error) : 'no final response' };
  }
  return {
    kind: 'response',
    status: first.status,
    version: first.version,
    reason: first.reason ?? '',
    headers: first.headers,
    body: first.body,
    trailers: first.trailers,
    trailing: result.error ? ruleOf(result.error) : undefined,
  };
}

/** A raw server that answers each connection with the current input's bytes, then closes. */
class RawResponder {
  readonly server: net.Server;
  readonly #inputs = new Map<number, FuzzInput>();

  constructor() {
    this.server = net.createServer((socket) => this.#answer(socket));
  }

  /** Serves `input` to the client connecting from `port`. */
  expect(port: number, input: FuzzInput): void {
    this.#inputs.set(port, input);
  }

  forget(port: number): void {
    this.#inputs.delete(port);
  }

  #answer(socket: Socket): void {
    socket.on('error', () => {});
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      // Looked up once the request arrived: the client registered its port when it connected.
      const input = this.#inputs.get(socket.remotePort ?? 0);
      if (input === undefined) socket.destroy();
      else void this.#write(socket, input);
    };
    socket.on('data', onData);
  }

  async #write(socket: Socket, input: FuzzInput): Promise<void> {
    for (const piece of pieces(input.bytes, input.splits)) {
      if (socket.destroyed) return;
      await new Promise<void>((resolve) => socket.write(piece, () => resolve()));
      // Let the client read this piece before the next one: a turn per piece is enough on loopback.
      await new Promise((resolve) => setImmediate(resolve));
    }
    socket.end();
  }
}

/** llhttp's verdict, through `http.request` against the raw responder. */
function nodeResponse(port: number, responder: RawResponder, input: FuzzInput): Promise<ResponseVerdict> {
  return new Promise((resolve) => {
    let settled = false;
    let localPort = 0;
    const done = (verdict: ResponseVerdict): void => {
      if (settled) return;
      settled = true;
      responder.forget(localPort);
      req.destroy();
      resolve(verdict);
    };
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: input.context ?? 'GET',
      agent: false,
      timeout: WAIT_MS,
    });
    req.on('socket', (socket: Socket) => {
      socket.on('connect', () => {
        localPort = socket.localPort ?? 0;
        responder.expect(localPort, input);
      });
    });
    req.on('upgrade', () => done({ kind: 'upgrade' }));
    req.on('timeout', () => done({ kind: 'refusal', rule: 'node: timeout' }));
    let response: http.IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    const verdict = (res: http.IncomingMessage, trailing: string | undefined): ResponseVerdict => ({
      kind: 'response',
      status: res.statusCode ?? 0,
      version: res.httpVersion,
      reason: res.statusMessage ?? '',
      headers: trimmed(pairs(res.rawHeaders)),
      body: Buffer.concat(chunks).toString('latin1'),
      trailers: trimmed(pairs(res.rawTrailers)),
      trailing,
    });
    req.on('error', (error: Error & { code?: string; reason?: string }) => {
      const rule = `${error.code ?? 'error'}: ${error.reason ?? error.message}`;
      // llhttp completed the response, then refused what followed it in the same read.
      done(response?.complete ? verdict(response, rule) : { kind: 'refusal', rule });
    });
    req.on('response', (res) => {
      response = res;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('aborted', () => done({ kind: 'refusal', rule: 'node: aborted (incomplete body)' }));
      res.on('error', () => done({ kind: 'refusal', rule: 'node: aborted (incomplete body)' }));
      res.on('end', () => done(verdict(res, undefined)));
    });
    req.end();
  });
}

const FIELDS = ['status', 'version', 'reason', 'headers', 'body', 'trailers'] as const;

function show(v: ResponseVerdict): string {
  if (v.kind !== 'response') return v.kind === 'refusal' ? `refused (${v.rule})` : 'upgrade';
  return `${v.version} ${v.status} ${JSON.stringify(v.reason)} ${JSON.stringify(v.headers)} body=${JSON.stringify(v.body.slice(0, 60))}`;
}

/** The disagreement between our verdict and llhttp's, if any. */
export function compareResponses(ours: ResponseVerdict, theirs: ResponseVerdict): Finding[] {
  const finding = (kind: string, rule: string): Finding[] => [
    { signature: `response|${kind}|${rule}`, detail: `ours: ${show(ours)}; llhttp: ${show(theirs)}` },
  ];
  if (ours.kind === 'upgrade' || theirs.kind === 'upgrade') return [];
  if (ours.kind === 'refusal') return theirs.kind === 'refusal' ? [] : finding('refused-only-by-us', ours.rule);
  if (theirs.kind === 'refusal') return finding('accepted-only-by-us', theirs.rule);
  // When llhttp refused bytes after the response in the same read, its body events were cut short.
  const fields = theirs.trailing === undefined ? FIELDS : FIELDS.slice(0, 4);
  for (const key of fields) {
    if (JSON.stringify(ours[key]) !== JSON.stringify(theirs[key])) return finding('different-meaning', key);
  }
  // Node's client stops reading once the response is complete, so llhttp sees bytes after it only
  // when they came in the same read: only its refusal of them is a verdict to compare.
  if (ours.trailing === undefined && theirs.trailing !== undefined) {
    return finding('trailing-bytes-refused-only-by-llhttp', theirs.trailing);
  }
  return [];
}

export class ResponseDifferential implements Differential {
  readonly name = 'http-response';
  readonly #inputs = new ResponseInputs();
  readonly #responder: RawResponder;

  private constructor(responder: RawResponder) {
    this.#responder = responder;
  }

  static async start(): Promise<ResponseDifferential> {
    const responder = new RawResponder();
    await new Promise<void>((resolve) => responder.server.listen(0, '127.0.0.1', resolve));
    return new ResponseDifferential(responder);
  }

  generate(rng: Prng): FuzzInput {
    return this.#inputs.generate(rng);
  }

  boundaries(bytes: Buffer): number[] {
    return afterEachLf(bytes);
  }

  async judge(input: FuzzInput): Promise<Finding[]> {
    const port = (this.#responder.server.address() as { port: number }).port;
    return compareResponses(codecResponse(input), await nodeResponse(port, this.#responder, input));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#responder.server.close(() => resolve()));
  }
}
