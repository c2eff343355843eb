/**
 * WebSocket topics across nodes through a real redis-server: two Apps (two nodes, each with its
 * own `redisTopics()`), real sockets from the `ws` package. A publish on one node reaches the
 * subscribers of both, each once (the publisher's own subscribers from its local delivery, not
 * again through Redis); `ws.publish` skips only the sender, bytes included. A Redis restart in the
 * middle of a stream of publishes: nothing crashes, no socket closes, local subscribers miss
 * nothing, the other node's hear no message twice and hear again once Redis is back.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PubSubTopicBus } from '../../src/cluster/topic-bus.js';
import { type RedisPubSub, redisTopics } from '../../src/redis/index.js';
import { App } from '../../src/web/app.js';
import { trackLeaks } from '../helpers/leaks.js';
import { needsRedis, startRedis } from '../helpers/redis-server.js';
import { eventually } from '../helpers/wait.js';
import { probeUntilHeard } from '../helpers/ws-client.js';
import { type Peer, peer } from '../ws/helpers.js';

const leaks = trackLeaks({ settleMs: 50 });

interface Node {
  readonly app: App;
  readonly topics: PubSubTopicBus<RedisPubSub>;
  readonly url: string;
}

/** A node: an App whose WebSocket topics go through Redis, listening on port 0. */
async function startNode(redisUrl: string): Promise<Node> {
  const topics = redisTopics({ redis: redisUrl });
  leaks.defer(() => topics.close());
  const app = new App({ webSockets: { topics } });
  app.ws('/ws', {
    open: (ws) => ws.subscribe('room'),
    message: (ws, data) => void ws.publish('room', data),
  });
  const server = await app.listen({ port: 0 });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  return { app, topics, url: `ws://127.0.0.1:${server.address.port}/ws` };
}

const texts = (p: Peer): string[] => p.messages.filter((m) => !m.isBinary).map((m) => m.data.toString());
const count = (p: Peer, text: string): number => texts(p).filter((t) => t === text).length;

describe('WebSocket topics through Redis', { skip: needsRedis }, () => {
  test('a publish on one node reaches the sockets of every node once; ws.publish skips the sender', async () => {
    const redis = await startRedis(leaks);
    const [a, b] = [await startNode(redis.url), await startNode(redis.url)];
    const [a1, a2, b1] = [await peer(leaks, a.url), await peer(leaks, a.url), await peer(leaks, b.url)];
    await eventually(() => a.topics.pubsub.connected && b.topics.pubsub.connected, 'connected to Redis');
    await probeUntilHeard(
      (text) => a.app.publish('room', text),
      [a1, a2, b1].map((p) => () => texts(p)),
    );

    assert.equal(a.app.publish('room', 'from node a'), 2, 'counted: the subscribers here');
    assert.equal(b.app.publish('room', 'from node b'), 1);
    b1.ws.send(Uint8Array.of(7, 8, 9));
    a1.ws.send('from a socket');
    const gotBytes = (p: Peer) => p.messages.some((m) => m.isBinary && m.data.equals(Buffer.from([7, 8, 9])));
    await eventually(
      () =>
        [a1, a2, b1].every((p) => count(p, 'from node a') && count(p, 'from node b')) &&
        gotBytes(a1) &&
        gotBytes(a2) &&
        count(a2, 'from a socket') === 1 &&
        count(b1, 'from a socket') === 1,
      () => `every socket heard everything: ${JSON.stringify([a1, a2, b1].map(texts))}`,
      20_000,
    );
    // Anything sent twice would have come by now: a last message through Redis from b, awaited everywhere.
    b.app.publish('room', 'last');
    await eventually(() => [a1, a2, b1].every((p) => count(p, 'last') === 1), 'the last message', 20_000);
    for (const p of [a1, a2, b1]) {
      for (const text of ['from node a', 'from node b', 'last']) assert.equal(count(p, text), 1, `${text} once`);
    }
    assert.equal(count(a1, 'from a socket'), 0, 'not to the sender');
    assert.equal(b1.messages.filter((m) => m.isBinary).length, 0, 'not to the sender');
  });

  test('a Redis restart mid-traffic: no crash, no socket closed, nothing twice, and delivery again after', async () => {
    const redis = await startRedis(leaks);
    const [a, b] = [await startNode(redis.url), await startNode(redis.url)];
    const [a1, b1] = [await peer(leaks, a.url), await peer(leaks, b.url)];
    await eventually(() => a.topics.pubsub.connected && b.topics.pubsub.connected, 'connected to Redis');
    await probeUntilHeard(
      (text) => a.app.publish('room', text),
      [a1, b1].map((p) => () => texts(p)),
    );

    // A steady stream of publishes on node a, paced so the event loop (and Redis's clients) keep running.
    let sent = 0;
    let running = true;
    const traffic = (async () => {
      for (let i = 0; i < 100_000 && running; i++) {
        a.app.publish('room', `t${i}`);
        sent = i + 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const heardOnB = () => texts(b1).filter((t) => t.startsWith('t'));
    await eventually(() => heardOnB().length > 10, 'traffic reaches node b', 20_000);
    await redis.stop();
    await eventually(() => !a.topics.pubsub.connected && !b.topics.pubsub.connected, 'both saw Redis go', 20_000);
    await redis.start();
    await eventually(() => a.topics.pubsub.connected && b.topics.pubsub.connected, 'both reconnected', 30_000);
    const sentAfter = sent;
    await eventually(
      () => heardOnB().some((t) => Number(t.slice(1)) > sentAfter),
      'node b hears a message published after the restart',
      30_000,
    );
    running = false;
    await traffic;

    const local = texts(a1).filter((t) => t.startsWith('t'));
    assert.deepEqual(
      local,
      Array.from({ length: sent }, (_, i) => `t${i}`),
      'local subscribers miss nothing, Redis or not',
    );
    const remote = heardOnB().map((t) => Number(t.slice(1)));
    assert.equal(new Set(remote).size, remote.length, 'nothing twice');
    assert.deepEqual(
      remote,
      [...remote].sort((x, y) => x - y),
      'in order',
    );
    assert.equal(a1.ws.readyState, a1.ws.OPEN);
    assert.equal(b1.ws.readyState, b1.ws.OPEN);
  });
});
