/**
 * rateLimit: the sliding window counter (no burst across a boundary, exact Retry-After), the IETF
 * RateLimit fields, keys (client IP, IPv6 prefixes, custom), skip, per-route and stacked limiters,
 * reset, the bounded memory store under a key flood, option checks, and a 429 over a real socket.
 * Time is a fake clock injected into the store: no test sleeps.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ConnInfo } from '../../../src/http/message/conn-info.js';
import { Request } from '../../../src/http/message/request.js';
import { App } from '../../../src/web/app.js';
import { inProcessInfo } from '../../../src/web/in-process.js';
import {
  ipKey,
  MemoryStore,
  type RateLimitCounts,
  type RateLimitOptions,
  type RateLimitStore,
  rateLimit,
} from '../../../src/web/middleware/index.js';
import { decide } from '../../../src/web/middleware/rate-limit/sliding-window.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';
import { header } from '../../helpers/response-reader.js';
import { assertRefusedOptions } from './refused-options.js';

const leaks = trackLeaks();
const MINUTE = 60_000;

/** A clock the test moves by hand. */
function fakeClock(start = 0) {
  const clock = {
    now: start,
    advance(ms: number) {
      clock.now += ms;
    },
  };
  return clock;
}

/** An app with one limited route (`/`), one free route (`/free`), and a count of route runs. */
function limitedApp(options: Partial<RateLimitOptions> = {}, clock = fakeClock()) {
  const store = new MemoryStore({ now: () => clock.now });
  const limiter = rateLimit({ windowMs: MINUTE, limit: 3, store, ...options });
  const app = new App();
  const runs = { count: 0 };
  app.get('/', limiter, (c) => {
    runs.count++;
    return c.text('ok');
  });
  app.get('/free', (c) => c.text('free'));
  return { app, clock, store, limiter, runs };
}

/** A request from `address` (the app sees it as the connection's peer). */
function from(app: App, address: string, path = '/') {
  const family = address.includes(':') ? 'IPv6' : 'IPv4';
  const info: ConnInfo = { ...inProcessInfo(), remoteAddress: { address, port: 40_000, family } };
  return app.fetch(new Request(path, { headers: { host: 'test' } }), info);
}

describe('the sliding window counter', () => {
  test('up to limit requests pass in a fresh window, the next is refused', () => {
    for (let current = 1; current <= 5; current++) {
      assert.equal(decide({ current, previous: 0, elapsedMs: 0 }, 5, MINUTE).allowed, true, `${current}`);
    }
    assert.equal(decide({ current: 6, previous: 0, elapsedMs: 0 }, 5, MINUTE).allowed, false);
  });

  test("the previous window's count fades as the window slides: no 2 × limit burst at a boundary", () => {
    // 10 requests at the end of window 0, then one just after the boundary: a fixed window would allow it.
    assert.equal(decide({ current: 1, previous: 10, elapsedMs: 500 }, 10, MINUTE).allowed, false);
    // Half-way through the next window, half the previous count remains.
    const half = decide({ current: 5, previous: 10, elapsedMs: 30_000 }, 10, MINUTE);
    assert.deepEqual(half, { allowed: true, remaining: 0, resetMs: 30_000 });
    assert.deepEqual(decide({ current: 1, previous: 10, elapsedMs: 45_000 }, 10, MINUTE), {
      allowed: true,
      remaining: 6,
      resetMs: 15_000,
    });
  });

  test('the wait of a refusal is the first moment one more request passes (random histories)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    let refusals = 0;
    for (let round = 0; round < 300; round++) {
      const limit = 1 + random(8);
      const times: number[] = [];
      let now = random(3) * MINUTE;
      for (let i = 0; i < 30; i++) {
        now += random(20_000);
        times.push(now);
        const decision = decide(replay(times), limit, MINUTE);
        if (decision.allowed) continue;
        refusals++;
        const wait = decision.resetMs;
        assert.ok(wait > 0 && wait <= 2 * MINUTE, `wait ${wait}`);
        assert.equal(decide(replay([...times, now + wait + 0.001]), limit, MINUTE).allowed, true, `after ${wait}`);
        if (wait >= 1) {
          assert.equal(decide(replay([...times, now + wait - 1]), limit, MINUTE).allowed, false, `before ${wait}`);
        }
        break;
      }
    }
    assert.ok(refusals > 100, `the random histories refused ${refusals} times`);
  });
});

/** The counts a fresh memory store answers for the last of requests made at `times`. */
function replay(times: readonly number[]): RateLimitCounts {
  let now = 0;
  const store = new MemoryStore({ now: () => now });
  let counts: RateLimitCounts = { current: 0, previous: 0, elapsedMs: 0 };
  for (const time of times) {
    now = time;
    counts = store.count('k', MINUTE);
  }
  return counts;
}

describe('the middleware', () => {
  test('allowed answers carry RateLimit-Policy and RateLimit; the limit + 1-th is a 429 with Retry-After', async () => {
    const { app, clock, runs } = limitedApp();
    clock.advance(15_000);
    for (let i = 1; i <= 3; i++) {
      const res = await app.request('/');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('ratelimit-policy'), '"3-in-60s";q=3;w=60');
      assert.equal(res.headers.get('ratelimit'), `"3-in-60s";r=${3 - i};t=45`);
    }
    const refused = await app.request('/', { headers: { accept: 'application/json' } });
    assert.equal(refused.status, 429);
    // 4 in window 0 (the refused one counts): the next passes once 4 × (1 − s/60) + 1 ≤ 3, 30 s into window 1.
    assert.equal(refused.headers.get('retry-after'), '75');
    assert.equal(refused.headers.get('ratelimit'), '"3-in-60s";r=0;t=75');
    assert.equal(refused.headers.get('ratelimit-policy'), '"3-in-60s";q=3;w=60');
    assert.deepEqual(await refused.json(), { error: 'too many requests', status: 429 });
    assert.equal(runs.count, 3, 'the refused request never reached the route');
  });

  test('Retry-After is exact: a second early is still refused, on time is allowed', async () => {
    const { app, clock } = limitedApp();
    for (let i = 0; i < 4; i++) await app.request('/');
    clock.advance(89_000);
    assert.equal((await app.request('/')).status, 429, '4 × 31/60 + 1 > 3');
    const { app: again, clock: clock2 } = limitedApp();
    for (let i = 0; i < 4; i++) await again.request('/');
    clock2.advance(90_000);
    assert.equal((await again.request('/')).status, 200, '4 × 30/60 + 1 = 3');
  });

  test('a client that keeps sending while refused stays refused; one that stops recovers', async () => {
    const { app, clock } = limitedApp();
    for (let i = 0; i < 3; i++) await app.request('/');
    for (let i = 0; i < 20; i++) {
      clock.advance(5_000);
      assert.equal((await app.request('/')).status, 429, `${i}`);
    }
    clock.advance(2 * MINUTE);
    assert.equal((await app.request('/')).status, 200);
  });

  test('clients are counted apart by IP; error answers count and carry the fields', async () => {
    const { app } = limitedApp();
    const limiter = rateLimit({ windowMs: MINUTE, limit: 2, store: new MemoryStore({ now: () => 0 }) });
    app.use(limiter);
    for (let i = 0; i < 2; i++) assert.equal((await from(app, '192.0.2.1', '/missing')).status, 404);
    const refused = await from(app, '192.0.2.1', '/missing');
    assert.equal(refused.status, 429);
    const other = await from(app, '192.0.2.2', '/missing');
    assert.equal(other.status, 404);
    assert.equal(other.headers.get('ratelimit'), '"2-in-60s";r=1;t=60');
  });

  test('IPv6 clients are counted by /56 prefix; an IPv4-mapped address is its IPv4 address', async () => {
    const { app } = limitedApp({ limit: 2 });
    assert.equal((await from(app, '2001:db8:1:100::1')).status, 200);
    assert.equal((await from(app, '2001:db8:1:1ff:abcd::9')).status, 200);
    assert.equal((await from(app, '2001:db8:1:1aa::2')).status, 429, 'same /56: rotating addresses does not help');
    assert.equal((await from(app, '2001:db8:1:200::1')).status, 200, 'another /56');
    assert.equal((await from(app, '::ffff:198.51.100.7')).status, 200);
    assert.equal((await from(app, '198.51.100.7')).status, 200);
    assert.equal((await from(app, '::ffff:198.51.100.7')).status, 429);
  });

  test('ipv6Subnet: 64 tells /64 prefixes apart', async () => {
    const { app } = limitedApp({ limit: 1, ipv6Subnet: 64 });
    assert.equal((await from(app, '2001:db8:1:100::1')).status, 200);
    assert.equal((await from(app, '2001:db8:1:101::1')).status, 200);
    assert.equal((await from(app, '2001:db8:1:101::2')).status, 429);
  });

  test('a custom key, skip, and the unlimited route', async () => {
    const { app, runs } = limitedApp({
      limit: 1,
      key: (c) => c.req.header('x-api-key') ?? 'anonymous',
      skip: (c) => c.req.header('x-internal') === 'yes',
    });
    const get = (headers: Record<string, string>) => app.request('/', { headers });
    assert.equal((await get({ 'x-api-key': 'a' })).status, 200);
    assert.equal((await get({ 'x-api-key': 'a' })).status, 429);
    assert.equal((await get({ 'x-api-key': 'b' })).status, 200);
    const skipped = await get({ 'x-api-key': 'a', 'x-internal': 'yes' });
    assert.equal(skipped.status, 200);
    assert.equal(skipped.headers.get('ratelimit'), null, 'a skipped request is neither counted nor told');
    for (let i = 0; i < 5; i++) assert.equal((await app.request('/free')).status, 200);
    assert.equal(runs.count, 3);
  });

  test('stacked limiters add their items to one list; the stricter refuses', async () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: () => clock.now });
    const app = new App();
    app.use(rateLimit({ windowMs: 3_600_000, limit: 100, name: 'hourly', store }));
    app.get('/', rateLimit({ windowMs: 1000, limit: 1, name: 'burst', store }), (c) => c.text('ok'));
    const res = await app.request('/');
    // The inner limiter adds its item first (it finishes first), the outer one after.
    assert.equal(res.headers.get('ratelimit-policy'), '"burst";q=1;w=1, "hourly";q=100;w=3600');
    assert.equal(res.headers.get('ratelimit'), '"burst";r=0;t=1, "hourly";r=99;t=3600');
    const refused = await app.request('/');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('ratelimit'), '"burst";r=0;t=2, "hourly";r=98;t=3600');
  });

  test('headers: false sends no RateLimit fields, but a 429 still has Retry-After', async () => {
    const { app } = limitedApp({ limit: 1, headers: false });
    const ok = await app.request('/');
    assert.equal(ok.headers.get('ratelimit'), null);
    assert.equal(ok.headers.get('ratelimit-policy'), null);
    const refused = await app.request('/');
    assert.equal(refused.status, 429);
    // Two requests counted at limit 1: the first window's count must fade out entirely.
    assert.equal(refused.headers.get('retry-after'), '120');
    assert.equal(refused.headers.get('ratelimit'), null);
  });

  test('reset forgets a key, given as the key or as the request', async () => {
    const { app, limiter } = limitedApp({ limit: 1 });
    await from(app, '192.0.2.9');
    assert.equal((await from(app, '192.0.2.9')).status, 429);
    await limiter.reset('192.0.2.9');
    assert.equal((await from(app, '192.0.2.9')).status, 200);
    app.post('/login', limiter, async (c) => {
      await limiter.reset(c);
      return c.text('welcome');
    });
    assert.equal((await app.request('/login', { method: 'POST' })).status, 200);
    assert.equal((await app.request('/login', { method: 'POST' })).status, 200, 'each success reset the count');
  });

  test('a failing store fails the request (500): nothing passes uncounted', async () => {
    const broken: RateLimitStore = {
      increment: () => Promise.reject(new Error('store down')),
      reset: () => Promise.resolve(),
    };
    const app = new App();
    const runs: string[] = [];
    app.reportErrors((error) => runs.push(String(error)));
    app.get('/', rateLimit({ windowMs: MINUTE, limit: 5, store: broken }), (c) => c.text('ok'));
    const res = await app.request('/');
    assert.equal(res.status, 500);
    assert.deepEqual(runs, ['Error: store down']);
  });

  test('a long key (a field the client chose) reaches the store hashed, so it cannot grow memory', async () => {
    const seen: string[] = [];
    const spy: RateLimitStore = {
      increment: (key): Promise<RateLimitCounts> => {
        seen.push(key);
        return Promise.resolve({ current: 1, previous: 0, elapsedMs: 0 });
      },
      reset: () => Promise.resolve(),
    };
    const app = new App();
    app.get(
      '/',
      rateLimit({ windowMs: MINUTE, limit: 5, store: spy, key: (c) => c.req.header('x-k') ?? '' }),
      () => 'ok',
    );
    await app.request('/', { headers: { 'x-k': 'k'.repeat(10_000) } });
    await app.request('/', { headers: { 'x-k': 'short' } });
    assert.match(seen[0] ?? '', /^5-in-60s:#[A-Za-z0-9_-]{43}$/);
    assert.equal(seen[1], '5-in-60s:short');
  });
});

describe('the memory store', () => {
  test('a flood of new keys keeps at most maxKeys, forgetting the least recently used', () => {
    const clock = fakeClock();
    const store = new MemoryStore({ maxKeys: 1000, now: () => clock.now });
    store.count('regular', MINUTE);
    for (let i = 0; i < 50_000; i++) {
      store.count(`flood-${i}`, MINUTE);
      if (i % 500 === 0) store.count('regular', MINUTE);
      assert.ok(store.size <= 1000);
    }
    assert.equal(store.size, 1000);
    assert.equal(store.count('regular', MINUTE).current, 102, 'a key in use survived the flood');
    assert.equal(store.count('flood-0', MINUTE).current, 1, 'an old flood key was forgotten');
  });

  test('keys two windows old are dropped as the store is used, without a timer', () => {
    const clock = fakeClock();
    const store = new MemoryStore({ now: () => clock.now });
    for (let i = 0; i < 100; i++) store.count(`k${i}`, MINUTE);
    clock.advance(MINUTE);
    store.count('fresh', MINUTE);
    assert.equal(store.size, 101, 'one window old: still counts as the previous window');
    clock.advance(MINUTE);
    store.count('fresh', MINUTE);
    assert.equal(store.size, 1);
  });

  test('heap stays bounded under a flood of 300 000 keys', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const store = new MemoryStore({ maxKeys: 10_000, now: () => 0 });
    for (let i = 0; i < 20_000; i++) store.count(`198.51.${i >> 8}.${i & 255}`, MINUTE);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 300_000; i++) store.count(`2001:db8:${i.toString(16)}::/56`, MINUTE);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.equal(store.size, 10_000);
    // 10 000 entries are under 2 MB; keeping 300 000 keys would be over 45 MB.
    assert.ok(grown < 20 * 1024 * 1024, `heap grew by ${grown} bytes`);
  });
});

describe('ipKey', () => {
  test('IPv4 as is, IPv4-mapped as IPv4, IPv6 masked to its prefix, anything unparsable as is', () => {
    const cases: [string | undefined, number, string][] = [
      ['192.0.2.1', 56, '192.0.2.1'],
      ['::ffff:192.0.2.1', 56, '192.0.2.1'],
      ['::ffff:c000:201', 56, '192.0.2.1'],
      ['2001:db8:1234:5678:9abc::1', 56, '2001:db8:1234:5600::/56'],
      ['2001:DB8:1234:56FF::1', 56, '2001:db8:1234:5600::/56'],
      ['2001:db8:1234:5678:9abc::1', 64, '2001:db8:1234:5678::/64'],
      ['2001:db8:1234:5678:9abc::1', 128, '2001:db8:1234:5678:9abc::1/128'],
      ['2001:db8::1', 48, '2001:db8::/48'],
      ['fe80::1%eth0', 64, 'fe80::/64'],
      ['::1', 56, '::/56'],
      ['::1', 128, '::1/128'],
      ['1:2:3:4:5:6:7:8', 128, '1:2:3:4:5:6:7:8/128'],
      ['64:ff9b::192.0.2.33', 128, '64:ff9b::c000:221/128'],
      [undefined, 56, 'unknown'],
      ['1::2::3', 56, '1::2::3'],
      ['1:2:3', 56, '1:2:3'],
      ['::ffff:300.1.1.1', 56, '::ffff:300.1.1.1'],
      ['12345::', 56, '12345::'],
    ];
    for (const [address, bits, expected] of cases) assert.equal(ipKey(address, bits), expected, `${address}/${bits}`);
  });
});

test('bad options fail when the limiter is made, naming the option', () => {
  const store = new MemoryStore();
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ windowMs: 1500, limit: 1 }, /windowMs/],
    [{ windowMs: 0, limit: 1 }, /windowMs/],
    [{ windowMs: MINUTE, limit: 0 }, /limit/],
    [{ windowMs: MINUTE, limit: 1.5 }, /limit/],
    [{ windowMs: MINUTE, limit: 1, ipv6Subnet: 0 }, /ipv6Subnet/],
    [{ windowMs: MINUTE, limit: 1, ipv6Subnet: 129 }, /ipv6Subnet/],
    [{ windowMs: MINUTE, limit: 1, key: 'ip' }, /key/],
    [{ windowMs: MINUTE, limit: 1, skip: true }, /skip/],
    [{ windowMs: MINUTE, limit: 1, store: {} }, /store/],
    [{ windowMs: MINUTE, limit: 1, name: 'bad\nname' }, /name/],
    [{ windowMs: MINUTE, limit: 1, name: 'été' }, /name/],
  ];
  assertRefusedOptions(
    rateLimit,
    cases.map(([options, message]) => [{ store, ...options }, message] as const),
  );
  assert.throws(() => new MemoryStore({ maxKeys: 0 }), /maxKeys/);
  assert.equal(rateLimit({ windowMs: MINUTE, limit: 1, name: 'a "quoted" \\ name' }).length, 2);
});

test('a policy name with quotes is sent as an escaped Structured Field string', async () => {
  const app = new App();
  app.get('/', rateLimit({ windowMs: MINUTE, limit: 5, name: 'say "hi" \\o/' }), () => 'ok');
  const res = await app.request('/');
  assert.equal(res.headers.get('ratelimit-policy'), '"say \\"hi\\" \\\\o/";q=5;w=60');
});

describe('over a socket', () => {
  test('the 429 on the wire: Retry-After, the fields, and the connection kept for the next request', async () => {
    const { app } = limitedApp({ limit: 1 });
    const server = await startServer(leaks, app.handler);
    const client = await server.client();
    await client.write(request('GET', '/') + request('GET', '/') + request('GET', '/free'));
    const [ok, refused, free] = await client.read(3);
    assert.ok(ok !== undefined && refused !== undefined && free !== undefined);
    assert.equal(ok.status, 200);
    assert.equal(header(ok, 'ratelimit'), '"1-in-60s";r=0;t=60');
    assert.equal(refused.status, 429);
    assert.equal(header(refused, 'retry-after'), '120');
    assert.equal(header(refused, 'ratelimit'), '"1-in-60s";r=0;t=120');
    assert.equal(header(refused, 'ratelimit-policy'), '"1-in-60s";q=1;w=60');
    assert.equal(free.status, 200, 'the connection served the next request');
  });
});
