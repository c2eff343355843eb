/**
 * One wirekit node behind nginx or HAProxy (see README.md here and the README's "Scaling out").
 * Environment: HOST (default 127.0.0.1), PORT (3000), NODE_NAME, REDIS_URL (topics and rate
 * limits shared by every node), PROXY_PROTOCOL=1 (HAProxy send-proxy-v2), DRAIN_DELAY_MS (how long
 * a stopping node keeps serving while health checks notice).
 *
 *   HOST=127.0.0.2 PORT=3000 NODE_NAME=n1 REDIS_URL=redis://127.0.0.1:6379 node dist/examples/deploy/node.js
 */
import { App, clusterTopics, healthCheck, type RateLimitStore, rateLimit } from '../../src/index.js';
import { RedisRateLimitStore, redisTopics } from '../../src/redis/index.js';

const env = process.env;
const name = env.NODE_NAME ?? `node-${process.pid}`;
const redisUrl = env.REDIS_URL;
// Topics every node hears through Redis (without it, this process's: clusterTopics() outside a
// cluster). WebSockets publish through them, and the event stream listens to the same pub/sub.
const topics = redisUrl === undefined ? clusterTopics() : redisTopics({ redis: redisUrl });
const store: RateLimitStore | undefined =
  redisUrl === undefined ? undefined : new RedisRateLimitStore({ redis: redisUrl });

// The proxies run on this machine: trust loopback peers to say who the client is.
const app = new App({ trustProxy: 'loopback', webSockets: { topics } });
app.get('/', (c) =>
  c.json({ node: name, ip: c.req.ip, protocol: c.req.protocol, proxiedBy: c.info.proxiedBy?.address ?? null }),
);
app.get('/healthz', healthCheck());
app.get('/limited', rateLimit({ windowMs: 60_000, limit: 5, ...(store ? { store } : {}) }), (c) => c.text(name));
app.get('/events', (c) =>
  c.sse(async (stream) => {
    const stop = topics.pubsub.subscribe(
      'broadcast',
      (data) => void stream.send({ data: String(data) }).catch(() => {}),
    );
    await stream.send({ event: 'hello', data: name });
    await new Promise((resolve) => stream.signal.addEventListener('abort', resolve, { once: true }));
    stop();
  }),
);
// Every node's WebSockets and event streams get it.
app.post('/broadcast', async (c) => {
  app.publish('broadcast', await c.req.text());
  return c.text('sent', 202);
});
// A WebSocket says which node it landed on, hears every broadcast, publishes with
// "publish <text>", and has anything else echoed back as it came (text or bytes).
app.ws('/ws', {
  open(ws) {
    ws.subscribe('broadcast');
    void ws.send(`hello ${name}`);
  },
  message(ws, data, isBinary) {
    if (!isBinary && typeof data === 'string' && data.startsWith('publish ')) {
      app.publish('broadcast', data.slice('publish '.length));
    } else void ws.send(data);
  },
});

const server = await app.listen({
  host: env.HOST ?? '127.0.0.1',
  port: Number(env.PORT ?? 3000),
  proxyProtocol: env.PROXY_PROTOCOL === '1',
});
const stop = async (): Promise<void> => {
  // Readiness answers 503 first, so the balancer's health check moves traffic away, then drain.
  await server.drain({ delayMs: Number(env.DRAIN_DELAY_MS ?? 0), timeoutMs: 5_000 });
  // server.drain() has sent every WebSocket 1001 and waited for its closing handshake.
  await Promise.all([topics.close(), (store as RedisRateLimitStore | undefined)?.close()]);
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
console.log(`${name} listening on ${server.url}`);
