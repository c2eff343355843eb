/**
 * The load generator as a library: start an app, load it for a moment, print the report and the
 * numbers a script would check.
 *
 *   node dist/examples/load-test.js
 */
import { App } from '../src/index.js';
import { formatResult, loadTest } from '../src/tools/index.js';

const app = new App();
app.get('/', (c) => c.text('Hello, World!'));
app.post('/echo', async (c) => c.json(await c.req.json()));
const server = await app.listen({ port: 0 });

const result = await loadTest({
  targets: [
    `${server.url}/`,
    { url: `${server.url}/echo`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' },
  ],
  connections: 8,
  requests: 2_000, // or durationMs: 10_000; add rate: 500 for a constant throughput
});
process.stdout.write(formatResult(result));
console.log(`ok: ${result.statusCodes['200'] === 2_000}, p99 ${result.latency.p99} ms, ${result.errors} errors`);
await server.close();
