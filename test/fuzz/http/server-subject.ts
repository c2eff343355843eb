/**
 * Our HTTP server as a fuzz subject: `serve()` with the echo handler (docs/architecture.md, Apps that outside tools start) in this
 * process, fed over a real socket (`wire.ts`); its answers are read off the wire with the
 * independent response reader. A 2xx is a parsed request (the echo says how), 417 a policy
 * answer, any other status a refusal (at once when it arrived before the half-close).
 */
import { type HttpServer, serve } from '../../../src/http/server/index.js';
import { ECHO_MAX_BODY_BYTES } from '../../conformance/echo-handler.js';
import { echoOf, isHeadEcho, wireEchoHandler } from '../../helpers/echo-wire.js';
import { type RawResponse, readResponses } from '../../helpers/response-reader.js';
import type { ServerSockets } from '../../helpers/server-sockets.js';
import type { FuzzInput } from '../core/input.js';
import type { Answer, Outcome } from './outcome.js';
import { exchange } from './wire.js';

export class ServerSubject {
  readonly #server: HttpServer;
  readonly #sockets: ServerSockets;

  private constructor(server: HttpServer, sockets: ServerSockets) {
    this.#server = server;
    this.#sockets = sockets;
  }

  static async start(sockets: ServerSockets): Promise<ServerSubject> {
    const server = await serve(wireEchoHandler, {
      port: 0,
      host: '127.0.0.1',
      maxBodyBytes: ECHO_MAX_BODY_BYTES,
      // The fuzzer half-closes after every input, so these only bound a server that fails to answer.
      headerTimeoutMs: 3_000,
      requestTimeoutMs: 3_000,
      // Bodies that fail (a malformed chunk, the client gone) report here; the wire is what is judged.
      onError: () => {},
    });
    return new ServerSubject(server, sockets);
  }

  /**
   * Runs `input`; `headAt(i)` says whether request `i` is HEAD (from the codec's parse: an error
   * answer to HEAD has no body and no `X-Echo` either).
   */
  async run(input: FuzzInput, headAt: (index: number) => boolean): Promise<Outcome> {
    const ex = await exchange(this.#server.address.port, this.#sockets, input, {});
    const isHead = (i: number, r: RawResponse): boolean => isHeadEcho(i, r) || headAt(i);
    const early = readResponses(ex.client.data.subarray(0, ex.beforeEof), { eof: ex.endedBeforeEof, isHead });
    const all = readResponses(ex.client.data, { eof: true, isHead });
    const finals = all.responses.filter((r) => !r.interim);
    const earlyFinals = early.responses.filter((r) => !r.interim).length;
    const answers: Answer[] = finals.map((r, i): Answer => {
      if (r.status >= 200 && r.status < 300) {
        return { kind: 'message', echo: echoOf(r), keepAlive: undefined, upgrade: undefined };
      }
      if (r.status === 417) return { kind: 'status', status: 417 };
      return {
        kind: 'refusal',
        rule: `status ${r.status}`,
        status: r.status,
        early: i < earlyFinals,
        afterHead: undefined,
      };
    });
    const outcome: Outcome = { answers, end: 'closed', openAtEof: !ex.endedBeforeEof, hung: ex.hung };
    if (all.error !== undefined) outcome.garbled = all.error;
    else if (all.consumed < ex.client.data.length) outcome.garbled = 'bytes after the last response';
    return outcome;
  }

  close(): Promise<void> {
    return this.#server.close({ timeoutMs: 0 });
  }
}
