/**
 * `npm start`: the demo on http://127.0.0.1:8080 (PORT and HOST override), stopped gracefully by
 * Ctrl-C or SIGTERM.
 */
import { createDemoApp } from './app.js';
import { ItemStore } from './items.js';

const store = new ItemStore();
store.add({ name: 'Read the README', quantity: 1 });
store.add({ name: 'Run npm test', quantity: 1 });

const app = createDemoApp(store);
const server = await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1' });
const stop = (): void => {
  process.stdout.write('stopping…\n');
  server.close({ timeoutMs: 5_000 }).then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// Handlers first: whoever reads the line below may stop us at once.
process.stdout.write(`wirekit demo running at ${server.url}/  (Ctrl-C to stop)\n`);
