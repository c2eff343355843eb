/**
 * The echo app of docs/architecture.md, Apps that outside tools start, started by outside tools as `node dist/test/conformance/echo-app.js`
 * with `PORT` (default 0) in the environment. Every well-formed request gets 200 JSON describing
 * exactly what the server parsed (`echo-handler.ts`); malformed ones get the server's own 4xx/5xx
 * and a close. `HEADER_TIMEOUT_MS` and `REQUEST_TIMEOUT_MS` shorten the slowloris and body guards
 * for tests.
 */
import { serve } from '../../src/http/server/index.js';
import { ECHO_MAX_BODY_BYTES, echoHandler } from './echo-handler.js';

function envMs(name: string): number | undefined {
  const value = process.env[name];
  return value === undefined ? undefined : Number(value);
}

const headerTimeoutMs = envMs('HEADER_TIMEOUT_MS');
const requestTimeoutMs = envMs('REQUEST_TIMEOUT_MS');
const server = await serve(echoHandler, {
  port: Number(process.env.PORT ?? 0),
  host: process.env.HOST ?? '127.0.0.1',
  maxBodyBytes: ECHO_MAX_BODY_BYTES,
  ...(headerTimeoutMs === undefined ? {} : { headerTimeoutMs }),
  ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
});
process.stdout.write(`echo app listening on ${server.url}\n`);
const stop = (): void => {
  server.close({ timeoutMs: 2000 }).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
