/**
 * WebSocket micro-benchmark (not run in CI): 32-byte (or SIZE) binary echoes handled per second in
 * process, no socket: wirekit's engine (parser, handler, framing, write to a transport that
 * discards) against `ws`'s Receiver and Sender doing the same (a Writable receiving the bytes, a
 * sender framing the echo to a fake socket), and wirekit's bare FrameParser. Interleaved rounds.
 *
 *   npm run build && node dist/bench/micro/ws.js [size=32] [rounds=7] [ms-per-round=400]
 */
import { createRequire } from 'node:module';
import { FrameParser } from '../../src/ws/codec/frame-parser.js';
import { serializeFrame } from '../../src/ws/codec/frame-serializer.js';
import { startConnection, WebSocketConnection } from '../../src/ws/connection.js';
import { resolveWebSocketOptions } from '../../src/ws/options.js';
import type { TransportHandlers, WebSocketTransport } from '../../src/ws/transport.js';

const [size = 32, rounds = 7, ms = 400] = process.argv.slice(2).map(Number);
const KEY = Uint8Array.of(0x11, 0x22, 0x33, 0x44);
const FRAME = serializeFrame(0x2, Buffer.alloc(size, 0x61), { maskKey: KEY });

/** A fresh copy of the client frame (parsers unmask in place). */
function chunk(): Buffer {
  const out = Buffer.allocUnsafe(FRAME.length);
  FRAME.copy(out);
  return out;
}

function parserRunner(): () => number {
  let count = 0;
  const parser = new FrameParser(
    {
      onMessage: () => {
        count++;
      },
      onPing() {},
      onPong() {},
      onCloseFrame() {},
      onFail: (f) => {
        throw new Error(f.message);
      },
    },
    { role: 'server', maxMessageBytes: 1 << 24, maxFrameBytes: 1 << 24, maxFragments: 1024 },
  );
  return () => {
    count = 0;
    parser.push(chunk());
    return count;
  };
}

function engineRunner(): () => number {
  let written = 0;
  let handlers: TransportHandlers | undefined;
  const transport: WebSocketTransport = {
    remoteAddress: undefined,
    localAddress: undefined,
    writableLength: 0,
    writableHighWaterMark: 16384,
    write: () => {
      written++;
      return true;
    },
    cork() {},
    uncork() {},
    onDrain() {},
    start: (h) => {
      handlers = h;
    },
    pause() {},
    resume() {},
    end() {},
    destroy() {},
  };
  const ws = new WebSocketConnection(transport, {
    role: 'server',
    options: resolveWebSocketOptions({ pingIntervalMs: 0 }),
    handlers: {
      message: (socket, data) => {
        socket.sendNow(data);
      },
    },
    data: undefined,
  });
  startConnection(ws);
  return () => {
    written = 0;
    handlers?.onData(chunk());
    return written;
  };
}

function wsRunner(): () => number {
  const require = createRequire(import.meta.url);
  const { Receiver, Sender } = require('ws');
  let written = 0;
  const socket = {
    cork() {},
    uncork() {},
    write: () => {
      written++;
      return true;
    },
  };
  const sender = new Sender(socket);
  const receiver = new Receiver({ isServer: true, maxPayload: 1 << 24 });
  receiver.on('message', (data: Buffer, isBinary: boolean) =>
    sender.send(data, { binary: isBinary, fin: true, mask: false }),
  );
  return () => {
    written = 0;
    receiver.write(chunk());
    return written;
  };
}

function measure(run: () => number, duration: number): number {
  let total = 0;
  const start = process.hrtime.bigint();
  const stop = start + BigInt(duration) * 1_000_000n;
  let now = start;
  while (now < stop) {
    for (let i = 0; i < 500; i++) total += run();
    now = process.hrtime.bigint();
  }
  return total / (Number(now - start) / 1e9);
}

const runners: [string, () => number][] = [
  ['wirekit engine', engineRunner()],
  ['ws Receiver+Sender', wsRunner()],
  ['wirekit FrameParser only', parserRunner()],
];
const results = new Map<string, number[]>(runners.map(([name]) => [name, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of r % 2 === 0 ? runners : [...runners].reverse()) results.get(name)?.push(measure(run, ms));
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const base = median(results.get('ws Receiver+Sender') ?? []);
console.log(`| ${size}-byte binary echo, in process | messages/s (median of ${rounds}) | vs ws |\n|---|---:|---:|`);
for (const [name, values] of results) {
  const m = median(values);
  console.log(`| ${name} | ${Math.round(m).toLocaleString('en-US')} | ${(m / base).toFixed(2)}× |`);
}
