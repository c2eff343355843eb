/**
 * The bench contract (docs/architecture.md, Apps that outside tools start) on the bare engine, `serve()` with a hand-written dispatch: the
 * baseline that `bench/app.ts` (the same contract on `App`) must stay within 10% of.
 *
 * Run: `PORT=3001 node dist/bench/engine-app.js`, then
 * `$WIREKIT_BENCH/http-bench.sh app="node dist/bench/app.js" engine="node dist/bench/engine-app.js"`.
 */
import { Response, serve } from 'wirekit/http';

const HELLO = 'Hello, World!';
const extra = new Set<string>();
for (let i = 0; i < 100; i++) extra.add(`/r${i}/`);

const server = await serve(
  async (req) => {
    const path = req.path;
    if (path === '/') return new Response(HELLO, { headers: { 'content-type': 'text/plain' } });
    if (path === '/json') return Response.json({ message: HELLO });
    if (path.startsWith('/users/')) return Response.json({ id: decodeURIComponent(path.slice(7)) });
    if (path === '/echo' && req.method === 'POST') return Response.json(await req.json());
    const slash = path.indexOf('/', 1);
    if (slash !== -1 && extra.has(path.slice(0, slash + 1))) return Response.json({ a: path.slice(slash + 1) });
    if (/^\/s[0-9]$/.test(path)) return new Response('static');
    return new Response('Not Found', { status: 404 });
  },
  {
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? '127.0.0.1',
    idleTimeoutMs: 72_000,
    // H2C=1: cleartext HTTP/2 with prior knowledge too (`PROTOCOL=h2c bench/instructions-per-request.sh`).
    ...(process.env.H2C === '1' ? { http2: 'h2c' as const } : {}),
  },
);
process.stdout.write(`engine bench app listening on ${server.url}\n`);
const stop = (): void => {
  server.close({ timeoutMs: 1000 }).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
