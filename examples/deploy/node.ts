/**
 * One wirekit node behind nginx or HAProxy (see README.md here and the README's "Scaling out").
 * Environment: HOST (default 127.0.0.1), PORT (3000), NODE_NAME, REDIS_URL (topics and rate
 * limits shared by every node), PROXY_PROTOCOL=1 (HAProxy send-proxy-v2), WORKERS (processes).
 *
 *   HOST=127.0.0.2 PORT=3000 NODE_NAME=n1 REDIS_URL=redis://127.0.0.1:6379 node dist/examples/deploy/node.js
 */
import { createHash } from 'node:crypto';
import type { Upgraded } from '../../src/index.js';
import { App, healthCheck, type RateLimitStore, rateLimit } from '../../src/index.js';
import { RedisPubSub, RedisRateLimitStore } from '../../src/redis/index.js';

const env = process.env;
const name = env.NODE_NAME ?? `node-${process.pid}`;
const redisUrl = env.REDIS_URL;
// Topics every node hears (an SSE stream here; WebSocket topics sit on the same bus).
const bus = redisUrl === undefined ? undefined : new RedisPubSub({ redis: redisUrl });
const store: RateLimitStore | undefined =
  redisUrl === undefined ? undefined : new RedisRateLimitStore({ redis: redisUrl });

// The proxies run on this machine: trust loopback peers to say who the client is.
const app = new App({ trustProxy: 'loopback' });
app.get('/', (c) =>
  c.json({ node: name, ip: c.req.ip, protocol: c.req.protocol, proxiedBy: c.info.proxiedBy?.address ?? null }),
);
app.get('/healthz', healthCheck());
app.get('/limited', rateLimit({ windowMs: 60_000, limit: 5, ...(store ? { store } : {}) }), (c) => c.text(name));
app.get('/events', (c) =>
  c.sse(async (stream) => {
    await stream.send({ event: 'hello', data: name });
    const stop = bus?.subscribe('broadcast', (data) => void stream.send({ data: String(data) }).catch(() => {}));
    await new Promise((resolve) => stream.signal.addEventListener('abort', resolve, { once: true }));
    stop?.();
  }),
);
app.post('/broadcast', async (c) => {
  bus?.publish('broadcast', await c.req.text());
  return c.text('sent', 202);
});
// An upgraded connection that echoes bytes (a stand-in for app.ws until the WebSocket layer is in
// this tree): the proxies' WebSocket settings carry it the same way.
app.get('/tunnel', (c) => {
  if (!c.info.canUpgrade) return c.text('upgrade required', 426);
  const key = c.req.header('sec-websocket-key') ?? '';
  // RFC 6455 §4.2.2: proxies that know WebSockets (HAProxy) check the handshake's accept value.
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  const up: Upgraded = c.info.upgrade();
  void up.connection.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${c.req.header('upgrade')}\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  up.connection.write(`${name}\n`).catch(() => {});
  up.receive({
    onData: (chunk) => void up.connection.write(chunk).catch(() => {}),
    onEnd: () => void up.connection.end().catch(() => {}),
    onError: () => {},
  });
});

const server = await app.listen({
  host: env.HOST ?? '127.0.0.1',
  port: Number(env.PORT ?? 3000),
  proxyProtocol: env.PROXY_PROTOCOL === '1',
});
const stop = async (): Promise<void> => {
  // Readiness answers 503 first, so the balancer's health check moves traffic away, then drain.
  await server.drain({ delayMs: Number(env.DRAIN_DELAY_MS ?? 0), timeoutMs: 5_000 });
  await Promise.all([bus?.close(), (store as RedisRateLimitStore | undefined)?.close()]);
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
console.log(`${name} listening on ${server.url}`);
