/**
 * `npm start`: the demo on http://127.0.0.1:8080 (PORT and HOST override), stopped gracefully by
 * Ctrl-C or SIGTERM. `HTTPS=1 npm start` serves it over HTTPS with the development certificate of
 * `wirekit cert` (made on first use in ~/.config/wirekit; trust its CA once, see `wirekit cert --help`).
 */
import { defaultCertDir, ensureDevCertificate } from '../../src/cli/cert/dev-cert.js';
import { createDemoApp } from './app.js';
import { ItemStore } from './items.js';

const store = new ItemStore();
store.add({ name: 'Read the README', quantity: 1 });
store.add({ name: 'Run npm test', quantity: 1 });

const app = createDemoApp(store);
const tls =
  process.env.HTTPS === '1'
    ? await ensureDevCertificate({ dir: defaultCertDir(process.env) }).then((dev) => ({
        certFile: dev.certFile,
        keyFile: dev.keyFile,
      }))
    : undefined;
const server = await app.listen({
  port: Number(process.env.PORT ?? 8080),
  host: process.env.HOST ?? '127.0.0.1',
  ...(tls === undefined ? {} : { tls }),
});
const stop = (): void => {
  process.stdout.write('stopping…\n');
  server.close({ timeoutMs: 5_000 }).then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// Handlers first: whoever reads the line below may stop us at once.
process.stdout.write(`wirekit demo running at ${server.url}/  (Ctrl-C to stop)\n`);
