/**
 * The bench app of docs/architecture.md, Apps that outside tools start (`PORT=3000 node dist/bench/app.js`), written with the public `App`
 * API exactly as a user would: 100 parameterised and 10 static routes registered before the four
 * contract routes (so the router does real work), and a keep-alive idle timeout of 72 s like the
 * peers'. `bench/engine-app.ts` is the same contract on the bare engine, for the overhead ratio.
 * With `TLS_CERT` and `TLS_KEY` (paths of PEM files) it serves HTTPS, offering h2 and http/1.1 by ALPN
 * (`tls-bench.sh` starts it that way).
 */
// The package entry, as a user imports it (the bundle in dist/pkg): only the web layer is loaded.
import { App } from 'wirekit/web';

const HELLO = 'Hello, World!';
const app = new App();

for (let i = 0; i < 100; i++) app.get(`/r${i}/:a`, (c) => c.json({ a: c.req.param('a') }));
for (let i = 0; i < 10; i++) app.get(`/s${i}`, (c) => c.text('static'));

app.get('/', (c) => c.text(HELLO));
app.get('/json', (c) => c.json({ message: HELLO }));
app.get('/users/:id', (c) => c.json({ id: c.req.param('id') }));
app.post('/echo', async (c) => c.json(await c.req.json()));

const { TLS_CERT, TLS_KEY } = process.env;
/**
 * SLOW_TIMEOUT_MS replaces the 10 s TLS handshake and HTTP/2 SETTINGS timeouts for tools that slow the
 * server 50-fold (`bench/instructions-per-request.sh` runs it under valgrind): a connection cut there
 * would be a failed count.
 */
const slowMs = process.env.SLOW_TIMEOUT_MS === undefined ? undefined : Number(process.env.SLOW_TIMEOUT_MS);
const server = await app.listen({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
  idleTimeoutMs: 72_000,
  ...(TLS_CERT !== undefined && TLS_KEY !== undefined
    ? { tls: { certFile: TLS_CERT, keyFile: TLS_KEY, ...(slowMs === undefined ? {} : { handshakeTimeoutMs: slowMs }) } }
    : {}),
  ...(slowMs === undefined ? {} : { http2Options: { settingsTimeoutMs: slowMs } }),
  // H2C=1: cleartext HTTP/2 with prior knowledge next to HTTP/1.1 (`PROTOCOL=h2c bench/instructions-per-request.sh`).
  ...(process.env.H2C === '1' ? { http2: 'h2c' as const } : {}),
});
process.stdout.write(`bench app listening on ${server.url}\n`);
const stop = (): void => {
  server.close({ timeoutMs: 1000 }).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
