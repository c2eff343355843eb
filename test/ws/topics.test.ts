/**
 * Topics at the unit level, over a transport that records its writes: a published message is
 * framed once (one Buffer handed to every subscriber), compressed once per compressor setting for
 * subscribers without context takeover, and compressed per connection for one with context
 * takeover. The bus hooks that a cross-process adapter relies on fire on the first and last
 * subscriber.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeflateParams } from '../../src/ws/codec/deflate-params.js';
import { startConnection, WebSocketConnection } from '../../src/ws/connection.js';
import { WebSocketHub } from '../../src/ws/hub.js';
import { resolveWebSocketOptions } from '../../src/ws/options.js';
import { LocalTopicBus } from '../../src/ws/topics.js';
import type { TransportHandlers, WebSocketTransport } from '../../src/ws/transport.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';

const leaks = trackLeaks();

class RecordingTransport implements WebSocketTransport {
  readonly remoteAddress = undefined;
  readonly localAddress = undefined;
  readonly writes: Uint8Array[] = [];
  handlers: TransportHandlers | undefined;
  writableLength = 0;
  readonly writableHighWaterMark = 16384;
  write(bytes: Uint8Array): boolean {
    this.writes.push(bytes);
    return true;
  }
  cork(): void {}
  uncork(): void {}
  onDrain(callback: () => void): void {
    queueMicrotask(callback);
  }
  start(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }
  pause(): void {}
  resume(): void {}
  end(): void {
    this.destroy();
  }
  destroy(): void {
    queueMicrotask(() => this.handlers?.onClose());
  }
}

const NO_CONTEXT: DeflateParams = {
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};
const WITH_CONTEXT: DeflateParams = { ...NO_CONTEXT, serverNoContextTakeover: false };

function open(hub: WebSocketHub, deflate?: DeflateParams) {
  const transport = new RecordingTransport();
  const options = resolveWebSocketOptions({ perMessageDeflate: { thresholdBytes: 0 }, pingIntervalMs: 0 });
  const ws = new WebSocketConnection(transport, {
    role: 'server',
    options,
    handlers: {},
    data: undefined,
    deflate,
    registry: hub.registry,
  });
  startConnection(ws);
  leaks.defer(() => ws.terminate());
  ws.subscribe('t');
  return { ws, transport };
}

test('a published message is framed once: every subscriber gets the same Buffer', () => {
  const hub = new WebSocketHub();
  const subscribers = [open(hub), open(hub), open(hub)];
  assert.equal(hub.publish('t', 'hello'), 3);
  const frames = subscribers.map((s) => s.transport.writes[0]);
  assert.deepEqual([...(frames[0] as Uint8Array)], [0x81, 5, ...Buffer.from('hello')]);
  assert.ok(frames.every((f) => f === frames[0]));
});

test('compressed once per setting without context takeover, per connection with it', async () => {
  const hub = new WebSocketHub();
  const shared = [open(hub, NO_CONTEXT), open(hub, NO_CONTEXT)];
  const own = open(hub, WITH_CONTEXT);
  const plain = open(hub);
  const text = 'compress me '.repeat(50);
  assert.equal(hub.publish('t', text), 4);
  const [a, b] = shared.map((s) => s.transport.writes[0] as Uint8Array);
  assert.ok(a === b, 'the same compressed frame');
  assert.equal((a as Uint8Array)[0], 0xc1, 'FIN, RSV1, text');
  assert.ok((a as Uint8Array).length < text.length / 4);
  assert.equal((plain.transport.writes[0] as Uint8Array).length, text.length + 4, 'the plain frame');
  await eventually(() => own.transport.writes.length === 1, 'the connection with context compressed on its own');
  assert.equal((own.transport.writes[0] as Uint8Array)[0], 0xc1);
  assert.ok(own.transport.writes[0] !== a);
});

test('closed or unsubscribed connections are no longer delivered to', async () => {
  const hub = new WebSocketHub();
  const a = open(hub);
  const b = open(hub);
  b.ws.unsubscribe('t');
  assert.equal(b.ws.isSubscribed('t'), false);
  assert.equal(hub.publish('t', 'x'), 1);
  a.ws.terminate();
  await eventually(() => hub.size === 1, 'a closed');
  assert.equal(hub.topics.subscriberCount('t'), 0);
  assert.equal(hub.publish('t', 'x'), 0);
});

test('the bus tells an adapter about the first and the last subscriber of a topic', async () => {
  const events: string[] = [];
  const hub = new WebSocketHub({
    topics: new LocalTopicBus({
      onFirstSubscriber: (t) => events.push(`+${t}`),
      onLastUnsubscribed: (t) => events.push(`-${t}`),
    }),
  });
  const a = open(hub);
  const b = open(hub);
  a.ws.unsubscribe('t');
  b.ws.terminate();
  await eventually(() => events.length === 2, 'both hooks');
  assert.deepEqual(events, ['+t', '-t']);
});
