/**
 * A server-sent events client over a raw socket, as a browser's EventSource behaves: it reads
 * `GET /events`, notes the `hello` event's data (which node or worker it landed on) and every
 * later message, and reconnects (after 100 ms, at most 20 times) when the stream ends.
 */
import { connect, type Socket } from 'node:net';
import type { LeakTracker } from './leaks.js';

/** An event-stream client (GET /events) that reconnects (as EventSource does) when its stream ends. */
export class StreamClient {
  node = '';
  readonly messages: string[] = [];
  reconnects = 0;
  #socket: Socket | undefined;
  #closed = false;

  constructor(
    readonly url: string,
    leaks: LeakTracker,
  ) {
    leaks.defer(() => {
      this.#closed = true;
      this.#socket?.destroy();
    });
    this.#open();
  }

  #open(): void {
    const { port, hostname } = new URL(this.url);
    const socket = connect({ port: Number(port), host: hostname });
    this.#socket = socket;
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      for (let end = text.indexOf('\n\n'); end !== -1; end = text.indexOf('\n\n')) {
        const event = text.slice(0, end);
        text = text.slice(end + 2);
        const hello = /event: hello\ndata: (\S+)/.exec(event);
        if (hello) this.node = hello[1] as string;
        else {
          const data = /^data: (.*)$/m.exec(event);
          if (data) this.messages.push(data[1] as string);
        }
      }
    });
    socket.once('error', () => {});
    socket.once('close', () => {
      if (this.#closed || this.reconnects >= 20) return;
      this.reconnects++;
      this.node = '';
      setTimeout(() => this.#open(), 100); // EventSource's reconnection delay
    });
    socket.write(`GET /events HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  }
}
