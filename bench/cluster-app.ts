/**
 * The bench app (bench/app.ts's plaintext route) on a wirekit cluster, for bench/scale.sh:
 * WORKERS processes (default 1), BALANCING (reuseport or round-robin, default: what this Node has).
 *
 *   PORT=3000 WORKERS=4 node dist/bench/cluster-app.js
 */
import { App, type Balancing } from '../src/index.js';

const app = new App();
app.get('/', (c) => c.text('Hello, World!'));
app.get('/json', (c) => c.json({ message: 'Hello, World!' }));
const server = await app.listen({
  port: Number(process.env.PORT ?? 3000),
  workers: Number(process.env.WORKERS ?? 1),
  ...(process.env.BALANCING === undefined ? {} : { balancing: process.env.BALANCING as Balancing }),
  log: () => {},
});
if (server.role === 'primary') console.log(`listening on ${server.url} (${server.balancing})`);
