/**
 * WebSockets on a cluster, run as a user runs it (a primary started with `node app.js`, real
 * sockets from the `ws` package): an App that listens with `workers` and names no topic bus has
 * topics shared by every worker, relayed by the primary. A publish in any worker (`app.publish`,
 * or a `ClusterPubSub`: one namespace) reaches the sockets of every worker once; `ws.publish` skips the sender only, text and bytes alike. SIGTERM
 * gives every worker's sockets 1001 and waits for their closing handshakes, up to the drain
 * deadline.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Agent } from '../../src/client/agent.js';
import { request } from '../../src/client/request.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually, stillPending } from '../helpers/wait.js';
import { probeUntilHeard } from '../helpers/ws-client.js';
import { closePayload, frame } from '../ws/codec/helpers.js';
import { type Peer, peer, rawPeer } from '../ws/helpers.js';
import { type RunningPrimary, startPrimary } from './helpers.js';

const leaks = trackLeaks({ settleMs: 50 });

interface Client {
  readonly peer: Peer;
  /** The worker's slot, from its `hello <slot>`. */
  readonly slot: string;
}

/** `ws` clients on new connections until both workers have some (bounded). */
async function clientsOnEveryWorker(primary: RunningPrimary): Promise<Client[]> {
  const url = `${primary.url.replace('http:', 'ws:')}/ws`;
  const clients: Client[] = [];
  for (let i = 0; i < 30 && new Set(clients.map((c) => c.slot)).size < 2; i++) {
    const p = await peer(leaks, url);
    const hello = (await p.message(1)).data.toString();
    clients.push({ peer: p, slot: hello.slice('hello '.length) });
  }
  assert.deepEqual(new Set(clients.map((c) => c.slot)), new Set(['0', '1']), 'sockets on both workers');
  return clients;
}

/** POST /publish on a new connection (any worker); resolves with the publishing worker's slot. */
async function publish(primary: RunningPrimary, text: string, via: 'app' | 'pubsub' = 'app'): Promise<string> {
  const dispatcher = new Agent();
  leaks.defer(() => dispatcher.close());
  const res = await request(`${primary.url}/publish?via=${via}`, {
    method: 'POST',
    body: text,
    headers: { connection: 'close' },
    dispatcher,
  });
  assert.equal(res.status, 202);
  return (await res.body.text()).slice('published by '.length);
}

const texts = (p: Peer): string[] => p.messages.map((m) => m.data.toString());
const count = (p: Peer, text: string): number => texts(p).filter((t) => t === text).length;

describe('WebSocket topics across workers', () => {
  test('a publish in any worker reaches the sockets of every worker once; ws.publish skips the sender', async () => {
    const primary = await startPrimary(leaks, { WORKERS: '2' });
    const clients = await clientsOnEveryWorker(primary);
    await probeUntilHeard(
      (text) => publish(primary, text),
      clients.map((c) => () => texts(c.peer)),
    );

    // app.publish in each worker (a new connection each time, until both workers have published).
    const published = new Map<string, string>();
    for (let i = 0; i < 40 && published.size < 2; i++) {
      const text = `news ${i}`;
      const slot = await publish(primary, text);
      if (!published.has(slot)) published.set(slot, text);
    }
    assert.deepEqual(new Set(published.keys()), new Set(['0', '1']), 'both workers published');
    const news = [...published.values()];
    await eventually(
      () => clients.every((c) => news.every((t) => count(c.peer, t) > 0)),
      () => `every socket heard ${news.join(', ')}: ${JSON.stringify(clients.map((c) => texts(c.peer)))}`,
      20_000,
    );

    // ws.publish from a socket of each worker: every other socket, in both workers, gets it; the sender does not.
    const senders = ['0', '1'].map((slot) => clients.find((c) => c.slot === slot) as Client);
    const [textSender, bytesSender] = senders as [Client, Client];
    textSender.peer.ws.send('from a client');
    bytesSender.peer.ws.send(Uint8Array.of(1, 2, 3, 255));
    const gotBytes = (p: Peer) => p.messages.some((m) => m.isBinary && m.data.equals(Buffer.from([1, 2, 3, 255])));
    await eventually(
      () =>
        clients.every(
          (c) => (c === textSender || count(c.peer, 'from a client') > 0) && (c === bytesSender || gotBytes(c.peer)),
        ),
      'every other socket heard both',
      20_000,
    );
    // A ClusterPubSub of the app's own shares the namespace: its publish reaches the sockets too.
    await publish(primary, 'through a ClusterPubSub', 'pubsub');
    // Everything has arrived; whatever came twice has too (each client's messages are in order).
    await publish(primary, 'last');
    await eventually(() => clients.every((c) => count(c.peer, 'last') > 0), 'the last message', 20_000);
    for (const c of clients) {
      for (const text of [...news, 'through a ClusterPubSub', 'last'])
        assert.equal(count(c.peer, text), 1, `${text} once`);
      assert.equal(count(c.peer, 'from a client'), c === textSender ? 0 : 1);
      assert.equal(c.peer.messages.filter((m) => m.isBinary).length, c === bytesSender ? 0 : 1);
    }
  });

  test("SIGTERM: every worker's sockets get 1001 and their closing handshakes are awaited", async () => {
    const primary = await startPrimary(leaks, { WORKERS: '2', DRAIN_TIMEOUT_MS: '60000' });
    const clients = await clientsOnEveryWorker(primary);
    const raw = await rawPeer(leaks, Number(new URL(primary.url).port), '/ws');
    await raw.frames(1);
    primary.child.kill('SIGTERM');
    for (const c of clients) assert.equal((await c.peer.closed).code, 1001);
    const events = await raw.frames(2);
    assert.match(events[1] as string, /^close:1001:/);
    // This peer has not answered the close: its worker waits for it (the deadline is a minute away).
    assert.ok(await stillPending(primary.exited, 200), 'the cluster waits for the closing handshake');
    await raw.client.write(frame({ opcode: 0x8, payload: closePayload(1001) }));
    assert.equal(await primary.exited, 0);
    await raw.client.waitEnded();
  });

  test('SIGTERM: a socket that never answers the close is dropped at the drain deadline', async () => {
    const primary = await startPrimary(leaks, { WORKERS: '1', DRAIN_TIMEOUT_MS: '500' });
    const raw = await rawPeer(leaks, Number(new URL(primary.url).port), '/ws');
    await raw.frames(1);
    primary.child.kill('SIGTERM');
    assert.match((await raw.frames(2))[1] as string, /^close:1001:/);
    assert.equal(await primary.exited, 0);
    await raw.client.waitEnded();
  });
});
