/**
 * A WebSocket client (the `ws` package) that reconnects when its connection closes, as a browser
 * app's client does: it notes the `hello <name>` message (which node or worker it landed on), every
 * later message, and each close code, and reconnects after 100 ms, at most 20 times.
 */
import WebSocket from 'ws';
import type { LeakTracker } from './leaks.js';
import { eventually } from './wait.js';

/** A WebSocket client that reconnects when closed; `node` is '' while it is not connected. */
export class ReconnectingWebSocket {
  node = '';
  readonly messages: string[] = [];
  /** The close code of each connection that ended. */
  readonly closes: number[] = [];
  reconnects = 0;
  #ws: WebSocket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    readonly url: string,
    leaks: LeakTracker,
  ) {
    leaks.defer(() => {
      this.#stopped = true;
      clearTimeout(this.#timer);
      this.#ws?.terminate();
    });
    this.#open();
  }

  /** Sends on the current connection (dropped while reconnecting). */
  send(data: string | Uint8Array): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(data);
  }

  #open(): void {
    const ws = new WebSocket(this.url, { perMessageDeflate: false });
    this.#ws = ws;
    ws.on('message', (data, isBinary) => {
      const text = (data as Buffer).toString();
      if (!isBinary && text.startsWith('hello ')) this.node = text.slice('hello '.length);
      else this.messages.push(text);
    });
    ws.on('error', () => {});
    ws.on('close', (code) => {
      this.closes.push(code);
      this.node = '';
      if (this.#stopped || this.reconnects >= 20) return;
      this.reconnects++;
      this.#timer = setTimeout(() => this.#open(), 100); // a client's reconnection delay
    });
  }
}

/**
 * A subscription travels to Redis or the primary on its own path, so a message published elsewhere
 * just after a socket subscribed may not be for it. Publishes `probe <i>` (with `publish`) until one
 * probe has reached every one of `heard` (each a socket's messages so far), bounded: what a test
 * checks next is delivery, not that race.
 */
export async function probeUntilHeard(
  publish: (text: string) => unknown,
  heard: readonly (() => readonly string[])[],
): Promise<void> {
  const probes: string[] = [];
  for (let i = 0; i < 10; i++) {
    probes.push(`probe ${i}`);
    await publish(`probe ${i}`);
    const everyone = () => probes.some((probe) => heard.every((messages) => messages().includes(probe)));
    try {
      await eventually(everyone, 'one probe reached every socket', 5_000);
      return;
    } catch {
      // Not subscribed everywhere yet: probe again.
    }
  }
  throw new Error('no probe ever reached every socket');
}
