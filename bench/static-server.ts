/**
 * The static-file server of `bench/static.sh`: `serveStatic` with its defaults on the public `App`
 * API, the way a user would write it (`node dist/bench/static-server.js <dir>`, `PORT`, `HOST`).
 */
import { App } from '../src/web/app.js';
import { serveStatic } from '../src/web/middleware/static/index.js';

const root = process.argv[2] ?? '.';
const app = new App().use(serveStatic(root));
const server = await app.listen({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
  idleTimeoutMs: 72_000,
});
process.stdout.write(`static bench server on ${server.url}\n`);
const stop = (): void => {
  server.close({ timeoutMs: 1000 }).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
