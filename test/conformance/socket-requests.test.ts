/**
 * Runs every active case of llhttp's request corpus over real sockets against the echo handler of
 * docs/architecture.md, Apps that outside tools start (the one the echo app serves, here on `serve()` in-process), whole, split in two at
 * every byte offset, and one byte at a time. The answers are read back with an
 * independent response reader and judged with the same rules as the codec run (corpus-judge.ts).
 *
 * Splits really reach the server as separate reads: after each piece the test waits until the
 * server's socket has read it (ServerSockets) before it writes the next.
 *
 * When the answer may be `open`, the whole and byte-at-a-time runs wait for a quiet period (nothing
 * received, no close); the split runs send a probe request instead and require its answer to come
 * next, which proves both that the connection is still open and that nothing else was answered.
 * Deviations from the corpus are listed in docs/conformance.md under "Requests".
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RequestParser } from '../../src/http/codec/request-parser.js';
import { type HttpServer, serve } from '../../src/http/server/index.js';
import { judge, type Observation } from '../helpers/corpus-judge.js';
import { echoOf, isHeadEcho, wireEchoHandler } from '../helpers/echo-wire.js';
import { splits } from '../helpers/http-parse.js';
import { trackLeaks } from '../helpers/leaks.js';
import { RawClient } from '../helpers/raw-client.js';
import { alternatives, type CorpusCase, caseBytes, loadRequestCorpus } from '../helpers/request-corpus.js';
import { ServerSockets } from '../helpers/server-sockets.js';
import { ECHO_MAX_BODY_BYTES } from './echo-handler.js';

/** Long enough that a byte-at-a-time head is never cut, short enough for cases that end mid-request. */
const HEADER_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 1_000;
/** "Still open": nothing received and no close for this long. */
const QUIET_MS = 300;
/** Sockets in flight at once for one case's splits. */
const CONCURRENCY = 64;
const PROBE_TARGET = '/__wirekit_probe__';
const PROBE = `GET ${PROBE_TARGET} HTTP/1.1\r\nHost: probe\r\n\r\n`;

trackLeaks();
let server: HttpServer;
let sockets: ServerSockets;

before(async () => {
  sockets = new ServerSockets();
  server = await serve(wireEchoHandler, {
    port: 0,
    maxBodyBytes: ECHO_MAX_BODY_BYTES,
    headerTimeoutMs: HEADER_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    // Handlers whose body fails (a malformed chunk, the client gone) report here; the wire is judged.
    onError: () => {},
  });
});

after(async () => {
  sockets.dispose();
  await server.close({ timeoutMs: 0 });
});

/** What the client saw, in the judge's terms; a probe answer (the last one) is not counted. */
function observe(client: RawClient): Observation & { probeAnswered: boolean } {
  const obs: Observation & { probeAnswered: boolean } = {
    accepted: [],
    refusal: undefined,
    afterRefusal: 0,
    ending: client.ended ? 'closed' : 'open',
    silentRejectOk: true,
    probeAnswered: false,
  };
  for (const response of client.finals({ isHead: isHeadEcho })) {
    if (obs.refusal !== undefined) obs.afterRefusal++;
    else if (response.status >= 200 && response.status < 300) obs.accepted.push(echoOf(response));
    else obs.refusal = response.status;
  }
  if (obs.accepted[obs.accepted.length - 1]?.target === PROBE_TARGET) {
    obs.accepted.pop();
    obs.probeAnswered = true;
    obs.ending = 'open';
  }
  return obs;
}

/** Whether the whole input leaves the parser between requests, so a probe would be a request of its own. */
function endsBetweenRequests(bytes: Buffer): boolean {
  const parser = new RequestParser();
  const events = parser.push(bytes);
  return parser.idle && !events.some((e) => e.type === 'error');
}

interface Run {
  name: string;
  chunks: Uint8Array[];
}

/** Sends one run's pieces, each read by the server before the next is written, and waits for the outcome. */
async function runOnSocket(c: CorpusCase, run: Run, probeOk: boolean): Promise<Observation> {
  const client = await RawClient.connect(server.address.port);
  try {
    const serverSide = await sockets.socketFor(client.socket);
    let written = 0;
    for (const [i, piece] of run.chunks.entries()) {
      if (client.ended || !(await client.write(piece))) break;
      written += piece.byteLength;
      if (i < run.chunks.length - 1) await ServerSockets.read(serverSide, written);
    }
    if (c.wire.halfClose) client.end();
    await settle(c, client, run.name === 'whole' || run.name === 'bytewise' ? false : probeOk);
    return observe(client);
  } finally {
    client.destroy();
  }
}

/**
 * Waits until the outcome is known: the server closed; or, where an alternative lets the connection
 * stay open after the answers so far, the probe was answered (or nothing happened for QUIET_MS);
 * or a deadline past the server's timeouts.
 */
async function settle(c: CorpusCase, client: RawClient, probe: boolean): Promise<void> {
  const alts = alternatives(c);
  const deadline = performance.now() + Math.max(HEADER_TIMEOUT_MS, REQUEST_TIMEOUT_MS) + 3_000;
  let probeSent = false;
  while (!client.ended && performance.now() < deadline) {
    const obs = observe(client);
    if (obs.probeAnswered) return;
    const k = obs.accepted.length;
    // Only `open` and `any` can be judged without the close; `close` and `reject` wait for it.
    const mayStayOpen =
      obs.refusal === undefined && alts.some((a) => (a.then === 'open' || a.then === 'any') && a.accepted.length === k);
    if (mayStayOpen && !probeSent) {
      if (probe && alts.some((a) => a.then === 'open' && a.accepted.length === k)) {
        probeSent = true;
        await client.write(PROBE);
        continue;
      }
      if (await client.staysOpen(QUIET_MS)) return;
      continue;
    }
    await client.settle(deadline - performance.now());
  }
}

/** Runs `fn` over `items` with at most `limit` in flight, results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Cases answered with an alternative other than the corpus's preferred one (reported at the end). */
const nonPreferred: string[] = [];

for (const c of loadRequestCorpus()) {
  test(`socket ${c.id}`, async () => {
    const bytes = caseBytes(c);
    const alts = alternatives(c);
    const probeOk = endsBetweenRequests(bytes);
    const runs = [...splits(bytes)];
    const observations = await mapLimit(runs, CONCURRENCY, (run) => runOnSocket(c, run, probeOk));
    let chosen: number | undefined;
    runs.forEach((run, i) => {
      const ok = judge(c, observations[i] as Observation, alts, run.name);
      chosen ??= ok;
      assert.equal(ok, chosen, `${run.name}: outcome depends on how the input is split`);
    });
    const alt = alts[chosen ?? 0];
    if (chosen !== 0 && alt !== undefined) {
      nonPreferred.push(`${c.id}: ${alt.then}${alt.tolerated ? ` (tolerated: ${alt.tolerated})` : ''}`);
    }
  });
}

test('non-preferred alternatives (docs/conformance.md, Requests)', (t) => {
  for (const line of nonPreferred) t.diagnostic(line);
});
