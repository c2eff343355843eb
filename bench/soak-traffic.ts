/**
 * The soak's traffic (`bench/soak.sh`): a mix of clients against the demo on 127.0.0.1:PORT for
 * SOAK_SECONDS, every loop bounded by that deadline and every wait by a timeout. Prints what each
 * kind did and exits 1 if the server answered any request with a 5xx or a client saw something
 * that is not HTTP.
 *
 *   PORT=8080 SOAK_SECONDS=60 node dist/bench/soak-traffic.js
 *
 * Kinds: keep-alive GETs (static files, the JSON API, 404s), pipelined batches, uploads (JSON
 * bodies of 20 B to 900 KiB with Content-Length or chunked, then deleted; invalid and oversized
 * ones), SSE subscribers that read a few events and leave, clients that vanish mid-request or
 * mid-response (reset), slow readers of a deep pipeline, and WebSocket clients (the `ws` package)
 * that connect (with or without permessage-deflate), exchange text and binary messages of 0 B to
 * 200 KiB, wait for a tick of the topic they are subscribed to, then close properly or vanish
 * (the socket destroyed without a close frame, half of those by a reset).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { RawClient } from '../test/helpers/raw-client.js';

const port = Number(process.env.PORT);
const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const deadline = Date.now() + seconds * 1000;
/** Every wait for an answer gives up after this long (the server is then counted as failing). */
const WAIT_MS = 10_000;

interface Tally {
  requests: number;
  statuses: Map<number, number>;
  errors: Map<string, number>;
}

const tallies = new Map<string, Tally>();

function tally(kind: string): Tally {
  let t = tallies.get(kind);
  if (t === undefined) {
    t = { requests: 0, statuses: new Map(), errors: new Map() };
    tallies.set(kind, t);
  }
  return t;
}

function count(kind: string, status: number): void {
  const t = tally(kind);
  t.requests++;
  t.statuses.set(status, (t.statuses.get(status) ?? 0) + 1);
}

function fail(kind: string, error: unknown): void {
  const t = tally(kind);
  const name =
    error instanceof Error ? ((error as { code?: string }).code ?? error.message.slice(0, 60)) : String(error);
  t.errors.set(name, (t.errors.get(name) ?? 0) + 1);
}

/** One connection of `kind`: `use` runs on it, a failure is tallied, the socket goes (`reset`: abruptly). */
async function withClient(kind: string, use: (client: RawClient) => Promise<void>, reset = false): Promise<void> {
  const client = await RawClient.connect(port);
  try {
    await use(client);
  } catch (error) {
    fail(kind, error);
  } finally {
    if (reset) client.socket.resetAndDestroy();
    else client.destroy();
  }
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const GET_PATHS = [
  '/',
  '/app.js',
  '/style.css',
  '/index.html',
  '/api/items',
  '/api/items/1',
  '/api/items/999',
  '/nope',
];
const running = (): boolean => Date.now() < deadline;

/** Keep-alive GETs through node:http's agent, one socket per worker. */
async function keepAliveGets(): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    while (running()) {
      const headers = Math.random() < 0.5 ? { 'accept-encoding': pick(['gzip', 'br', 'gzip, br', 'identity']) } : {};
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.get(
          { port, host: '127.0.0.1', path: pick(GET_PATHS), agent, headers, timeout: WAIT_MS },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
      }).catch((error: unknown) => {
        fail('keep-alive GET', error);
        return 0;
      });
      if (status !== 0) count('keep-alive GET', status);
    }
  } finally {
    agent.destroy();
  }
}

const request = (method: string, path: string, extra = '', body = ''): string =>
  `${method} ${path} HTTP/1.1\r\nHost: soak\r\n${extra}${body === '' && method === 'GET' ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`}\r\n${body}`;

/** Batches of 8 pipelined GETs on one connection, 20 batches, then a new connection. */
async function pipelined(): Promise<void> {
  while (running()) {
    await withClient('pipelined', async (client) => {
      for (let batch = 0; batch < 20 && running(); batch++) {
        const before = client.finals().length;
        await client.write(Array.from({ length: 8 }, () => request('GET', pick(GET_PATHS))).join(''));
        const answers = await client.read(before + 8, {}, WAIT_MS);
        for (const r of answers.slice(before)) count('pipelined', r.status);
      }
    });
  }
}

/** Creates an item (body of some size, Content-Length or chunked), deletes it; sometimes an invalid or oversized body. */
async function uploads(): Promise<void> {
  while (running()) {
    await withClient('upload', async (client) => {
      const size = pick([0, 1_000, 64_000, 900_000]);
      const json = JSON.stringify({ name: 'soak', quantity: 2, pad: 'x'.repeat(size) });
      const variant = Math.random();
      let wire: string;
      if (variant < 0.6) wire = request('POST', '/api/items', 'Content-Type: application/json\r\n', json);
      else if (variant < 0.85) {
        const chunks = json.match(/[\s\S]{1,16384}/g) ?? [];
        const body = `${chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('')}0\r\n\r\n`;
        wire = `POST /api/items HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body}`;
      } else if (variant < 0.93)
        wire = request('POST', '/api/items', 'Content-Type: application/json\r\n', '{"name": ');
      else wire = request('POST', '/api/items', 'Content-Type: application/json\r\n', 'x'.repeat(2_000_000));
      await client.write(wire);
      const [created] = await client.read(1, {}, WAIT_MS);
      count('upload', created?.status ?? 0);
      const id = created?.status === 201 ? (JSON.parse(created.body.toString()) as { id: string }).id : undefined;
      if (id !== undefined && !client.ended) {
        await client.write(request('DELETE', `/api/items/${id}`, '', ''));
        const answers = await client.read(2, {}, WAIT_MS);
        count('upload', answers[1]?.status ?? 0);
      }
    });
  }
}

/** Subscribes to the event stream, reads 1 to 20 events, leaves (half of the time by a reset). */
async function sse(): Promise<void> {
  while (running()) {
    const events = 1 + Math.floor(Math.random() * 20);
    await withClient(
      'sse',
      async (client) => {
        await client.write(request('GET', '/soak/events', 'Accept: text/event-stream\r\n'));
        await client.until(() => client.text.split('\n\n').length > events, `${events} events`, WAIT_MS);
        count('sse', 200);
      },
      Math.random() < 0.5,
    );
  }
}

/** Clients that go away: inside a head, inside a body, before or while the answer arrives. */
async function vanishing(): Promise<void> {
  while (running()) {
    await withClient(
      'vanishing',
      async (client) => {
        const variant = pick(['head', 'body', 'before-answer', 'mid-answer'] as const);
        if (variant === 'head') await client.write('GET /api/items HTTP/1.1\r\nHost: so');
        else if (variant === 'body')
          await client.write(
            request('POST', '/api/items', '', '{'.repeat(1000)).replace(
              /Content-Length: \d+/,
              'Content-Length: 100000',
            ),
          );
        else await client.write(Array.from({ length: 16 }, () => request('GET', '/app.js')).join(''));
        if (variant === 'mid-answer') await client.until(() => client.data.length > 0, 'the first bytes', WAIT_MS);
        count('vanishing', 0);
      },
      true,
    );
    await sleep(5);
  }
}

/** A deep pipeline read slowly: the server's writes back up and it must pause reading, then resume. */
async function slowReaders(): Promise<void> {
  while (running()) {
    await withClient('slow reader', async (client) => {
      client.socket.pause();
      await client.write(Array.from({ length: 200 }, () => request('GET', pick(['/app.js', '/index.html']))).join(''));
      for (let i = 0; i < 10 && running(); i++) {
        await sleep(100);
        client.socket.resume();
        await sleep(5);
        client.socket.pause();
      }
      client.socket.resume();
      const answers = await client.read(200, {}, WAIT_MS);
      for (const r of answers) count('slow reader', r.status);
    });
  }
}

interface WsMessage {
  data: Buffer;
  isBinary: boolean;
}

/** A `ws` client whose messages queue up until read (none is lost between two reads). */
class SoakSocket {
  readonly ws: WebSocket;
  readonly #queue: WsMessage[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  constructor(url: string, deflate: boolean) {
    this.ws = new WebSocket(url, { perMessageDeflate: deflate });
    this.ws.on('error', () => {});
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.#queue.push({ data, isBinary });
      this.#wake?.();
    });
    this.ws.on('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  /** Waits for `ready()` to hold, re-checked on every event; rejects after WAIT_MS. */
  async #until(ready: () => boolean, what: string): Promise<void> {
    const stop = Date.now() + WAIT_MS;
    while (!ready()) {
      if (this.#closed) throw new Error(`closed before ${what}`);
      const left = stop - Date.now();
      if (left <= 0) throw new Error(`timeout: ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  open(): Promise<void> {
    return this.#until(() => this.ws.readyState === WebSocket.OPEN, 'open');
  }

  /** The next message that is not a tick of the topic (`tick: true`: the next tick). */
  async next(tick = false): Promise<WsMessage> {
    const isTick = (m: WsMessage): boolean => !m.isBinary && m.data.subarray(0, 5).toString() === 'tick ';
    let found: WsMessage | undefined;
    await this.#until(
      () => {
        while (found === undefined && this.#queue.length > 0) {
          const m = this.#queue.shift() as WsMessage;
          if (isTick(m) === tick) found = m;
        }
        return found !== undefined;
      },
      tick ? 'a tick' : 'an echo',
    );
    return found as WsMessage;
  }

  async close(): Promise<void> {
    this.ws.close(1000, 'bye');
    this.#closed = false;
    await this.#until(() => this.ws.readyState === WebSocket.CLOSED, 'the closing handshake');
  }
}

/**
 * One WebSocket session: connect, echo 1 to 20 messages (ticks of the topic interleave and are
 * skipped), wait for a tick, then leave: a closing handshake, or gone without a close frame.
 */
async function webSockets(): Promise<void> {
  while (running()) {
    const client = new SoakSocket(`ws://127.0.0.1:${port}/soak/ws`, Math.random() < 0.5);
    try {
      await client.open();
      const messages = 1 + Math.floor(Math.random() * 20);
      for (let i = 0; i < messages && running(); i++) {
        const size = pick([0, 20, 2_000, 200_000]);
        const binary = Math.random() < 0.3;
        client.ws.send(binary ? Buffer.alloc(size, i) : 'w'.repeat(size));
        const got = await client.next();
        if (got.isBinary !== binary || got.data.length !== size) throw new Error('echo differs');
        count('websocket message', 200);
      }
      await client.next(true);
      const leave = pick(['close', 'close', 'vanish', 'reset'] as const);
      if (leave === 'close') await client.close();
      else if (leave === 'reset') (client.ws as unknown as { _socket: Socket })._socket.resetAndDestroy();
      else client.ws.terminate();
      count(`websocket ${leave}`, 101);
    } catch (error) {
      fail('websocket', error);
      client.ws.terminate();
    }
  }
}

/** The mix: each kind and how many clients of it run at once. */
const KINDS: [kind: () => Promise<void>, clients: number][] = [
  [keepAliveGets, 4],
  [pipelined, 2],
  [uploads, 2],
  [sse, 3],
  [vanishing, 1],
  [slowReaders, 1],
  [webSockets, 3],
];

await Promise.all(KINDS.flatMap(([kind, clients]) => Array.from({ length: clients }, kind)));

let bad = 0;
for (const [kind, t] of tallies) {
  const statuses = [...t.statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  const errors = [...t.errors].map(([e, n]) => `${e}×${n}`).join(' ');
  process.stdout.write(`${kind}: ${t.requests} answers [${statuses}]${errors ? ` client errors [${errors}]` : ''}\n`);
  for (const [status, n] of t.statuses) if (status >= 500) bad += n;
}
if (bad > 0) {
  process.stdout.write(`${bad} answers were 5xx\n`);
  process.exitCode = 1;
}
