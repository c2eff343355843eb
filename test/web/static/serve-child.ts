/**
 * A child process serving a directory with serveStatic, so a test can measure the server alone:
 * it prints `{"port"}` once listening, then answers each stdin line `stats` with
 * `{"rss","fds"}` (resident memory and open file descriptors of this process). Runs only with
 * WK_STATIC_CHILD=1, because the test runner also loads every file under dist/test.
 */
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { App } from '../../../src/web/app.js';
import { serveStatic } from '../../../src/web/middleware/static/index.js';

async function main(root: string): Promise<void> {
  const server = await new App().use(serveStatic(root)).listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ port: server.address.port })}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line === 'stats') {
      const fds = readdirSync('/proc/self/fd').length;
      process.stdout.write(`${JSON.stringify({ rss: process.memoryUsage.rss(), fds })}\n`);
    }
  });
  lines.on('close', () => void server.close({ timeoutMs: 0 }));
}

if (process.env.WK_STATIC_CHILD === '1') void main(process.argv[2] ?? '.');
