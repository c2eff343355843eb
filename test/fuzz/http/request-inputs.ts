/**
 * Inputs of the HTTP request fuzzer: seeds (every case of the llhttp request corpus, with Host
 * injected where the corpus offers it, and our own), mutated at the grammar level
 * (`request-mutators.ts`), then sometimes at the byte level, and sometimes cut into several reads.
 */

import { caseBytes, loadRequestCorpus } from '../../helpers/request-corpus.js';
import type { FuzzInput } from '../core/input.js';
import { byteMutators, MutatorRegistry, mutatedInput } from '../core/mutators.js';
import type { Prng } from '../core/prng.js';
import { cloneStream, parseStream, type RequestModel, type StreamModel, serializeStream } from './message-model.js';
import { requestMutators } from './request-mutators.js';

/** Seeds of our own: shapes the corpus has few of (bodies, trailers, pipelining, upgrades, absolute-form). */
export const OWN_REQUEST_SEEDS: readonly string[] = [
  'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n',
  'POST /upload HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
  'POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n',
  'HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n',
  'GET http://example.com/abs?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n',
  'GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
  'PUT /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc',
  'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhiGET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
  'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n',
  'DELETE /items/1 HTTP/1.1\r\nHost: a\r\nCookie: a=b; c=d\r\nAccept: */*\r\nUser-Agent: fuzz/1.0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED',
  'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n',
  'PATCH /p?q=%20|"{} HTTP/1.1\r\nHost: a:8080\r\nContent-Length: 0\r\n\r\n',
  'POST /f HTTP/1.0\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody',
];

/** Makes the inputs of one run: a pure function of the PRNG it is given. */
export class RequestInputs {
  readonly seeds: readonly StreamModel[];
  readonly #seedBytes: readonly Buffer[];
  readonly #grammar: MutatorRegistry<StreamModel>;
  readonly #bytes: MutatorRegistry<Buffer>;

  constructor() {
    const texts = [
      ...loadRequestCorpus({ all: true }).map((c) => caseBytes(c).toString('latin1')),
      ...OWN_REQUEST_SEEDS,
    ];
    this.seeds = texts.map(parseStream);
    this.#seedBytes = texts.map((t) => Buffer.from(t, 'latin1'));
    const messages = this.seeds.flatMap((s) => s.messages);
    const seedMessage = (rng: Prng): RequestModel => structuredClone(rng.pick(messages));
    this.#grammar = new MutatorRegistry(requestMutators(seedMessage));
    this.#bytes = new MutatorRegistry(byteMutators((rng) => rng.pick(this.#seedBytes)));
  }

  generate(rng: Prng): FuzzInput {
    const serialize = (model: StreamModel): Buffer => Buffer.from(serializeStream(model), 'latin1');
    return mutatedInput(rng, cloneStream(rng.pick(this.seeds)), this.#grammar, this.#bytes, serialize, {
      maxRounds: 4,
      maxSplits: 3,
    });
  }
}

/** `bytes` cut at `splits` (sorted offsets inside it). */
export function pieces(bytes: Buffer, splits: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const at of splits) {
    if (at <= from || at >= bytes.length) continue;
    out.push(bytes.subarray(from, at));
    from = at;
  }
  out.push(bytes.subarray(from));
  return out;
}
