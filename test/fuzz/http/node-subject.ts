/**
 * llhttp as a fuzz subject, through a `node:http` server in this process configured strictly, its
 * verdicts recorded on the server side (what llhttp parsed, or the `clientError` it raised), so a
 * parse error in a later pipelined request cannot hide what came before it (Node drops the pending
 * answers when it closes on the error).
 *
 * Settings (the strict ones; see docs/conformance.md, "Differential fuzzing"):
 * - `insecureHTTPParser: false` (the default): llhttp's strict mode, no lenient flags.
 * - `requireHostHeader: true` semantics: Node refuses an HTTP/1.1 request without Host before any
 *   event we could record, so the option is off and the recording handler applies the same rule
 *   (`req.headers.host === undefined` on HTTP/1.1 is a refusal).
 * - `maxHeaderSize: 16384`, our default `maxHeadBytes`; `maxHeadersCount = 0` (Node's own default
 *   drops fields past 2000 silently, which would read as a different meaning).
 * - `joinDuplicateHeaders: false`; `rawHeaders` and `rawTrailers` are recorded as received.
 * - Listeners for `checkContinue` (100 Continue, then the request), `checkExpectation` (417, as
 *   Node's default), `upgrade` and `connect` (recorded, then the socket is dropped).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pairs } from '../../helpers/http-parse.js';
import type { ServerSockets } from '../../helpers/server-sockets.js';
import type { FuzzInput } from '../core/input.js';
import type { Answer, EchoMessage, Outcome } from './outcome.js';
import { exchange } from './wire.js';

interface Pending {
  /** A parsed request, or the 417 it was answered with at its head. */
  answer: Answer & { kind: 'message' | 'status' };
  req: IncomingMessage;
  chunks: Buffer[];
  /** The body was read to its end (the stream's 'end' comes a tick after the parser completes it). */
  done: boolean;
}

/** What llhttp made of one connection so far. */
class Verdicts {
  readonly answers: Answer[] = [];
  readonly pending: Pending[] = [];
  /** Set just before the client half-closes: errors after it came at the end of input. */
  eof = false;

  /** A short description of the state, for the quiet check. */
  progress(): string {
    return `${this.answers.length}/${this.pending.reduce((n, p) => n + p.chunks.length + (p.done ? 1 : 0), 0)}`;
  }

  /**
   * A refusal replaces the answer of a request it cut short (Node announces a request at the end
   * of its head, before llhttp has judged the framing fields), else follows the answers.
   */
  refuse(rule: string, status: number | undefined): void {
    const open = this.pending.find((p) => !p.req.complete && !p.done);
    if (open !== undefined) open.done = true;
    // A request answered at its head (417) has its answer: what its body does changes nothing.
    if (open?.answer.kind === 'status') return;
    const index = open === undefined ? -1 : this.answers.indexOf(open.answer);
    // afterHead: Node had announced the request (its head parsed), though llhttp may still have
    // refused the framing fields just after announcing it.
    const refusal: Answer = { kind: 'refusal', rule, status, early: !this.eof, afterHead: index !== -1 };
    if (index === -1) this.answers.push(refusal);
    else this.answers.splice(index, this.answers.length - index, refusal);
  }
}

function echoHead(req: IncomingMessage): EchoMessage {
  return {
    method: req.method ?? '',
    target: req.url ?? '',
    version: req.httpVersion,
    headers: pairs(req.rawHeaders),
    body: '',
    trailers: [],
  };
}

export class NodeSubject {
  readonly #server: http.Server;
  readonly #sockets: ServerSockets;
  /** Verdicts by the client's local port (the server socket's remote port). */
  readonly #byPort = new Map<number, Verdicts>();

  private constructor(server: http.Server, sockets: ServerSockets) {
    this.#server = server;
    this.#sockets = sockets;
    server.maxHeadersCount = 0;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#request(req, res));
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      if (this.#hostMissing(req, res)) return;
      res.writeContinue();
      this.#request(req, res);
    });
    server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
      if (this.#hostMissing(req, res)) return;
      const verdicts = this.#verdicts(req.socket);
      const answer: Answer & { kind: 'status' } = { kind: 'status', status: 417 };
      verdicts?.answers.push(answer);
      verdicts?.pending.push({ answer, req, chunks: [], done: false });
      res.writeHead(417);
      res.end();
    });
    const takeOver = (req: IncomingMessage, socket: Socket): void => {
      this.#verdicts(socket)?.answers.push({
        kind: 'message',
        echo: echoHead(req),
        keepAlive: undefined,
        upgrade: true,
      });
      socket.destroy();
    };
    server.on('upgrade', takeOver);
    server.on('connect', takeOver);
    server.on('clientError', (error: Error & { code?: string; reason?: string }, socket: Socket) => {
      this.#verdicts(socket)?.refuse(`${error.code ?? 'error'}: ${error.reason ?? error.message}`, undefined);
      socket.destroy();
    });
  }

  static async start(sockets: ServerSockets): Promise<NodeSubject> {
    const server = http.createServer({
      insecureHTTPParser: false,
      requireHostHeader: false,
      maxHeaderSize: 16_384,
      joinDuplicateHeaders: false,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new NodeSubject(server, sockets);
  }

  #verdicts(socket: Socket): Verdicts | undefined {
    return socket.remotePort === undefined ? undefined : this.#byPort.get(socket.remotePort);
  }

  /**
   * `requireHostHeader` as Node applies it, before Expect is looked at: an HTTP/1.1 request without
   * Host is refused (400, then close).
   */
  #hostMissing(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.httpVersion !== '1.1' || req.headers.host !== undefined) return false;
    this.#verdicts(req.socket)?.refuse('node: requireHostHeader (no Host)', 400);
    res.writeHead(400, { connection: 'close' });
    res.end();
    return true;
  }

  #request(req: IncomingMessage, res: ServerResponse): void {
    const verdicts = this.#verdicts(req.socket);
    if (verdicts === undefined || this.#hostMissing(req, res)) return;
    const echo = echoHead(req);
    const pending: Pending = {
      answer: { kind: 'message', echo, keepAlive: res.shouldKeepAlive, upgrade: false },
      req,
      chunks: [],
      done: false,
    };
    verdicts.answers.push(pending.answer);
    verdicts.pending.push(pending);
    req.on('data', (chunk: Buffer) => pending.chunks.push(chunk));
    req.on('end', () => {
      echo.body = Buffer.concat(pending.chunks).toString('base64');
      echo.trailers = pairs(req.rawTrailers);
      pending.done = true;
      // A framed answer: Node keeps an HTTP/1.0 keep-alive connection open only for one.
      res.setHeader('content-length', 2);
      res.end('ok');
    });
    req.on('error', () => {});
  }

  async run(input: FuzzInput): Promise<Outcome> {
    const verdicts = new Verdicts();
    let port = 0;
    const ex = await exchange((this.#server.address() as { port: number }).port, this.#sockets, input, {
      onConnect: (client) => {
        port = client.socket.localPort as number;
        this.#byPort.set(port, verdicts);
      },
      progress: () => verdicts.progress(),
      beforeHalfClose: () => {
        verdicts.eof = true;
      },
    });
    try {
      // The request streams end a tick after the parser completes them.
      const parsed = verdicts.pending.filter((p) => p.answer.kind === 'message');
      const reading = (): boolean => parsed.some((p) => !p.done && p.req.complete);
      for (let i = 0; i < 50 && reading(); i++) await new Promise(setImmediate);
      for (const p of parsed) if (!p.done) verdicts.refuse('node: request never completed', undefined);
      return { answers: verdicts.answers, end: 'closed', openAtEof: !ex.endedBeforeEof, hung: ex.hung };
    } finally {
      this.#byPort.delete(port);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
