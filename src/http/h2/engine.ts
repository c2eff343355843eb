/**
 * The HTTP/2 engine of a server: a node:http2 server that never listens, handed each socket that
 * speaks HTTP/2 (a TLS socket whose ALPN chose `h2`, or a cleartext one that opened with the h2c
 * preface) by emitting `'connection'` with it, as node:net does for a listening server. node:http2
 * serves sockets injected this way, with bytes already read put back into the socket
 * (nodejs/node#41185, in Node 18 and later), plain and TLS alike. Only its core session and stream
 * API is used: the compatibility layer (`Http2ServerRequest`) is never loaded.
 */
import { createServer, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { resolveLimits } from '../codec/limits.js';
import type { H2Observer, H2ServeContext } from './context.js';
import { type Http2Options, nodeServerOptions, type ResolvedHttp2Options, resolveHttp2Options } from './options.js';
import { H2Session } from './session.js';

/**
 * Serves HTTP/2 connections with the server's handler.
 *
 * @example
 * ```ts
 * const engine = new H2Engine(ctx, observer, { maxConcurrentStreams: 100 });
 * tlsServer.on('secureConnection', (socket) => { if (socket.alpnProtocol === 'h2') engine.attach(socket); });
 * ```
 */
export class H2Engine {
  readonly #ctx: H2ServeContext;
  readonly #observer: H2Observer;
  readonly #options: ResolvedHttp2Options;
  readonly #server: Http2Server;
  readonly #sessions = new Set<H2Session>();
  #attaching: Socket | undefined;
  #attached: H2Session | undefined;

  constructor(ctx: H2ServeContext, observer: H2Observer, options: Http2Options = {}) {
    this.#ctx = ctx;
    this.#observer = observer;
    this.#options = resolveHttp2Options(options);
    const limits = resolveLimits(ctx.options.limits);
    this.#server = createServer(
      nodeServerOptions(this.#options, {
        maxHeadBytes: limits.maxHeadBytes,
        maxHeaderCount: limits.maxHeaderCount,
        bodyHighWaterBytes: ctx.options.bodyHighWaterBytes,
      }),
    );
    this.#server.on('session', this.#onSession);
  }

  /** HTTP/2 connections open now. */
  get sessions(): number {
    return this.#sessions.size;
  }

  /**
   * Serves HTTP/2 on `socket`, which must be connected and not yet read (or have its read bytes put
   * back, as `Connection.detach()` does). Returns the session, or undefined if the socket is gone.
   */
  attach(socket: Socket): H2Session | undefined {
    if (socket.destroyed) return undefined;
    this.#attaching = socket;
    try {
      this.#server.emit('connection', socket);
      return this.#attached;
    } finally {
      this.#attaching = undefined;
      this.#attached = undefined;
    }
  }

  /** Graceful: GOAWAY on every connection; open streams finish. */
  shutdown(): void {
    for (const session of this.#sessions) session.shutdown();
  }

  /** Closes every connection now. */
  destroy(): void {
    for (const session of this.#sessions) session.destroy();
  }

  readonly #onSession = (session: ServerHttp2Session): void => {
    const socket = this.#attaching;
    if (socket === undefined) {
      session.destroy();
      return;
    }
    const h2 = new H2Session(this.#ctx, this.#observer, this.#options, session, socket);
    this.#sessions.add(h2);
    h2.onClosed = () => this.#sessions.delete(h2);
    this.#attached = h2;
  };
}
