/**
 * wirekit/redis against a real redis-server: topics reach the listeners of every node (and a
 * node's own listeners once, not again from Redis), bytes and text both; Redis down at start-up
 * and a Redis restart mid-traffic (publishes held, then sent, in order; subscriptions renewed);
 * the bounded buffer drops the oldest and counts them; the rate limiter's store counts across
 * nodes, survives a restart (the script is loaded again) and refuses or allows while Redis is down.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RedisPubSub, RedisRateLimitStore } from '../../src/redis/index.js';
import { App } from '../../src/web/app.js';
import { rateLimit } from '../../src/web/middleware/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { needsRedis, startRedis } from '../helpers/redis-server.js';
import { eventually } from '../helpers/wait.js';
import { warningsDuringTest } from '../helpers/warnings.js';

const leaks = trackLeaks({ settleMs: 50 });

function pubsub(url: string, options: ConstructorParameters<typeof RedisPubSub>[0] = {}): RedisPubSub {
  const bus = new RedisPubSub({ redis: url, ...options });
  leaks.defer(() => bus.close());
  return bus;
}

function store(url: string, options: ConstructorParameters<typeof RedisRateLimitStore>[0] = {}) {
  const s = new RedisRateLimitStore({ redis: url, ...options });
  leaks.defer(() => s.close());
  return s;
}

describe('RedisPubSub', { skip: needsRedis }, () => {
  test('a topic reaches every node once; the publisher hears itself once', async () => {
    const redis = await startRedis(leaks);
    const [a, b, c] = [pubsub(redis.url), pubsub(redis.url), pubsub(redis.url)];
    const got: Record<string, unknown[]> = { a: [], b: [], c: [] };
    a.subscribe('news', (d) => got.a?.push(d));
    b.subscribe('news', (d) => got.b?.push(d));
    c.subscribe('other', (d) => got.c?.push(d));
    await eventually(() => a.connected && b.connected && c.connected, 'connected');
    a.publish('news', 'hello');
    a.publish('news', Uint8Array.of(1, 2, 3));
    await eventually(
      () => (got.b?.length ?? 0) === 2,
      () => `b got ${JSON.stringify(got.b)}`,
    );
    assert.deepEqual(got.b, ['hello', Uint8Array.of(1, 2, 3)]);
    assert.deepEqual(got.a, ['hello', Uint8Array.of(1, 2, 3)], 'once, locally');
    assert.deepEqual(got.c, []);
  });

  test('Redis down at start-up: publishes wait, then go out in order', async () => {
    const redis = await startRedis(leaks);
    await redis.stop();
    const [a, b] = [pubsub(redis.url), pubsub(redis.url)];
    const got: unknown[] = [];
    b.subscribe('t', (d) => got.push(d));
    for (let i = 0; i < 5; i++) a.publish('t', `m${i}`);
    assert.equal(a.stats.pending, 5);
    assert.equal(a.connected, false);
    await redis.start();
    await eventually(() => a.connected && b.connected, 'reconnected', 20_000);
    // b's subscription was renewed on connect; a may have flushed before it: then publish again.
    await eventually(() => a.stats.pending === 0, 'flushed', 20_000);
    a.publish('t', 'after');
    await eventually(
      () => got.includes('after'),
      () => `b got ${JSON.stringify(got)}`,
      20_000,
    );
    const order = got.filter((m) => m !== 'after');
    assert.deepEqual(order, [...order].sort(), 'in order');
  });

  test('a Redis restart mid-traffic: nothing crashes, subscriptions come back, the buffer is bounded', async () => {
    const warnings = warningsDuringTest(leaks);
    const redis = await startRedis(leaks);
    const [a, b] = [pubsub(redis.url, { maxPendingMessages: 10 }), pubsub(redis.url)];
    const got: unknown[] = [];
    b.subscribe('t', (d) => got.push(d));
    await eventually(() => a.connected && b.connected, 'connected');
    await redis.stop();
    await eventually(() => !a.connected, 'a saw Redis go');
    for (let i = 0; i < 25; i++) a.publish('t', `down${i}`);
    assert.equal(a.stats.pending, 10);
    assert.equal(a.stats.dropped, 15);
    await eventually(() => warnings.some((w) => /dropped/.test(w.message)), 'the drop is said');
    await redis.start();
    await eventually(() => a.connected && b.connected && a.stats.pending === 0, 'back', 20_000);
    a.publish('t', 'after restart');
    await eventually(() => got.includes('after restart'), 'b hears again', 20_000);
  });
});

describe('RedisRateLimitStore', { skip: needsRedis }, () => {
  test('a limit holds across two apps (two nodes) sharing Redis', async () => {
    const redis = await startRedis(leaks);
    const nodes = [0, 1].map(() => {
      const app = new App();
      app.use(rateLimit({ windowMs: 60_000, limit: 3, key: () => 'client', store: store(redis.url) }));
      app.get('/', (c) => c.text('ok'));
      return app;
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await (nodes[i % 2] as App).request('/')).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429]);
  });

  test('Redis down: refuse (503, Retry-After) by default, or allow; after a restart it counts again', async () => {
    const redis = await startRedis(leaks);
    const make = (whenDown: 'refuse' | 'allow') => {
      const app = new App();
      app.use(rateLimit({ windowMs: 60_000, limit: 1, key: () => whenDown, store: store(redis.url, { whenDown }) }));
      app.get('/', (c) => c.text('ok'));
      return app;
    };
    const refusing = make('refuse');
    const allowing = make('allow');
    assert.equal((await refusing.request('/')).status, 200);
    await redis.stop();
    const refused = await refusing.request('/');
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal((await allowing.request('/')).status, 200);
    assert.equal((await allowing.request('/')).status, 200, 'uncounted while down');
    await redis.start();
    // A restarted Redis has forgotten the script (NOSCRIPT): it is loaded again.
    let status = 503;
    for (let i = 0; i < 200 && status === 503; i++) {
      status = (await refusing.request('/')).status;
      if (status === 503) await new Promise((r) => setTimeout(r, 50)); // polling while it reconnects
    }
    assert.equal(status, 200);
    assert.equal((await refusing.request('/')).status, 429);
  });
});
