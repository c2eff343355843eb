/**
 * The WHATWG `WebSocket` (HTML standard, "Web sockets") over {@link connectWebSocket}, so code
 * written for browsers runs on Node 20, which has no global `WebSocket`: an `EventTarget` with
 * `open`, `message`, `error` and `close` events and their `on…` attributes, `binaryType`,
 * `readyState`, `bufferedAmount`, `protocol`, `extensions`, `url`, `send()` and `close()` with the
 * standard's argument checks (a `DOMException` of the standard's name).
 */
import { NetError } from '../../errors.js';
import type { WebSocketConnection } from '../../ws/connection.js';
import type { WebSocketHandlers } from '../../ws/handlers.js';
import { connectWebSocket, parseWebSocketUrl, subprotocolList, type WebSocketClientOptions } from './connect.js';
import { CloseEvent, WebSocketErrorEvent } from './events.js';

/**
 * What `binaryType` can be: binary messages as a `Blob` (the default) or an `ArrayBuffer`.
 *
 * @example
 * ```ts
 * ws.binaryType = 'arraybuffer' satisfies BinaryType;
 * ```
 */
export type BinaryType = 'blob' | 'arraybuffer';

/**
 * What `send()` takes: text, or bytes in any of the standard's forms.
 *
 * @example
 * ```ts
 * const data: WebSocketData = new Uint8Array([1, 2, 3]);
 * ws.send(data);
 * ```
 */
export type WebSocketData = string | ArrayBufferLike | ArrayBufferView | Blob;

/**
 * The second argument of `new WebSocket()`: subprotocols as in browsers, or wirekit's client
 * options (headers, TLS, proxy, compression, limits…) with `protocols` among them.
 *
 * @example
 * ```ts
 * new WebSocket('wss://example.com', { protocols: ['v2'], headers: { authorization: 'Bearer …' } });
 * ```
 */
export type WebSocketInitArg = string | readonly string[] | Omit<WebSocketClientOptions, 'handlers'>;

/** What each event handler attribute receives. */
interface WebSocketEventMap {
  open: Event;
  message: MessageEvent;
  error: WebSocketErrorEvent;
  close: CloseEvent;
}
type HandlerName = keyof WebSocketEventMap;
type Handler<K extends HandlerName = HandlerName> = ((this: WebSocket, event: WebSocketEventMap[K]) => unknown) | null;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/**
 * A WebSocket client with the browser's API.
 *
 * @example
 * ```ts
 * const ws = new WebSocket('ws://127.0.0.1:8080/chat');
 * ws.binaryType = 'arraybuffer';
 * ws.onopen = () => ws.send('hello');
 * ws.onmessage = (event) => { console.log(event.data); ws.close(1000, 'bye'); };
 * ws.addEventListener('close', (event) => console.log(event.code, event.wasClean));
 * ```
 */
export class WebSocket extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;

  readonly #url: string;
  /** The origin of `url`, for each `MessageEvent`. */
  readonly #origin: string;
  readonly #abort = new AbortController();
  #state: 0 | 1 | 2 | 3 = CONNECTING;
  #conn: WebSocketConnection<undefined> | undefined;
  #binaryType: BinaryType = 'blob';
  #protocol = '';
  #extensions = '';
  /** Messages waiting behind a Blob being read, so messages leave in the order of `send()`. */
  #queue: (string | Uint8Array | Blob)[] | undefined;
  #queuedBytes = 0;
  /** Bytes given to `send()` once closing: the standard counts them in `bufferedAmount`. */
  #discardedBytes = 0;
  readonly #handlers = new Map<HandlerName, Handler>();

  constructor(url: string | URL, protocols: WebSocketInitArg = []) {
    super();
    const listed = typeof protocols === 'string' || Array.isArray(protocols);
    const options: Omit<WebSocketClientOptions, 'handlers'> = listed ? {} : { ...(protocols as object) };
    const offered = listed ? (protocols as string | readonly string[]) : options.protocols;
    let list: string[];
    try {
      const parsed = parseWebSocketUrl(url).url;
      this.#url = parsed.href;
      this.#origin = parsed.origin;
      list = subprotocolList(offered);
    } catch (error) {
      throw new DOMException((error as Error).message, 'SyntaxError');
    }
    const signal = options.signal;
    if (signal !== undefined) {
      if (signal.aborted) this.#abort.abort(signal.reason);
      else signal.addEventListener('abort', () => this.#abort.abort(signal.reason), { once: true });
    }
    const handlers = this.#connectionHandlers();
    connectWebSocket(this.#url, { ...options, protocols: list, signal: this.#abort.signal, handlers }).then(
      (ws) => {
        this.#conn = ws;
      },
      (error: unknown) => this.#failed(error),
    );
  }

  // ---- attributes ----

  get url(): string {
    return this.#url;
  }

  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  get readyState(): 0 | 1 | 2 | 3 {
    if (this.#state === OPEN && this.#conn !== undefined && this.#conn.readyState !== OPEN) return CLOSING;
    return this.#state;
  }

  /** Bytes given to `send()` and not yet handed to the network. */
  get bufferedAmount(): number {
    return (this.#conn?.bufferedAmount ?? 0) + this.#queuedBytes + this.#discardedBytes;
  }

  /** The subprotocol the server chose (`''` until open, or when none). */
  get protocol(): string {
    return this.#protocol;
  }

  /** The extensions the server accepted (`''` until open, or when none). */
  get extensions(): string {
    return this.#extensions;
  }

  get binaryType(): BinaryType {
    return this.#binaryType;
  }

  /** `'blob'` or `'arraybuffer'`; another value is ignored, as the standard says. */
  set binaryType(value: BinaryType) {
    if (value === 'blob' || value === 'arraybuffer') this.#binaryType = value;
  }

  get onopen(): Handler<'open'> {
    return (this.#handlers.get('open') as Handler<'open'> | undefined) ?? null;
  }
  set onopen(handler: Handler<'open'>) {
    this.#setHandler('open', handler);
  }
  get onmessage(): Handler<'message'> {
    return (this.#handlers.get('message') as Handler<'message'> | undefined) ?? null;
  }
  set onmessage(handler: Handler<'message'>) {
    this.#setHandler('message', handler);
  }
  get onerror(): Handler<'error'> {
    return (this.#handlers.get('error') as Handler<'error'> | undefined) ?? null;
  }
  set onerror(handler: Handler<'error'>) {
    this.#setHandler('error', handler);
  }
  get onclose(): Handler<'close'> {
    return (this.#handlers.get('close') as Handler<'close'> | undefined) ?? null;
  }
  set onclose(handler: Handler<'close'>) {
    this.#setHandler('close', handler);
  }

  // ---- methods ----

  /**
   * Sends a message: a string as text, bytes (`ArrayBuffer`, a view, a `Blob`) as binary.
   * Throws `InvalidStateError` while connecting; once closing, the data is dropped (and counted
   * in `bufferedAmount`), as the standard says.
   */
  send(data: WebSocketData): void {
    if (this.#state === CONNECTING) throw new DOMException('the WebSocket is still connecting', 'InvalidStateError');
    const message = outgoing(data);
    const conn = this.#conn;
    if (this.readyState !== OPEN || conn === undefined) {
      this.#discardedBytes += sizeOf(message);
      return;
    }
    if (this.#queue === undefined && !(message instanceof Blob)) {
      conn.sendNow(message);
      return;
    }
    this.#queuedBytes += sizeOf(message);
    if (this.#queue !== undefined) {
      this.#queue.push(message);
      return;
    }
    this.#queue = [message];
    void this.#sendQueued(conn);
  }

  /**
   * Starts the closing handshake (or abandons the opening one). `code` must be 1000 or within
   * 3000-4999 (`InvalidAccessError`), `reason` at most 123 bytes of UTF-8 (`SyntaxError`).
   */
  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
      throw new DOMException(`close code ${code} is neither 1000 nor in 3000-4999`, 'InvalidAccessError');
    }
    const text = reason === undefined ? '' : String(reason);
    if (Buffer.byteLength(text) > 123) {
      throw new DOMException('a close reason is at most 123 bytes of UTF-8', 'SyntaxError');
    }
    if (this.#state === CLOSING || this.#state === CLOSED) return;
    if (this.#state === CONNECTING || this.#conn === undefined) {
      this.#state = CLOSING;
      this.#abort.abort(new DOMException('close() was called before the connection was established', 'AbortError'));
      return;
    }
    this.#state = CLOSING;
    this.#conn.close(code ?? 1000, text);
  }

  // ---- internals ----

  #setHandler<K extends HandlerName>(name: K, handler: Handler<K>): void {
    // The listener is registered once, at the first assignment (the standard's order of listeners).
    if (!this.#handlers.has(name)) {
      this.addEventListener(name, (event) => {
        const current = this.#handlers.get(name) as ((this: WebSocket, event: Event) => unknown) | null | undefined;
        current?.call(this, event);
      });
    }
    this.#handlers.set(name, (typeof handler === 'function' ? handler : null) as Handler);
  }

  #connectionHandlers(): WebSocketHandlers<undefined> {
    return {
      open: (ws) => {
        this.#conn = ws;
        this.#protocol = ws.protocol;
        this.#extensions = ws.extensions;
        if (this.#state === CONNECTING) this.#state = OPEN;
        this.dispatchEvent(new Event('open'));
      },
      message: (_ws, data, isBinary) => {
        if (this.#state === CLOSED) return;
        const payload = isBinary ? this.#binary(data as Buffer) : data;
        this.dispatchEvent(new MessageEvent('message', { data: payload, origin: this.#origin }));
      },
      close: (_ws, code, reason) => {
        this.#state = CLOSED;
        const wasClean = code !== 1006;
        if (!wasClean) {
          const error = new NetError('WK_ERR_SOCKET', 'the WebSocket connection closed without a closing handshake');
          this.dispatchEvent(new WebSocketErrorEvent('error', error));
        }
        this.dispatchEvent(new CloseEvent('close', { code, reason, wasClean }));
      },
    };
  }

  #binary(data: Buffer): ArrayBuffer | Blob {
    if (this.#binaryType === 'blob') return new Blob([data]);
    const copy = new ArrayBuffer(data.length);
    new Uint8Array(copy).set(data);
    return copy;
  }

  /** The opening failed: `error`, then `close` with 1006 (HTML, "fail the WebSocket connection"). */
  #failed(error: unknown): void {
    this.#state = CLOSED;
    this.dispatchEvent(new WebSocketErrorEvent('error', error));
    this.dispatchEvent(new CloseEvent('close', { code: 1006, reason: '', wasClean: false }));
  }

  async #sendQueued(conn: WebSocketConnection<undefined>): Promise<void> {
    const queue = this.#queue ?? [];
    while (queue.length > 0) {
      const next = queue[0] as string | Uint8Array | Blob;
      let bytes: string | Uint8Array;
      try {
        bytes = next instanceof Blob ? new Uint8Array(await next.arrayBuffer()) : next;
      } catch {
        conn.close(1011, 'a Blob could not be read');
        bytes = '';
      }
      queue.shift();
      this.#queuedBytes -= sizeOf(next);
      if (this.readyState === OPEN) conn.sendNow(bytes);
    }
    this.#queue = undefined;
  }
}

/** The bytes or text of `data`, as the engine takes them (views share the caller's memory). */
function outgoing(data: WebSocketData): string | Uint8Array | Blob {
  if (typeof data === 'string') return data;
  if (data instanceof Blob) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || isSharedArrayBuffer(data)) return new Uint8Array(data);
  // WebIDL converts anything else to a string (USVString).
  return String(data);
}

function isSharedArrayBuffer(data: unknown): data is SharedArrayBuffer {
  return typeof SharedArrayBuffer === 'function' && data instanceof SharedArrayBuffer;
}

function sizeOf(message: string | Uint8Array | Blob): number {
  if (typeof message === 'string') return Buffer.byteLength(message);
  return message instanceof Blob ? message.size : message.byteLength;
}
