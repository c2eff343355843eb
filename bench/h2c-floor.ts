/**
 * The floor of HTTP/2 serving: bare node:http2 (core stream API, cleartext with prior knowledge) with
 * precomputed headers and a hand-written dispatch of the bench contract's GET routes, the ceiling
 * wirekit's HTTP/2 mapping is measured against (`PROTOCOL=h2c bench/instructions-per-request.sh`).
 *
 * Run: `PORT=3002 node dist/bench/h2c-floor.js`.
 */
import { createServer, type ServerHttp2Stream } from 'node:http2';

const HELLO = 'Hello, World!';
const TEXT = { ':status': 200, 'content-type': 'text/plain; charset=utf-8', 'content-length': 13 };

function send(stream: ServerHttp2Stream, status: number, type: string, body: string): void {
  stream.respond({ ':status': status, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  stream.end(body);
}

const server = createServer();
server.on('stream', (stream, headers) => {
  stream.on('error', () => {});
  const path = headers[':path'] ?? '/';
  if (path === '/') {
    stream.respond(TEXT);
    stream.end(HELLO);
  } else if (path === '/json') {
    send(stream, 200, 'application/json', JSON.stringify({ message: HELLO }));
  } else if (path.startsWith('/users/')) {
    send(stream, 200, 'application/json', JSON.stringify({ id: decodeURIComponent(path.slice(7)) }));
  } else {
    send(stream, 404, 'text/plain', 'Not Found');
  }
});
server.listen(Number(process.env.PORT ?? 3002), process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(`h2c floor listening on ${process.env.PORT ?? 3002}\n`);
});
const stop = (): void => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
