/**
 * Inputs of the HTTP response fuzzer: the llhttp response corpus and our own responses, mutated at
 * the grammar level (status line, and the field, framing, chunked and line-end mutators shared with
 * requests), sometimes at the byte level, sometimes cut into reads. Each input answers one request,
 * whose method is its `context` (GET, sometimes HEAD).
 */
import { loadResponseCorpus, responseBytes } from '../../helpers/response-corpus.js';
import type { FuzzInput } from '../core/input.js';
import { byteMutators, type Mutator, MutatorRegistry, mutatedInput } from '../core/mutators.js';
import type { Prng } from '../core/prng.js';
import { cloneStream, parseStream, type StreamModel, serializeStream } from './message-model.js';
import { messageMutators, onMessage } from './request-mutators.js';

// biome-ignore format: a table reads better packed
const STATUS_VERSIONS = [
  'HTTP/1.1', 'HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.2', 'http/1.1', 'HTTP/1', 'HTTP/1.1 ', 'RTSP/1.1', 'ICE/1.1', '',
];
// biome-ignore format: a table reads better packed
const STATUS_CODES = [
  '200', '204', '304', '100', '101', '103', '199', '404', '500', '599', '600', '099', '20', '2000', '-20', 'abc', '', '200 ',
  '301', '1xx',
];
const REASONS = ['OK', '', 'Not Found', 'a\tb', 'a\x7fb', 'é', '\xff', 'OK\x00', 'OK ', ' OK', 'x'.repeat(300)];

const statusLine: Mutator<StreamModel>[] = [
  onMessage('status:version', 2, (rng, m) => {
    m.method = rng.pick(STATUS_VERSIONS);
  }),
  onMessage('status:code', 3, (rng, m) => {
    m.target = rng.pick(STATUS_CODES);
  }),
  onMessage('status:reason', 2, (rng, m) => {
    m.version = rng.pick(REASONS);
  }),
];

/** Responses of our own: the shapes clients meet most (length, chunked with trailers, close-delimited, 1xx, 204/304). */
export const OWN_RESPONSE_SEEDS: readonly string[] = [
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: yes\r\n\r\n',
  'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the close',
  'HTTP/1.0 200 OK\r\n\r\nold style',
  'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n',
  'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n',
  'HTTP/1.1 301 Moved Permanently\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
];

export class ResponseInputs {
  readonly seeds: readonly StreamModel[];
  readonly #seedBytes: readonly Buffer[];
  readonly #grammar = new MutatorRegistry([...statusLine, ...messageMutators]);
  readonly #bytes: MutatorRegistry<Buffer>;

  constructor() {
    const texts = [...loadResponseCorpus().map((c) => responseBytes(c).toString('latin1')), ...OWN_RESPONSE_SEEDS];
    this.seeds = texts.map(parseStream);
    this.#seedBytes = texts.map((t) => Buffer.from(t, 'latin1'));
    this.#bytes = new MutatorRegistry(byteMutators((rng) => rng.pick(this.#seedBytes)));
  }

  generate(rng: Prng): FuzzInput {
    const serialize = (model: StreamModel): Buffer => Buffer.from(serializeStream(model), 'latin1');
    const seed = cloneStream(rng.pick(this.seeds));
    const input = mutatedInput(rng, seed, this.#grammar, this.#bytes, serialize, { maxRounds: 3, maxSplits: 1 });
    return { ...input, context: rng.chance(0.05) ? 'HEAD' : 'GET' };
  }
}
